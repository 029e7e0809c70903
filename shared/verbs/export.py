"""The export verb: a bundle as a TF SavedModel whose `serving_default` takes raw strings, or
(`--format onnx`) as an ONNX core and its text rules for `rnntext_runtime`."""

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
            "  saved_model_cli show --dir OUT --tag_set serve --signature_def serving_default\n\n"
            "Without TensorFlow (numpy and onnxruntime only):\n"
            f"  python -m {task.name}.export --model models/{task.name} --format onnx --out exported/{task.name}-onnx\n"
            f"  then in Python: rnntext_runtime.load('exported/{task.name}-onnx').predict(texts)"
        )
        parser = argument_parser(f"python -m {task.name}.export", f"{doc.rstrip()}\n\n{usage}")
        add_model_argument(parser, task)
        parser.add_argument("--out", type=Path, required=True, help="the folder to write")
        parser.add_argument(
            "--format",
            choices=("saved_model", "onnx"),
            default="saved_model",
            help="saved_model (default): a TF SavedModel taking raw strings; onnx: model.onnx (the numeric "
            "core) and rules.json (text rules, vocabularies, labels) for rnntext_runtime",
        )
        args = parser.parse_args(argv)
        api = task.load(args.model)
        if args.format == "onnx":
            export.export_portable(api, args.out)
            print(f"Exported ONNX model to {args.out} (load it with rnntext_runtime.load)")
            return 0
        export.export_model(api, args.out)
        print(f"Exported SavedModel to {args.out} (signature serving_default: {task.serving(api).description})")
        return 0

    return main


__getattr__ = moved_names(__name__, {"export_model": "shared.export"})
