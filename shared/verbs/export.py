"""The export verb: a bundle as a TF SavedModel whose `serving_default` takes raw strings."""

from __future__ import annotations

from pathlib import Path

from shared import export
from shared.cli import argument_parser
from shared.deprecation import moved_names
from shared.tasks import get_task
from shared.verbs import add_model_argument


def command(app_name: str, doc: str | None):
    """The `main(argv)` of `python -m <task>.export`."""

    def main(argv: list[str]) -> int:
        task = get_task(app_name)
        usage = (
            f"Example:\n  python -m {task.name}.export --model models/{task.name} --out exported/{task.name}\n\n"
            "Inspect the result with:\n"
            "  saved_model_cli show --dir OUT --tag_set serve --signature_def serving_default"
        )
        parser = argument_parser(f"python -m {task.name}.export", f"{doc.rstrip()}\n\n{usage}")
        add_model_argument(parser, task)
        parser.add_argument("--out", type=Path, required=True, help="SavedModel folder to write")
        args = parser.parse_args(argv)
        api = task.load(args.model)
        export.export_model(api, args.out)
        print(f"Exported SavedModel to {args.out} (signature serving_default: {task.serving(api).description})")
        return 0

    return main


__getattr__ = moved_names(__name__, {"export_model": "shared.export"})
