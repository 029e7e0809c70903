"""The training loop every app uses: seeding, per-epoch checkpoints, `--resume`,
early stopping on a dev metric, CSV and TensorBoard logs and progress output.

The loop runs one `fit` call per epoch with the random state reseeded from
(seed, epoch), so a run resumed from its last checkpoint continues exactly as an
uninterrupted run would. After each epoch the full state (model with optimizer,
best weights, counters, history) is written as one folder swapped in atomically.
"""

from __future__ import annotations

import contextlib
import csv
import json
import shutil
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from shared.errors import TrainingBusyError, UserError
from shared.files import FolderKind, atomic_path, check_replaceable

CHECKPOINT_DIR = "checkpoint"
LOGS_DIR = "logs"
LAST_MODEL = "last.keras"
BEST_WEIGHTS = "best.weights.h5"
STATE_FILE = "state.json"
RUN_FILE = "TRAINING"
HISTORY_CSV = "training.csv"
PREPARED_DIR = "prepared"  # what an app derives from the data and needs again to resume (a vocabulary)
CHECKPOINT = FolderKind("a training checkpoint", STATE_FILE, frozenset({LAST_MODEL, BEST_WEIGHTS, STATE_FILE}))
WORK_FOLDER = FolderKind(
    "a training work folder", RUN_FILE, frozenset({RUN_FILE, CHECKPOINT_DIR, LOGS_DIR, PREPARED_DIR})
)


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and the backend in one call."""
    import keras

    keras.utils.set_random_seed(seed)


@dataclass
class TrainingState:
    """What a checkpoint remembers besides the weights."""

    run: dict
    epoch: int = -1
    best_value: float | None = None
    best_epoch: int = -1
    wait: int = 0
    history: list[dict] = field(default_factory=list)
    seconds_before_resume: float = 0.0  # epoch time spent by the interrupted runs


@dataclass(frozen=True)
class LoopSettings:
    """How to run the loop: epochs, the dev metric to follow (`mode` "max" or "min": which
    way is better) and patience."""

    epochs: int
    monitor: str
    patience: int
    seed: int
    mode: str = "max"


def train_loop(
    model,
    make_train_data: Callable[[int], object],
    evaluate_dev: Callable[[object], dict],
    settings: LoopSettings,
    work_dir: str | Path,
    run: dict,
    *,
    resume: bool = False,
    restore_objects: Callable[[], None] | None = None,
    on_epoch: Callable[[dict], None] | None = None,
    distribution=None,
    checkpoint_dir: str | Path | None = None,
):
    """Train `model` epoch by epoch and return it with the best dev weights restored.

    Args:
        model: a compiled Keras model (ignored when resuming; the checkpoint's is used).
        make_train_data: epoch -> training dataset for that epoch (shuffled from the seed).
        evaluate_dev: model -> dict of dev metrics; must contain `settings.monitor`.
        settings: epochs, monitored metric and which way is better, patience, seed.
        work_dir: folder for `checkpoint/` and `logs/`.
        run: JSON-ready description of the run (config, data); a resumed run must match.
        resume: continue from `work_dir/checkpoint` instead of starting afresh.
        restore_objects: called before loading a checkpoint (imports custom layers).
        on_epoch: called after each epoch with its log record (epoch, losses, dev
            metrics, seconds) and "epochs", e.g. to drive a progress bar.
        distribution: a `shared.distributed.Distribution` to train under (None: `fit`
            in this process). Every worker runs this loop; only the chief writes.
        checkpoint_dir: where the checkpoint is (default: `work_dir/checkpoint`); a
            worker that is not the chief resumes from the chief's.

    Returns:
        (model, state): the model holding the best dev weights, and the final state.
    """

    from shared.distributed import distributed_epoch, make_train_step, scope

    work_dir = Path(work_dir)
    checkpoint = Path(checkpoint_dir) if checkpoint_dir is not None else work_dir / CHECKPOINT_DIR
    logs = work_dir / LOGS_DIR
    chief = distribution is None or distribution.chief
    say = print if chief else _quiet
    if resume:
        with scope(distribution):
            model, state = _load_checkpoint(checkpoint, run, restore_objects)
        state.seconds_before_resume = sum(record["seconds"] for record in state.history)
        say(f"Resuming after epoch {state.epoch + 1} (best {settings.monitor} {state.best_value})", flush=True)
    else:
        state = TrainingState(run=run)
    logs.mkdir(parents=True, exist_ok=True)
    writer = _tensorboard_writer(logs) if chief else None
    verbose = 1 if sys.stdout.isatty() else 2
    step = make_train_step(distribution.strategy, model) if distribution else None
    for epoch in range(state.epoch + 1, settings.epochs):
        if state.wait >= settings.patience:
            break
        _reseed(model, settings.seed * 1000 + epoch)
        started = time.time()
        say(f"Epoch {epoch + 1}/{settings.epochs}", flush=True)
        if distribution is not None:
            losses = distributed_epoch(distribution, model, make_train_data(epoch), step)
            say(f"  loss {losses['loss']:.4f} ({distribution.replicas} replicas)", flush=True)
        else:
            with warnings.catch_warnings():
                # Each epoch is one pass over a finite dataset; Keras warns when it ends.
                warnings.filterwarnings("ignore", message=".*ran out of data.*")
                fit = model.fit(make_train_data(epoch), epochs=1, shuffle=False, verbose=verbose)
            losses = {key: values[-1] for key, values in fit.history.items()}
        dev = evaluate_dev(model)
        record = {
            "epoch": epoch + 1,
            **{key: float(value) for key, value in losses.items()},
            **{f"dev_{key}": float(value) for key, value in dev.items()},
            "seconds": round(time.time() - started, 1),
        }
        value = dev[settings.monitor]
        improved = state.best_value is None or (
            value < state.best_value if settings.mode == "min" else value > state.best_value
        )
        if improved:
            state.best_value, state.best_epoch, state.wait = float(value), epoch, 0
        else:
            state.wait += 1
        state.epoch = epoch
        state.history.append(record)
        if not chief:
            continue
        _save_checkpoint(checkpoint, model, state, improved)
        _append_logs(logs, record, writer)
        if on_epoch is not None:
            on_epoch({**record, "epochs": settings.epochs})
        mark = " (best)" if improved else f" (no gain for {state.wait})"
        print(
            f"  dev {settings.monitor} {value:.4f}{mark}   "
            + "   ".join(f"{key} {val:.4f}" for key, val in dev.items() if key != settings.monitor)
            + f"   {record['seconds']:.0f}s",
            flush=True,
        )
    if state.wait >= settings.patience:
        say(f"Early stopping: no {settings.monitor} gain for {state.wait} epochs", flush=True)
    if not chief:
        return model, state
    if distribution is not None:
        # The bundle gets a model of its own, outside the strategy: the last checkpoint's.
        model = _load_checkpoint(checkpoint, run, restore_objects)[0]
    if (checkpoint / BEST_WEIGHTS).is_file():
        model.load_weights(checkpoint / BEST_WEIGHTS)
    return model, state


def _quiet(*args, **kwargs) -> None:
    """What a worker that is not the chief prints: nothing (the chief speaks for the run)."""


def _reseed(model, seed: int) -> None:
    """Seed the global RNG and every layer's own generator (dropout) for this epoch.

    Layer seed generators are not saved with a model, so without this a resumed
    run would draw other dropout masks than the uninterrupted one.
    """
    import keras
    import numpy as np

    keras.utils.set_random_seed(seed)
    states = [v for v in model.variables if v.name == "seed_generator_state"]
    for index, state in enumerate(states):
        state.assign(np.array([seed + index, 0], dtype=state.dtype))


def _tensorboard_writer(logs: Path):
    import tensorflow as tf

    return tf.summary.create_file_writer(str(logs / "tensorboard"))


def _append_logs(logs: Path, record: dict, writer) -> None:
    import tensorflow as tf

    path = logs / HISTORY_CSV
    new = not path.exists()
    with open(path, "a", newline="", encoding="utf-8") as handle:
        out = csv.DictWriter(handle, fieldnames=list(record))
        if new:
            out.writeheader()
        out.writerow(record)
    with writer.as_default():
        for key, value in record.items():
            if key != "epoch":
                tf.summary.scalar(key, value, step=record["epoch"])
    writer.flush()


def _save_checkpoint(folder: Path, model, state: TrainingState, improved: bool) -> None:
    with atomic_path(folder, is_dir=True, kind=CHECKPOINT) as staging:
        model.save(staging / LAST_MODEL)
        if improved:
            model.save_weights(staging / BEST_WEIGHTS)
        elif (folder / BEST_WEIGHTS).is_file():
            shutil.copy2(folder / BEST_WEIGHTS, staging / BEST_WEIGHTS)
        (staging / STATE_FILE).write_text(json.dumps(asdict(state), indent=2), encoding="utf-8")


def _load_checkpoint(folder: Path, run: dict, restore_objects) -> tuple[object, TrainingState]:
    import keras

    state_path = folder / STATE_FILE
    if not state_path.is_file() or not (folder / LAST_MODEL).is_file():
        raise UserError(f"nothing to resume: no checkpoint in {folder}")
    try:
        state = TrainingState(**json.loads(state_path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as error:
        raise UserError(f"{state_path}: unreadable checkpoint state ({error})") from None
    if state.run != json.loads(json.dumps(run)):
        raise UserError(
            f"{folder}: the interrupted run used other settings or data; rerun its exact command with --resume"
        )
    if restore_objects is not None:
        restore_objects()
    model = keras.saving.load_model(folder / LAST_MODEL, safe_mode=True)
    return model, state


def training_summary(state: TrainingState, *, seed: int, monitor: str, started: float, resumed: bool) -> dict:
    """What a bundle's metadata records about its training run.

    "seconds" is this run's wall time plus, after a resume, the epochs of the
    interrupted runs (their set-up time and any unfinished epoch are not counted).
    """
    return {
        "seed": seed,
        "epochs_run": state.epoch + 1,
        "best_epoch": state.best_epoch + 1,
        "monitor": monitor,
        "seconds": round(time.time() - started + state.seconds_before_resume, 1),
        "resumed": resumed,
    }


def start_work_dir(work_dir: str | Path, resume: bool) -> Path:
    """Create a fresh work folder, or check that a resumable one exists."""
    work_dir = Path(work_dir)
    if resume:
        if not (work_dir / CHECKPOINT_DIR / STATE_FILE).is_file():
            raise UserError(f"nothing to resume: no checkpoint in {work_dir / CHECKPOINT_DIR}")
        return work_dir
    if work_dir.exists():
        check_replaceable(work_dir, WORK_FOLDER)
        shutil.rmtree(work_dir)
    (work_dir / PREPARED_DIR).mkdir(parents=True)
    (work_dir / RUN_FILE).write_text("training work folder; removed when the run ends\n", encoding="utf-8")
    return work_dir


def remove_work_dir(work_dir: str | Path) -> None:
    """Delete a finished run's work folder (its logs were copied into the bundle)."""
    shutil.rmtree(work_dir, ignore_errors=True)


def _lock_path(out: Path) -> Path:
    return out.with_name(f".{out.name}.training.lock")


@contextlib.contextmanager
def training_lock(out: str | Path):
    """Hold, for the block, the right to train bundle `out`: one training at a time.

    The lock is an OS file lock (flock) on a hidden file beside `out`, so it holds
    across threads (two UI visitors) and processes (a CLI and the UI), and the OS
    releases it when a process dies. The file is removed when the block ends.

    Raises:
        TrainingBusyError: another training holds it.
    """
    import fcntl

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(_lock_path(out), "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise TrainingBusyError(f"{out}: another training is writing this model; wait until it ends") from None
        try:
            yield
        finally:
            # Removed while still held: a process that opened it before waits on this
            # file and fails as busy; one that opens it later makes a new one.
            _lock_path(out).unlink(missing_ok=True)
            fcntl.flock(handle, fcntl.LOCK_UN)


def training_running(out: str | Path) -> bool:
    """Whether some training holds `training_lock(out)` now."""
    if not _lock_path(Path(out)).is_file():
        return False
    try:
        with training_lock(out):
            return False
    except TrainingBusyError:
        return True
