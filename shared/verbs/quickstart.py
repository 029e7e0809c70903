"""The quickstart verb: train the app's default model if there is none, then show it at work."""

from __future__ import annotations

from pathlib import Path

from shared.cli import argument_parser
from shared.tasks import get_app
from shared.training import ensure_default_model


def command(app_name: str, doc: str | None):
    """The `main(argv)` of `python -m <app_name>.quickstart`."""

    def main(argv: list[str]) -> int:
        app = get_app(app_name)
        task = app.task
        parser = argument_parser(f"python -m {task.name}.quickstart", doc)
        parser.add_argument("texts", nargs="*", help=f"{app.presentation.noun} to read (default: a few examples)")
        parser.add_argument("--model", type=Path, default=Path("models") / task.name, help="bundle folder")
        args = parser.parse_args(argv)
        api = task.load(ensure_default_model(task, args.model))
        print()
        app.presentation.show(api, list(args.texts or app.presentation.examples))
        return 0

    return main
