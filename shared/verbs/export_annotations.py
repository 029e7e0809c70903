"""The export_annotations verb: an annotation file in the app's usual training format."""

from __future__ import annotations

import sys
from pathlib import Path

from shared.cli import argument_parser
from shared.errors import DataError
from shared.outputs import check_distinct, check_new_file
from shared.tasks import get_app


def command(app_name: str, doc: str | None):
    """The `main(argv)` of `python -m <app_name>.export_annotations` (an app with annotation)."""

    def main(argv: list[str]) -> int:
        app = get_app(app_name)
        annotation = app.needs("annotation", f"{app_name}.export_annotations")
        parser = argument_parser(f"python -m {app_name}.export_annotations", doc)
        parser.add_argument("--input", type=Path, required=True, metavar="FILE.jsonl", help="an annotation file")
        parser.add_argument(
            "--out", type=Path, required=True, metavar=f"FILE{annotation.export_format}", help="the new file to write"
        )
        args = parser.parse_args(argv)
        if not args.input.is_file():
            raise DataError(f"{args.input}: file not found")
        check_distinct({"--input": args.input, "--out": args.out})
        check_new_file(args.out, "--out")
        count = annotation.write_export(args.input, args.out)
        print(f"Wrote {count} labelled {app.presentation.noun} to {args.out}", file=sys.stderr)
        return 0

    return main
