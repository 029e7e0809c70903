"""The predict verb: texts as arguments or a .csv, .jsonl or plain text file in; CSV or
JSONL out, every row kept in order.

A blank text keeps its row with empty results and is counted in the summary;
`--strict` makes it an error instead. CSV cells that a spreadsheet would run as a
formula are prefixed with an apostrophe unless `--keep-formulas`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from shared.cli import make_parser
from shared.errors import DataError
from shared.inputs import Row, argument_rows, file_rows, iter_csv, output_stream
from shared.results import write_scored
from shared.tasks import get_task
from shared.verbs import add_model_argument

FORMATS = {".csv": "csv", ".jsonl": "jsonl"}


def read_rows(path: Path, text_col: str) -> tuple[list[str], Iterator[Row]]:
    """The columns to carry over and an iterator of (row number, row, text) for `path`."""
    if path.suffix.lower() == ".csv" and path.is_file():
        rows = iter_csv(path, [text_col])
        columns = next(rows)
        return columns, ((number, row, row[text_col] or "") for number, row in enumerate(rows, start=2))
    return [text_col], file_rows(path, text_col)


def output_format(path: Path | None, default: str) -> str:
    """ "csv" or "jsonl" from the output file's suffix, else the task's `default`."""
    return FORMATS.get(path.suffix.lower(), default) if path is not None else default


def build_parser(task, doc: str | None):
    parser = make_parser(f"python -m {task.name}.predict", doc)
    add_model_argument(parser, task)
    parser.add_argument("texts", nargs="*", help=f"{task.noun} to read")
    parser.add_argument("--input", type=Path, help="a .csv, .jsonl or plain text file (one text per line)")
    parser.add_argument("--text-col", default="text", help="text column or JSON key (default: text)")
    parser.add_argument(
        "--output",
        type=Path,
        help=f"file to write, .csv or .jsonl (default: standard output, {task.output_format.upper()})",
    )
    parser.add_argument(
        "--strict", action="store_true", help="stop at the first blank text (default: keep its row unscored)"
    )
    parser.add_argument(
        "--keep-formulas",
        action="store_true",
        help="write CSV cells that start with = + - @ unchanged (default: prefix them with ' for spreadsheets)",
    )
    return parser


def command(task_name: str, doc: str | None):
    """The `main(argv)` of `python -m <task>.predict`."""

    def main(argv: list[str]) -> int:
        task = get_task(task_name)
        args = build_parser(task, doc).parse_args(argv)
        if bool(args.texts) == bool(args.input):
            raise DataError("give texts as arguments or one --input file (not both, not neither)")
        if args.input:
            columns, rows = read_rows(args.input, args.text_col)
            source = str(args.input)
        else:
            columns, rows, source = [args.text_col], argument_rows(args.texts, args.text_col), "argument"
        api = task.load(args.model)
        with output_stream(args.output) as out:
            summary = write_scored(
                task,
                api,
                columns,
                rows,
                out,
                output_format=output_format(args.output, task.output_format),
                strict=args.strict,
                keep_formulas=args.keep_formulas,
                source=source,
            )
        if args.output is not None or summary.blank:
            print(summary.describe(str(args.output or "standard output")), file=sys.stderr)
        return 0

    return main
