"""The predict verb: texts as arguments or a .csv, .jsonl or plain text file in; CSV or
JSONL out, every row kept in order.

A blank text keeps its row with empty results and is counted in the summary;
`--strict` makes it an error instead. CSV cells that a spreadsheet would run as a
formula are prefixed with an apostrophe unless `--keep-formulas`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from shared.cli import argument_parser, positive_int
from shared.deprecation import moved_names
from shared.errors import DataError
from shared.inputs import argument_rows, output_stream, read_rows
from shared.results import write_scored
from shared.tasks import get_app, get_task
from shared.verbs import add_model_argument

FORMATS = {".csv": "csv", ".jsonl": "jsonl"}


def output_format(path: Path | None, default: str) -> str:
    """ "csv" or "jsonl" from the output file's suffix, else the task's `default`."""
    return FORMATS.get(path.suffix.lower(), default) if path is not None else default


def predict_arguments(task, doc: str | None):
    parser = argument_parser(f"python -m {task.name}.predict", doc)
    add_model_argument(parser, task)
    parser.add_argument("texts", nargs="*", help=f"{get_app(task.name).presentation.noun} to read")
    parser.add_argument(
        "--input",
        help="a .csv, .jsonl, .parquet or plain text file (one text per line); with --engine ray also "
        "a folder, a glob or a URI (s3://, gs://, hdfs://)",
    )
    parser.add_argument("--text-col", default="text", help="text column or JSON key (default: text)")
    parser.add_argument(
        "--output",
        help=f"file to write, .csv or .jsonl (default: standard output, {task.output_format.upper()}); "
        "with --engine ray, the folder for the part files",
    )
    parser.add_argument(
        "--strict", action="store_true", help="stop at the first blank text (default: keep its row unscored)"
    )
    parser.add_argument(
        "--keep-formulas",
        action="store_true",
        help="write CSV cells that start with = + - @ unchanged (default: prefix them with ' for spreadsheets)",
    )
    cluster = parser.add_argument_group("scoring on a Ray cluster")
    cluster.add_argument(
        "--engine",
        choices=("local", "ray"),
        default="local",
        help="local: this process (default); ray: Ray Data, one model per worker, part files in --output",
    )
    cluster.add_argument("--address", help="Ray cluster to use (default: $RAY_ADDRESS, else an embedded local one)")
    cluster.add_argument("--workers", type=positive_int, help="scoring workers (default: one per CPU)")
    cluster.add_argument(
        "--rows-per-part", type=positive_int, default=8192, help="rows per block and part file (default: 8192)"
    )
    cluster.add_argument(
        "--connect-timeout",
        type=positive_int,
        default=30,
        help="seconds to reach the cluster at --address before giving up (default: 30)",
    )
    cluster.add_argument("--verbose", action="store_true", help="show Ray's own log lines and progress bars")
    cluster.add_argument(
        "--format",
        choices=sorted(set(FORMATS.values())),
        help=f"part file format (default: {task.output_format})",
    )
    return parser


def predict_on_ray(task, args) -> None:
    from shared.ray_engine import score_on_ray

    if not args.input or not args.output:
        raise DataError("--engine ray needs --input (files, a folder or a glob) and --output (a folder)")
    run = score_on_ray(
        task,
        args.model,
        args.input,
        args.text_col,
        args.output,
        output_format=args.format or task.output_format,
        workers=args.workers,
        address=args.address,
        strict=args.strict,
        keep_formulas=args.keep_formulas,
        rows_per_part=args.rows_per_part,
        connect_timeout=args.connect_timeout,
        verbose=args.verbose,
    )
    print(run.describe(args.output), file=sys.stderr)


def command(app_name: str, doc: str | None):
    """The `main(argv)` of `python -m <task>.predict`."""

    def main(argv: list[str]) -> int:
        task = get_task(app_name)
        args = predict_arguments(task, doc).parse_args(argv)
        if args.engine == "ray":
            predict_on_ray(task, args)
            return 0
        if args.address or args.workers or args.format:
            raise DataError("--address, --workers and --format go with --engine ray")
        if bool(args.texts) == bool(args.input):
            raise DataError("give texts as arguments or one --input file (not both, not neither)")
        output = Path(args.output) if args.output else None
        if args.input:
            columns, rows = read_rows(Path(args.input), args.text_col)
            source = str(args.input)
        else:
            columns, rows, source = [args.text_col], argument_rows(args.texts, args.text_col), "argument"
        api = task.load(args.model)
        with output_stream(output) as out:
            summary = write_scored(
                task,
                api,
                columns,
                rows,
                out,
                output_format=output_format(output, task.output_format),
                strict=args.strict,
                keep_formulas=args.keep_formulas,
                source=source,
            )
        if output is not None or summary.blank:
            print(summary.describe(str(output or "standard output")), file=sys.stderr)
        return 0

    return main


# a parser is the tree model's syntactic one; these build the command's arguments
__getattr__ = moved_names(__name__, {"build_parser": "shared.verbs.predict:predict_arguments"})
