"""What every page uses: the models folder, cached model loading, the model picker and
the "no model yet" panel that can train a quick default with a progress bar.

Models load once per process (`st.cache_resource`) and are shared, read-only, by
all sessions; the APIs are thread-safe.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import streamlit as st

from shared.bundle import BundleEntry, find_bundles
from shared.errors import UserError

TASKS = {"sentiment": "Sentiment classifier", "ner": "Entity tagger"}
TRAIN_COMMANDS = {
    "sentiment": "python -m sentiment.train --dataset sst --out models/sentiment",
    "ner": "python -m ner.train --dataset conll2003 --out models/ner",
}


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


@st.cache_resource(show_spinner="Loading the sentiment model...")
def load_sentiment(path: str):
    from sentiment import SentimentClassifier

    return SentimentClassifier.load(path)


@st.cache_resource(show_spinner="Loading the entity tagger...")
def load_tagger(path: str):
    from ner import EntityTagger

    return EntityTagger.load(path)


LOADERS = {"sentiment": load_sentiment, "ner": load_tagger}


def pick_bundle(task: str) -> BundleEntry | None:
    """The bundle of `task` chosen in the sidebar (newest first), or None when there is none."""
    entries = find_bundles(models_dir(), task)
    if not entries:
        return None
    if len(entries) == 1:
        return entries[0]
    names = [entry.path.name for entry in entries]
    chosen = st.sidebar.selectbox(f"{TASKS[task]} model", names, key=f"model-{task}")
    return entries[names.index(chosen)]


def model_or_stop(task: str):
    """The loaded API object of the chosen `task` model; without one, explain how to get
    one, offer to train the quick default, and stop the page."""
    entry = pick_bundle(task)
    if entry is not None:
        try:
            return LOADERS[task](str(entry.path))
        except UserError as error:
            st.error(f"Cannot load {entry.path}: {error}")
            st.stop()
    no_model_panel(task)
    st.stop()


def no_model_panel(task: str) -> None:
    target = models_dir() / ("sentiment" if task == "sentiment" else "ner")
    st.info(
        f"No {TASKS[task].lower()} found in `{models_dir()}`. Train the default model with\n\n"
        f"`{TRAIN_COMMANDS[task]}`\n\n(or run `make start`), or train a quick one here (3 epochs, a few minutes)."
    )
    if st.button(f"Train a quick {TASKS[task].lower()}", key=f"train-{task}", type="primary"):
        train_quick_model(task, target)
        st.rerun()


def train_quick_model(task: str, target: Path) -> None:
    """Train the quick default of `task` into `target`, with a progress bar per epoch."""
    if task == "sentiment":
        from sentiment.quickstart import ensure_default_model
    else:
        from ner.quickstart import ensure_default_model

    bar = st.progress(0.0, text="Preparing data and vocabulary...")

    def on_epoch(record: dict) -> None:
        done = record["epoch"] / record["epochs"]
        bar.progress(min(done, 1.0), text=f"Epoch {record['epoch']} of at most {record['epochs']} done")

    try:
        with st.spinner("Training..."):
            ensure_default_model(target, quick=True, on_epoch=on_epoch)
    except UserError as error:
        st.error(str(error))
        st.stop()
    bar.progress(1.0, text="Done")
