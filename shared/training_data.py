"""Training data as a bundle records it, and read again.

A bundle records where its training data came from: a registered dataset by name and
checksums, or the user's files and annotation files by name, checksum and path. The
paths are stored relative to the bundle folder (`shared.recorded_paths`), so no path of
the training machine is in a bundle anyone is given, and the data is still found from
any working folder, and after the bundle and its data moved together. `evaluate
--baseline`, the Errors page and retraining on the Annotate page read the data again
(`recorded_training_source`), refusing any whose checksums changed.
"""

from __future__ import annotations

from pathlib import Path

from shared.errors import DataError
from shared.recorded_paths import paths_resolved, without_paths
from shared.tasks import DataSource


def annotations_source(annotation, path: Path, seed: int, size: int | None = None) -> DataSource:
    """The DataSource of an annotation file alone (`--annotations`; its first `size` bytes
    when given), read by an app's `shared.capabilities.Annotation`."""
    from shared.annotations import annotation_record

    examples = annotation.examples(path, size)
    description = {"name": Path(path).name, "annotations": [annotation_record(path, len(examples), size)]}
    return DataSource(description, annotation.held_out(examples, seed))


def with_extra(annotation, source: DataSource, paths: list[Path], sizes: list[int | None] | None = None) -> DataSource:
    """`source` with the labelled decisions of each annotation file of `paths` (the first
    of `sizes` bytes of each, when given) added to its training split, and recorded
    (name, path, size, checksum, count) under "extra"."""
    from shared.annotations import annotation_record

    sizes = sizes or [None] * len(paths)
    extra = [annotation.examples(path, size) for path, size in zip(paths, sizes)]
    records = [annotation_record(path, len(examples), size) for path, examples, size in zip(paths, extra, sizes)]
    description = {**source.description, "extra": [*source.description.get("extra", []), *records]}
    return DataSource(description, annotation.with_examples(source.splits, extra))


def trained_on_alone(api, path: Path) -> bool:
    """Whether `api`'s bundle was trained on the annotation file at `path` alone (`--annotations`)."""
    recorded = paths_resolved(api.metadata.get("dataset") or {}, Path(api.path)).get("annotations") or []
    return any(Path(entry.get("path", "")).resolve() == Path(path).resolve() for entry in recorded)


def _recorded_file(entry: dict, bundle: Path) -> tuple[Path, int | None]:
    """(path, size) of an annotation file a bundle records; DataError when it cannot be
    read again as it was."""
    from shared.annotations import recorded_version_problem

    if "path" not in entry:
        raise DataError(
            f"{bundle}: it records the annotation file {entry.get('name')!r} by name only (it was trained before "
            "bundles recorded where annotation files are); train it again to compare or retrain it"
        )
    path = Path(entry["path"])
    if (problem := recorded_version_problem(entry, path)) is not None:
        raise DataError(f"{bundle}: its training data cannot be read again as it was: {problem}")
    return path, entry.get("bytes")


def recorded_training_source(app, api, *, leave_out: Path | None = None) -> DataSource:
    """The training data `api`'s bundle was trained on, read again as its training read
    it (a registered dataset, the files it records with the same dev held out, and each
    annotation file as it was then), less the annotation file `leave_out` (which a
    retraining adds again whole). `app` is its `shared.tasks.App`. DataError when any of
    it is gone or changed."""
    from shared.config import config_of_record
    from shared.training import dataset_source

    task, meta, bundle = app.task, api.metadata, Path(api.path)
    recorded = paths_resolved(meta.get("dataset") or {}, bundle)
    config = config_of_record(task.config_class, meta["config"])
    seed = meta["training"]["seed"]
    if "annotations" in recorded:
        path, size = _recorded_file(recorded["annotations"][0], bundle)
        source = annotations_source(app.needs("annotation", "reading its annotation file again"), path, seed, size)
    elif "files" in recorded and app.files is not None:
        base = {key: value for key, value in recorded.items() if key != "extra"}
        source = app.files.read_training_files(app.files.recorded_arguments(base), config, seed)
    elif recorded.get("name") in task.datasets:
        source = dataset_source(task, recorded["name"], config)
    else:
        raise DataError(f"{bundle}: the bundle records no training data that can be read again")
    extras = [_recorded_file(entry, bundle) for entry in recorded.get("extra", [])]
    gone = leave_out.resolve() if leave_out is not None else None
    kept = [(path, size) for path, size in extras if path.resolve() != gone]
    if kept:
        source = with_extra(app.annotation, source, [path for path, _ in kept], [size for _, size in kept])
    expected = {**recorded, "extra": [e for e in recorded.get("extra", []) if Path(e["path"]).resolve() != gone]}
    if not expected["extra"]:
        del expected["extra"]
    if without_paths(source.description) != without_paths(expected):
        raise DataError(
            f"{bundle}: its training data has changed since it was trained (the checksums differ); "
            "a baseline is only compared on the same data"
        )
    return source
