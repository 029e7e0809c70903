"""What every page uses: the models folder, cached model loading, the model picker and
the "no model yet" panel that trains a quick default with a progress bar.

Everything here loops over the task registry (`shared.tasks`); no page names an app
except to show it. Models load once per process (`st.cache_resource`) and are
shared, read-only, by all sessions; the APIs are thread-safe.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from shared.bundle import BundleEntry, find_bundles
from shared.errors import UserError
from shared.tasks import Task, all_tasks, get_task, title_of

# What Markdown (and Streamlit's own `:emoji:` and `:color[...]` syntax) reads as markup in
# a message: each is backslash-escaped, as CommonMark lets any ASCII punctuation be.
_MARKUP = re.compile(r"[\\`*_\[\]<>!|~$#{}@]|:(?=\S)")
# A web or e-mail address is made a live link after escapes are undone (GFM's autolink
# literals), and an `:emoji:` shortcode an emoji, so a word holding one is shown as code
# instead, which nothing rewrites.
_LINK_LIKE = re.compile(r"://|www\.|@|:[\w+-]+:", re.IGNORECASE)


def _inert(word: str) -> str:
    if not _LINK_LIKE.search(word):
        return _MARKUP.sub(lambda match: "\\" + match.group(0), word)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", word)), default=0) + 1)
    padded = f" {word} " if word.startswith("`") or word.endswith("`") else word
    return f"{fence}{padded}{fence}"


def plain(text: object) -> str:
    """`text` for a Streamlit message (`st.error`, `st.success`...), which reads Markdown:
    markup escaped and web addresses shown as code, so a file name, a cell of an upload
    or an error quoting one shows as typed, and never as an image fetched from elsewhere,
    a live link or HTML. Line breaks stay line breaks."""
    return "  \n".join(
        "".join(_inert(part) if part and not part.isspace() else part for part in re.split(r"(\s+)", line))
        for line in str(text).split("\n")
    )


def keep_tensorflow_kernels() -> None:
    """Stop Streamlit from clearing the Keras session after every script run.

    Streamlit (1.67, `script_runner._clean_problem_modules`) calls
    `keras.backend.clear_session()` after each run, for apps that build a model per
    run. That also empties TensorFlow's kernel cache, so every compiled function of
    our cached models rebuilt its kernels on the next run: 0.1-0.3 s per function,
    about half of a page's time. Our models are built once and shared, so the app
    keeps only the other clean-up (closing matplotlib figures).
    """
    from streamlit.runtime.scriptrunner import script_runner

    script_runner._clean_problem_modules = _close_matplotlib_figures


def _close_matplotlib_figures() -> None:
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def models_dir() -> Path:
    """Where bundles are looked for: $RNNTEXT_MODELS_DIR, else ./models."""
    return Path(os.environ.get("RNNTEXT_MODELS_DIR", "models"))


def train_command(task: Task) -> str:
    return f"python -m {task.name}.train --dataset {task.default_dataset} --out models/{task.name}"


@st.cache_resource(show_spinner="Loading the model...")
def load_model(task_name: str, path: str):
    """The API object of the bundle at `path`, loaded once per process."""
    return get_task(task_name).load(path)


def pick_bundle(task: Task) -> BundleEntry | None:
    """The bundle of `task` chosen in the sidebar (newest first), or None when there is none."""
    entries = find_bundles(models_dir(), task.name)
    if not entries:
        return None
    if len(entries) == 1:
        st.session_state[f"model-{task.name}-chosen"] = entries[0].path.name
        return entries[0]
    names = [entry.path.name for entry in entries]
    key = f"model-{task.name}"
    # The choice is kept by name: a bundle that lands later (a retraining) is listed
    # first, and must not become the model of every page unasked.
    remembered = st.session_state.get(f"{key}-chosen")
    if remembered in names:
        st.session_state[key] = remembered
    elif st.session_state.get(key) not in names:
        st.session_state.pop(key, None)
    chosen = st.sidebar.selectbox(
        f"{title_of(task.name)} model",
        names,
        key=key,
        on_change=lambda: choose_bundle(task.name, st.session_state[key]),
    )
    st.session_state[f"{key}-chosen"] = chosen
    return entries[names.index(chosen)]


def choose_bundle(task_name: str, name: str) -> None:
    """Make the bundle `name` the chosen model of `task_name` (from the next run on)."""
    st.session_state[f"model-{task_name}-chosen"] = name


def available_models() -> dict[str, BundleEntry]:
    """Task name -> chosen bundle, for every task that has one."""
    return {task.name: entry for task in all_tasks() if (entry := pick_bundle(task)) is not None}


def model_or_stop(task_name: str):
    """The loaded API object of the chosen model of `task_name`; without one, explain how
    to get one, offer to train the quick default, and stop the page."""
    task = get_task(task_name)
    entry = pick_bundle(task)
    if entry is not None:
        try:
            return load_model(task.name, str(entry.path))
        except UserError as error:
            st.error(plain(f"Cannot load {entry.path}: {error}"))
            st.stop()
    no_model_panel(task)
    st.stop()


# ------------------------------------------------------------------ quick training


@dataclass
class TrainingJob:
    """A training run in a background thread (a quick default, or `work`: a function of
    the epoch callback whose return value becomes `result`); every session reads its progress."""

    task_name: str
    target: Path
    work: Callable[[Callable[[dict], None]], dict] | None = field(default=None, repr=False)
    epoch: int = 0
    epochs: int = 0
    error: str | None = None
    result: dict | None = None
    thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def run(self) -> None:
        from shared.training import ensure_default_model

        def on_epoch(record: dict) -> None:
            self.epoch, self.epochs = record["epoch"], record["epochs"]

        try:
            if self.work is not None:
                self.result = self.work(on_epoch)
            else:
                ensure_default_model(get_task(self.task_name), self.target, quick=True, on_epoch=on_epoch)
        except UserError as error:
            self.error = str(error)
        except Exception as error:  # noqa: BLE001 - a background thread has no caller to raise to
            self.error = f"unexpected {type(error).__name__}: {error}"
            raise


class TrainingJobs:
    """The quick trainings of this server process, at most one per target folder.

    A second click, or a second visitor, gets the running job instead of a new one,
    and the trainer's file lock (`shared.training.training_lock`) keeps a CLI
    training and this one from writing the same folder at once.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._jobs: dict[Path, TrainingJob] = {}

    def start(self, task_name: str, target: Path, work=None) -> TrainingJob:
        with self._lock:
            job = self._jobs.get(target)
            if job is None or not job.running:
                job = TrainingJob(task_name, target, work)
                job.thread = threading.Thread(target=job.run, name=f"train-{task_name}", daemon=True)
                self._jobs[target] = job
                job.thread.start()
            return job

    def get(self, target: Path) -> TrainingJob | None:
        with self._lock:
            return self._jobs.get(target)

    def running(self) -> TrainingJob | None:
        """A job of this process that is still training, if any."""
        with self._lock:
            return next((job for job in self._jobs.values() if job.running), None)


