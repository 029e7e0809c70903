"""A training run: everything a training does that is not the app's own.

Output check, training lock, work folder, seed, the epoch loop with checkpoints and
early stopping (`shared.training.loop`), final dev/test scores, metadata, the bundle
and the clean-up are done here; the app's `Task.prepare` supplies the model and its
data, `Task.evaluate` the scores. `ensure_default_model` trains an app's default model
where there is none (the quickstart verb, `make start` and the UI use it).
"""

from __future__ import annotations

import time
from pathlib import Path

from shared.config import check_seed, config_to_dict
from shared.datasets import dataset_fingerprint
from shared.errors import UserError
from shared.tasks import DataSource, Task, title_of
from shared.training.workdir import work_dir_for

QUICK_EPOCHS = 3  # a quick default model: a first look in a few minutes


def dataset_source(task: Task, name: str, config) -> DataSource:
    """A registered dataset's splits for `task` and its fingerprint for the bundle."""
    return DataSource(dataset_fingerprint(name), task.load_dataset(name, config))


def train(
    task: Task,
    source: DataSource,
    config,
    out: str | Path,
    *,
    seed: int = 42,
    resume: bool = False,
    on_epoch=None,
    distribution=None,
) -> Path:
    """Train `task`'s model on `source` with `config`, score it and save the bundle at `out`.

    Args:
        on_epoch: called after each epoch with its log record (see `train_loop`).
        distribution: a `shared.training.distribution.Distribution` (None: one process). A worker
            that is not the chief trains alongside and writes nothing.

    Raises:
        OutputError: `out` holds something that is not a bundle (checked before training).
        TrainingBusyError: another training is writing the same bundle.
    """
    from shared.bundle import check_bundle_target, save_bundle
    from shared.recorded_paths import paths_relative_to
    from shared.training.loop import LoopSettings, set_seed, train_loop, training_summary
    from shared.training.steps import step_runner
    from shared.training.workdir import PREPARED_DIR, has_checkpoint, remove_work_dir, start_work_dir, training_lock
    from shared.vectors import vectors_taken

    started = time.time()
    out = Path(out)
    check_seed(seed)
    run = {"config": config_to_dict(config), "data": source.description, "seed": seed}
    settings = LoopSettings(config.training.epochs, task.monitor, config.training.patience, seed, task.monitor_mode)
    steps = step_runner(distribution)
    if not steps.chief:
        train_alongside(task, source, config, out, run, settings, resume=resume, steps=steps)
        return out
    check_bundle_target(out)
    with training_lock(out):
        work_dir = start_work_dir(work_dir_for(out), resume)
        set_seed(seed)
        try:
            with steps.scope():
                fit = task.prepare(source.splits, config, work_dir / PREPARED_DIR, resume=resume, seed=seed)
        except UserError:
            if not resume:  # bad data found while preparing: leave nothing behind
                remove_work_dir(work_dir)
            raise
        for stage in fit.stages:
            train_stage(stage, work_dir, run, seed, resume=resume, on_epoch=on_epoch)
        model, state = train_loop(
            fit.model,
            fit.make_train_data,
            fit.evaluate_dev,
            settings,
            work_dir,
            run,
            resume=resume and has_checkpoint(work_dir),  # a run stopped in a stage starts its own model afresh
            on_epoch=on_epoch,
            steps=steps,
        )
        api = fit.finish(model)
        splits = source.splits
        calibration = {}
        if fit.calibrate is not None:
            api, calibration = fit.calibrate(api, splits.dev)
        metrics = {"dev": task.evaluate(api, splits.dev)}
        if splits.test is not None:
            metrics["test"] = task.evaluate(api, splits.test)
        taken = {**fit.taken, **vectors_taken(config.model)}  # every app's vectors, recorded here once
        metadata = {
            "task": task.name,
            **fit.metadata,
            "config": recorded_config(config, taken),
            **({"taken": taken} if taken else {}),
            **({"calibration": calibration} if calibration else {}),
            "dataset": paths_relative_to(source.description, out),
            "metrics": metrics,
            "training": {
                **training_summary(state, seed=seed, monitor=task.monitor_text, started=started, resumed=resume),
                **fit.facts,
                **steps.facts(),
            },
        }
        save_bundle(out, api.model, metadata, logs_dir=work_dir / "logs")
        remove_work_dir(work_dir)
    summary = "   ".join(f"{split} {report.headline()}" for split, report in metrics.items())
    print(f"Saved {out}   {summary}", flush=True)
    return out


