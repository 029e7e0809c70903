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

import contextlib
import csv
import itertools
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from sentiment.cli import add_model_argument
from shared.cli import make_parser, run_cli
from shared.errors import DataError
from shared.files import atomic_path

CHUNK_ROWS = 1024


def read_rows(path: Path, text_col: str) -> tuple[list[str], Iterator[tuple[int, dict, str]]]:
    """The columns to carry over and an iterator of (row number, row, text) for `path`."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    if suffix == ".csv":
        from sentiment.data import iter_csv

        rows = iter_csv(path, [text_col])
        columns = next(rows)
        return columns, ((number, row, row[text_col] or "") for number, row in enumerate(rows, start=2))
    if suffix == ".jsonl":
        return [text_col], _jsonl_rows(path, text_col)
    return [text_col], _text_rows(path, text_col)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        with open(path, encoding="utf-8") as handle:
            yield from enumerate((line.rstrip("\r\n") for line in handle), start=1)
    except UnicodeDecodeError as error:
        raise DataError(f"{path}: not UTF-8 text (byte {error.start})") from None


def _text_rows(path: Path, text_col: str):
    for number, line in _lines(path):
        yield number, {text_col: line}, line


def _jsonl_rows(path: Path, text_col: str):
    for number, line in _lines(path):
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(f"{path}: line {number}: invalid JSON ({error.msg})") from None
        if isinstance(item, str):
            item = {text_col: item}
        if not isinstance(item, dict) or not isinstance(item.get(text_col), str):
            raise DataError(f"{path}: line {number}: expected a string or an object with a {text_col!r} string")
        yield number, item, item[text_col]


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
        columns = [args.text_col]
        rows = ((index, {args.text_col: text}, text) for index, text in enumerate(args.texts, start=1))
        source = "argument"

    from sentiment.classifier import SentimentClassifier

    classifier = SentimentClassifier.load(args.model)
    if args.output is None:
        predict_rows(classifier, columns, rows, sys.stdout, source)
        return 0
    with atomic_path(args.output) as tmp, open(tmp, "w", newline="", encoding="utf-8") as out:
        count = predict_rows(classifier, columns, rows, out, source)
    with contextlib.suppress(OSError):
        print(f"Wrote {count} rows to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_cli(main))
