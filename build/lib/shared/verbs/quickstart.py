"""The quickstart verb: train the app's default model if there is none, then show it at work."""

from __future__ import annotations

from pathlib import Path

from shared.cli import make_parser
from shared.tasks import get_task

QUICK_EPOCHS = 3


def ensure_default_model(task, path: Path, *, quick: bool = False, seed: int = 42, on_epoch=None) -> Path:
    """Train `task`'s default model on its default dataset at `path`, unless a bundle is there.

    `quick` stops after QUICK_EPOCHS epochs (a few minutes) for a first look.
    """
    from shared.bundle import METADATA_FILE
    from shared.config import with_epochs
    from shared.trainer import dataset_source, train

    path = Path(path)
    if (path / METADATA_FILE).is_file():
        return path
    config = task.config_class()
    if quick:
        config = with_epochs(config, QUICK_EPOCHS)
    print(
        f"No {task.title.lower()} in {path}: training the default on {task.default_dataset} "
        f"(at most {config.training.epochs} epochs).",
        flush=True,
    )
    source = dataset_source(task, task.default_dataset, config)
    return train(task, source, config, path, seed=seed, on_epoch=on_epoch)


def command(task_name: str, doc: str | None):
    """The `main(argv)` of `python -m <task>.quickstart`."""

    def main(argv: list[str]) -> int:
        task = get_task(task_name)
        parser = make_parser(f"python -m {task.name}.quickstart", doc)
        parser.add_argument("texts", nargs="*", help=f"{task.noun} to read (default: a few examples)")
        parser.add_argument("--model", type=Path, default=Path("models") / task.name, help="bundle folder")
        args = parser.parse_args(argv)
        api = task.load(ensure_default_model(task, args.model))
        print()
        task.show(api, list(args.texts or task.examples))
        return 0

    return main