def train_stage(stage, work_dir: Path, run: dict, seed: int, *, resume: bool, on_epoch=None) -> None:
    """Train `stage` (`shared.tasks.Stage`) by the epoch loop in its own folder of the work
    folder, its logs beside the run's (`logs/<stage>`); resume it from its checkpoint
    when the run resumes and it has one. Its best model goes to `stage.done`."""
    from shared.training.loop import LoopSettings, train_loop
    from shared.training.workdir import LOGS_DIR, STAGES_DIR, has_checkpoint

    folder = work_dir / STAGES_DIR / stage.name
    settings = LoopSettings(stage.epochs, stage.monitor, stage.epochs, seed, "max", reseed=False)
    model, state = train_loop(
        stage.model,
        stage.make_train_data,
        stage.evaluate_dev,
        settings,
        folder,
        run,
        resume=resume and has_checkpoint(folder),
        on_epoch=on_epoch,
        steps=stage.steps,
        logs_dir=work_dir / LOGS_DIR / stage.name,
        stage=stage.name,
    )
    stage.done(model, state.history)


def recorded_config(config, taken: dict) -> dict:
    """The config as a bundle records it: each field that named a bundle the model took
    holds that bundle's reference (its name and checksum), not a path of this machine."""
    recorded = config_to_dict(config)
    fields = getattr(type(config), "TAKEN_FIELDS", {})  # where a taken bundle's path is, when not model.<name>
    for name, record in taken.items():
        *sections, field = fields.get(name, f"model.{name}").split(".")
        holder = recorded
        for section in sections:
            holder = holder[section]
        holder[field] = record["reference"]
    return recorded


def train_alongside(task: Task, source: DataSource, config, out: Path, run: dict, settings, *, resume, steps):
    """A worker's part in a distributed run that is not the chief's: the same model and
    data, trained in step with the chief (resuming from its checkpoint), and nothing
    written but a private folder that is removed at the end."""
    import tempfile

    from shared.training.loop import set_seed, train_loop
    from shared.training.workdir import CHECKPOINT_DIR, PREPARED_DIR

    with tempfile.TemporaryDirectory(prefix="rnntext-worker-") as private:
        set_seed(settings.seed)
        with steps.scope():
            # A fresh vocabulary: built from the same data, it is the chief's.
            fit = task.prepare(source.splits, config, Path(private, PREPARED_DIR), resume=False, seed=settings.seed)
        train_loop(
            fit.model,
            fit.make_train_data,
            fit.evaluate_dev,
            settings,
            private,
            run,
            resume=resume,
            steps=steps,
            checkpoint_dir=work_dir_for(out) / CHECKPOINT_DIR,
        )


def ensure_default_model(task, path: Path, *, quick: bool = False, seed: int = 42, on_epoch=None) -> Path:
    """Train `task`'s default model on its default dataset at `path`, unless a bundle is there.

    `quick` stops after QUICK_EPOCHS epochs (a few minutes) for a first look.
    """
    from shared.bundle import METADATA_FILE
    from shared.config import with_epochs

    path = Path(path)
    if (path / METADATA_FILE).is_file():
        return path
    config = task.config_class()
    if quick:
        config = with_epochs(config, QUICK_EPOCHS)
    print(
        f"No {title_of(task.name).lower()} in {path}: training the default on {task.default_dataset} "
        f"(at most {config.training.epochs} epochs).",
        flush=True,
    )
    source = dataset_source(task, task.default_dataset, config)
    return train(task, source, config, path, seed=seed, on_epoch=on_epoch)
