"""Classify texts with a sentiment bundle; writes CSV with the label and three probabilities.

Texts come as arguments or from a file: .csv (text in --text-col, other columns are
kept, in order, before the predictions), .jsonl (one object per line with the text
in --text-col, or one JSON string per line) or any other extension as plain text,
one text per line. Files stream in chunks; row order and count are preserved. With
--output the CSV is written to a temporary file and renamed into place at the end,
so a failed or killed run never leaves a partial file under that name.

Examples:
  python -m sentiment.predict --model models/sentiment "What a great film" "Dull."
  python -m sentiment.predict --model models/sentiment --input reviews.csv \\
      --text-col review --output scored.csv
"""

from __future__ import annotations

import csv
import itertools
import sys
from collections.abc import Iterator
from pathlib import Path

from sentiment.cli import add_model_argument
from shared.cli import make_parser, run_cli
from shared.errors import DataError
from shared.inputs import Row, argument_rows, file_rows, iter_csv, output_stream

CHUNK_ROWS = 1024


def read_rows(path: Path, text_col: str) -> tuple[list[str], Iterator[Row]]:
    """The columns to carry over and an iterator of (row number, row, text) for `path`."""
    if path.suffix.lower() == ".csv" and path.is_file():
        rows = iter_csv(path, [text_col])
        columns = next(rows)
        return columns, ((number, row, row[text_col] or "") for number, row in enumerate(rows, start=2))
    return [text_col], file_rows(path, text_col)


def predict_rows(classifier, columns: list[str], rows, out, source: str) -> int:
    """Score `rows` in chunks and write them as CSV to `out`; returns the row count."""
    labels = list(classifier.labels)
    writer = csv.writer(out)
    writer.writerow(columns + ["label"] + [f"p_{label}" for label in labels])
    count = 0
    while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
        for number, _, text in chunk:
            if not text.strip():
                raise DataError(f"{source}: row {number}: empty text")
        probabilities = classifier.predict_proba([text for _, _, text in chunk])
        for (_, row, _), p in zip(chunk, probabilities):
            values = [row.get(column, "") for column in columns]
            writer.writerow(values + [labels[int(p.argmax())]] + [f"{value:.6f}" for value in p])
        count += len(chunk)
    return count


def main(argv: list[str]) -> int:
    parser = make_parser("python -m sentiment.predict", __doc__)
    add_model_argument(parser)
    parser.add_argument("texts", nargs="*", help="texts to classify")
    parser.add_argument("--input", type=Path, help="a .csv, .jsonl or plain text file of texts")
    parser.add_argument("--text-col", default="text", help="text column or JSON key (default: text)")
    parser.add_argument("--output", type=Path, help="CSV file to write (default: standard output)")
    args = parser.parse_args(argv)
    if bool(args.texts) == bool(args.input):
        raise DataError("give texts as arguments or one --input file (not both, not neither)")
    if args.input:
        columns, rows = read_rows(args.input, args.text_col)
        source = str(args.input)
    else:
        columns, rows, source = [args.text_col], argument_rows(args.texts, args.text_col), "argument"

    from sentiment.classifier import SentimentClassifier

    classifier = SentimentClassifier.load(args.model)
    with output_stream(args.output) as out:
        count = predict_rows(classifier, columns, rows, out, source)
    if args.output is not None:
        print(f"Wrote {count} rows to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_cli(main))
