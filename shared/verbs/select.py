"""The select verb: the texts of a file a person should label next, in the order to ask
them, into a new CSV queue (active learning by uncertainty sampling)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from shared.cli import argument_parser, positive_int
from shared.errors import DataError
from shared.outputs import check_distinct, check_new_file, write_csv_atomic
from shared.selection import RANDOM, candidates, ranked, rankings
from shared.tasks import get_app
from shared.verbs import add_model_argument

COLUMNS = ["source", "row", "text", "guess", "uncertainty", "strategy", "model"]
EXPLANATION = """
The queue is a new CSV file (source, row, text, the model's guess as JSON,
uncertainty, strategy: the --rank-by that ordered it, model) for the Annotate page or
your own tool. Rows already in
an annotation file (--exclude) are left out, near-duplicates (the same words once
case, digits, punctuation, mentions and links are set aside) are queued once, blank
texts never. The model's probabilities are its calibrated ones when the bundle has a
calibration. `random` is the control: a seeded shuffle.
"""


def command(app_name: str, doc: str | None):
    """The `main(argv)` of `python -m <app_name>.select` (an app with annotation)."""

    def main(argv: list[str]) -> int:
        from shared.annotations import read_annotations
        from shared.inputs import read_rows

        app = get_app(app_name)
        task = app.task
        choices = rankings(app.needs("annotation", f"{app_name}.select"))
        parser = argument_parser(f"python -m {task.name}.select", f"{doc}{EXPLANATION}")
        add_model_argument(parser, task)
        parser.add_argument("--input", type=Path, required=True, help="a .csv, .jsonl, .parquet or plain text file")
        parser.add_argument("--text-col", default="text", help="text column or JSON key (default: text)")
        parser.add_argument("--n", type=positive_int, required=True, help=f"how many {app.presentation.noun} to queue")
        first = next(iter(choices))
        parser.add_argument(
            "--rank-by", choices=list(choices), default=first, help=f"which to ask first (default: {first})"
        )
        parser.add_argument("--strategy", choices=list(choices), help=argparse.SUPPRESS)  # deprecated: --rank-by
        parser.add_argument("--out", type=Path, required=True, metavar="QUEUE.csv", help="the new queue file")
        parser.add_argument(
            "--exclude", type=Path, metavar="ANNOTATIONS.jsonl", help="an annotation file whose rows are done"
        )
        parser.add_argument("--seed", type=int, default=0, help="the random order's seed (default: 0)")
        args = parser.parse_args(argv)
        if args.strategy is not None:
            print("warning: --strategy is deprecated: use --rank-by", file=sys.stderr)
            args.rank_by = args.strategy

        check_distinct({"--input": args.input, "--out": args.out, "--exclude": args.exclude})
        check_new_file(args.out, "--out")
        source = args.input.name
        if args.exclude and not args.exclude.is_file():
            raise DataError(f"{args.exclude}: file not found (--exclude names an annotation file)")
        excluded = read_annotations(args.exclude, task.name) if args.exclude else None
        if excluded is not None and excluded.torn_message:
            print(f"warning: {excluded.torn_message}", file=sys.stderr)
        done = excluded.done() if excluded is not None else set()
        _, rows = read_rows(args.input, args.text_col)
        rows = list(rows)
        if not rows:
            raise DataError(f"{args.input}: no rows to choose from")
        api = task.load(args.model)
        found, skipped = candidates(api, choices[args.rank_by], rows, done)
        if not found:
            raise DataError(f"{args.input}: nothing left to ask ({skipped} rows already decided, the rest blank)")
        order = RANDOM if args.rank_by == RANDOM else "uncertainty"
        picked = ranked(found, args.n, order=order, seed=args.seed)
        model = api.path.name if api.path else ""
        write_csv_atomic(
            args.out,
            COLUMNS,
            [
                {"source": source, "row": c.row, "text": c.text, "guess": json.dumps(c.guess, ensure_ascii=False),
                 "uncertainty": round(c.uncertainty, 6), "strategy": args.rank_by, "model": model}
                for c in picked
            ],
        )  # fmt: skip
        print(
            f"Wrote {len(picked)} {app.presentation.noun} to {args.out} ({args.rank_by} order; "
            f"{len(found)} candidates, {skipped} rows already decided)",
            file=sys.stderr,
        )
        return 0

    return main
