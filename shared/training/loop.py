"""The epoch loop every app's training runs: seeding, per-epoch checkpoints, exact
`--resume`, early stopping on a dev metric, CSV and TensorBoard logs and progress output.

The loop runs one epoch at a time through a step runner (`shared.training.steps`:
Keras `fit` in one process, or the custom step under a tf.distribute strategy), with the
random state reseeded from (seed, epoch), so a run resumed from its last checkpoint
continues exactly as an uninterrupted run would. A stage that keeps its layers' random
streams running across epochs (`LoopSettings.reseed` False: a tree model's parser, as
it always trained) has them saved with each checkpoint instead, and resumes as exactly.
After each epoch the full state (model with optimizer, best weights, counters, history)
is written as one folder swapped in atomically.
"""

from __future__ import annotations

import csv
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from shared.errors import UserError
from shared.files import atomic_path
from shared.training.workdir import (
    BEST_WEIGHTS,
    CHECKPOINT,
    CHECKPOINT_DIR,
    HISTORY_CSV,
    LAST_MODEL,
    LOGS_DIR,
    STATE_FILE,
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
    seed_states: list[list[int]] | None = None  # the layers' random streams, when not reseeded

    def note(self, epoch: int, record: dict, value: float, mode: str) -> bool:
        """Count `epoch` (its log `record`, its dev `value` of the monitor, better when
        higher or, with `mode` "min", lower); whether it is the best so far."""
        improved = self.best_value is None or (value < self.best_value if mode == "min" else value > self.best_value)
        if improved:
            self.best_value, self.best_epoch, self.wait = float(value), epoch, 0
        else:
            self.wait += 1
        self.epoch = epoch
        self.history.append(record)
        return improved


@dataclass(frozen=True)
class LoopSettings:
    """How to run the loop: epochs, the dev metric to follow (`mode` "max" or "min": which
    way is better), patience, and whether each epoch reseeds the random state (else the
    layers' random streams run on and are saved with each checkpoint)."""

    epochs: int
    monitor: str
    patience: int
    seed: int
    mode: str = "max"
    reseed: bool = True


def train_loop(
    model,
    make_train_data: Callable[[int], object],
    evaluate_dev: Callable[[object], dict],
    settings: LoopSettings,
    work_dir: str | Path,
    run: dict,
    *,
    resume: bool = False,
    on_epoch: Callable[[dict], None] | None = None,
    steps=None,
    checkpoint_dir: str | Path | None = None,
    logs_dir: str | Path | None = None,
    stage: str | None = None,
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
        on_epoch: called after each epoch with its log record (epoch, losses, dev
            metrics, seconds) and "epochs", e.g. to drive a progress bar.
        steps: the step runner (`shared.training.steps`; default: `fit` in this
            process). Under a strategy every worker runs this loop; only the chief writes.
        checkpoint_dir: where the checkpoint is (default: `work_dir/checkpoint`); a
            worker that is not the chief resumes from the chief's.
        logs_dir: where the logs go (default: `work_dir/logs`).
        stage: the name of the stage this loop trains (`shared.tasks.Stage`), in each
            record and printed line; None for the run's own model.

    Returns:
        (model, state): the model holding the best dev weights, and the final state.
    """
    from shared.training.steps import OneProcess

    steps = steps or OneProcess()
    work_dir = Path(work_dir)
    checkpoint = Path(checkpoint_dir) if checkpoint_dir is not None else work_dir / CHECKPOINT_DIR
    logs = Path(logs_dir) if logs_dir is not None else work_dir / LOGS_DIR
    say = print if steps.chief else _quiet
    named = f"{stage[0].upper()}{stage[1:]} " if stage else ""
    if resume:
        with steps.scope():
            model, state = _resumed(checkpoint, run)
        say(f"Resuming after epoch {state.epoch + 1} (best {settings.monitor} {state.best_value})", flush=True)
    else:
        state = TrainingState(run=run)
    logs.mkdir(parents=True, exist_ok=True)
    writer = _tensorboard_writer(logs) if steps.chief else None
    steps.start(model)
    for epoch in range(state.epoch + 1, settings.epochs):
        if state.wait >= settings.patience:
            break
        if settings.reseed:
            _reseed(model, settings.seed * 1000 + epoch)
        started = time.time()
        say(f"{named}{'epoch' if named else 'Epoch'} {epoch + 1}/{settings.epochs}", flush=True)
        losses, progress = steps.run_epoch(model, make_train_data(epoch))
        if progress:
            say(progress, flush=True)
        dev = evaluate_dev(model)
        record = {
            **({"stage": stage} if stage else {}),
            "epoch": epoch + 1,
            **{key: float(value) for key, value in losses.items()},
            **{f"dev_{key}": float(value) for key, value in dev.items()},
            "seconds": round(time.time() - started, 1),
        }
        improved = state.note(epoch, record, dev[settings.monitor], settings.mode)
        if not steps.chief:
            continue
        if not settings.reseed:
            state.seed_states = _seed_states(model)
        _save_checkpoint(checkpoint, model, state, improved)
        _append_logs(logs, record, writer)
        if on_epoch is not None:
            on_epoch({**record, "epochs": settings.epochs})
        print(_dev_line(settings.monitor, dev, improved, state.wait, record["seconds"]), flush=True)
    if state.wait >= settings.patience:
        say(f"Early stopping: no {settings.monitor} gain for {state.wait} epochs", flush=True)
    if not steps.chief:
        return model, state
    model = steps.final_model(model, lambda: _load_checkpoint(checkpoint, run)[0])
    if (checkpoint / BEST_WEIGHTS).is_file():
        model.load_weights(checkpoint / BEST_WEIGHTS)
    return model, state


def _resumed(checkpoint: Path, run: dict) -> tuple[object, TrainingState]:
    """The model and state of the checkpoint to resume from, the layers' random streams
    as they were when the stage keeps them running (`LoopSettings.reseed` False)."""
    model, state = _load_checkpoint(checkpoint, run)
    if state.seed_states is not None:
        _set_seed_states(model, state.seed_states)
    state.seconds_before_resume = sum(record["seconds"] for record in state.history)
    return model, state


def _dev_line(monitor: str, dev: dict, improved: bool, wait: int, seconds: float) -> str:
    """An epoch's dev scores for a person, the monitored one first."""
    mark = " (best)" if improved else f" (no gain for {wait})"
    others = "   ".join(f"{key} {value:.4f}" for key, value in dev.items() if key != monitor)
    return f"  dev {monitor} {dev[monitor]:.4f}{mark}   {others}   {seconds:.0f}s"


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
    for index, state in enumerate(_seed_generator_states(model)):
        state.assign(np.array([seed + index, 0], dtype=state.dtype))


def _seed_generator_states(model) -> list:
    return [variable for variable in model.variables if variable.name == "seed_generator_state"]


def _seed_states(model) -> list[list[int]]:
    """Where each of `model`'s layers' random streams stands (not saved with a model)."""
    return [[int(value) for value in state.numpy()] for state in _seed_generator_states(model)]


def _set_seed_states(model, states: list[list[int]]) -> None:
    import numpy as np

    for variable, values in zip(_seed_generator_states(model), states, strict=True):
        variable.assign(np.array(values, dtype=variable.dtype))


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
            if key not in ("epoch", "stage"):
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


def _load_checkpoint(folder: Path, run: dict) -> tuple[object, TrainingState]:
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