@st.cache_resource
def training_jobs() -> TrainingJobs:
    """The process's one TrainingJobs, shared by every session."""
    return TrainingJobs()


def no_model_panel(task: Task) -> None:
    """Say how to get a `task` model: the progress of the default that `make start` is
    training (or its place in the queue), or a quick default trained here on request."""
    from app_pages.defaults import read_status
    from shared.training import training_running

    status = read_status()
    state = status.state_of(task.name) if status else None
    if state in ("training", "queued"):
        default_training_progress(task.name)
        return
    if state == "failed":
        st.warning(
            f"`make start` could not train the default {title_of(task.name).lower()}: {plain(status.failed[task.name])}"
        )
    target = (models_dir() / task.name).resolve()
    job = training_jobs().get(target)
    if job is not None and job.running:
        training_progress(job)
        return
    if job is not None and job.error:
        st.error(plain(f"The last quick training failed: {job.error}"))
    if training_running(target):
        st.info(f"A training of `{target}` is running in another process; reload this page when it has ended.")
        return
    if status is not None and status.current is not None:
        st.info(
            f"No {title_of(task.name).lower()} found in `{models_dir()}`. `make start` is training the default "
            f"{title_of(status.current).lower()} now, and trainings run one at a time: train this one "
            f"when it has finished, here or with\n\n`{train_command(task)}`"
        )
        return
    st.info(
        f"No {title_of(task.name).lower()} found in `{models_dir()}`. Train the default model with\n\n"
        f"`{train_command(task)}`\n\n(or run `make start`), or train a quick one here (3 epochs, a few minutes)."
    )
    if st.button(f"Train a quick {title_of(task.name).lower()}", key=f"train-{task.name}", type="primary"):
        training_progress(training_jobs().start(task.name, target))


@st.fragment(run_every=1.0)
def training_progress(job: TrainingJob) -> None:
    """The running job's progress, refreshed every second; the page reloads when it ends."""
    if not job.running:
        st.rerun(scope="app")
    done = job.epoch / job.epochs if job.epochs else 0.0
    text = f"Epoch {job.epoch} of at most {job.epochs} done" if job.epochs else "Preparing data and vocabulary..."
    st.info(f"A quick {title_of(job.task_name).lower()} is training (started in this or another session).")
    st.progress(min(done, 1.0), text=text)


def progress_text(status) -> str:
    """One line on the running default training: epochs, dev score, time left."""
    if status.epoch == 0:
        return "Preparing the data and running the first epoch..."
    parts = [f"Epoch {status.epoch} of at most {status.epochs} done"]
    if status.dev_score is not None:
        parts.append(f"dev {status.monitor.replace('_', ' ')} {status.dev_score:.4f}")
    if (minutes := status.minutes_left()) is not None:
        parts.append(f"at most {minutes:.1f} min left")
    return " · ".join(parts)


@st.fragment(run_every=2.0)
def default_training_progress(task_name: str) -> None:
    """The progress of `make start`'s training of `task_name`'s default model (or its
    place in the queue), refreshed every 2 s; the page reruns, loading the model, when
    that training has ended."""
    from app_pages.defaults import read_status

    status = read_status()
    state = status.state_of(task_name) if status else None
    if state not in ("training", "queued"):
        st.rerun(scope="app")
    title = title_of(task_name).lower()
    if state == "training":
        st.info(f"`make start` is training the default {title}; this page loads it when it lands.")
        st.progress(min(status.epoch / max(status.epochs, 1), 1.0), text=progress_text(status))
        return
    ahead = ", then the ".join(title_of(name).lower() for name in status.ahead_of(task_name))
    when = f"after the {ahead} (one at a time)" if ahead else "next"
    st.info(f"The default {title} is queued: `make start` trains it {when}; this page loads it when it lands.")


@st.fragment(run_every=2.0)
def default_trainings_banner() -> None:
    """On pages of every model (Batch, Models): what `make start` is training now, if
    anything; the page reruns when one of its models lands, so it shows up."""
    from app_pages.defaults import read_status

    status = read_status()
    if status is None:
        return
    landed = len(status.done)
    if st.session_state.setdefault("defaults-landed", landed) != landed:
        st.session_state["defaults-landed"] = landed
        st.rerun(scope="app")
    if status.current is not None:
        title = title_of(status.current).lower()
        st.info(f"`make start` is training the default {title}: {progress_text(status)}")
