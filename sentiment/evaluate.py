"""Evaluate a sentiment bundle: accuracy, macro-F1, per-class P/R/F1, confusion matrix.

Prints a table and writes the same numbers as JSON.

Examples:
  python -m sentiment.evaluate --model models/sentiment --dataset sst --split test
  python -m sentiment.evaluate --model models/reviews --csv held_out.csv \\
      --text-col review --label-col stars --label-map 1-2:negative,3:neutral,4-5:positive
"""

from __future__ import annotations

from pathlib import Path

from sentiment.cli import add_csv_columns, add_model_argument
from sentiment.data import DATASETS, LabelledTexts, load_named_dataset, parse_label_map, read_labelled_csv
from shared.cli import make_parser, run_cli
from shared.files import write_json_atomic


def evaluate_texts(classifier, data: LabelledTexts) -> dict:
    """The classification report of `classifier` on `data`."""
    from shared.metrics import classification_report

    predicted = classifier.predict_proba(data.texts).argmax(axis=1)
    return classification_report(data.labels, predicted, classifier.labels)


def main(argv: list[str]) -> int:
    parser = make_parser("python -m sentiment.evaluate", __doc__)
    add_model_argument(parser)
    data = parser.add_argument_group("data (one of --dataset or --csv)")
    source = data.add_mutually_exclusive_group(required=True)
    source.add_argument("--dataset", choices=DATASETS, help="a registered dataset")
    source.add_argument("--csv", type=Path, help="CSV with a text and a label column")
    data.add_argument("--split", choices=("train", "dev", "test"), default="test", help="dataset split (default: test)")
    add_csv_columns(data)
    parser.add_argument("--output", type=Path, help="JSON report path (default: evaluation-<data>-<split>.json)")
    args = parser.parse_args(argv)

    from sentiment.classifier import SentimentClassifier
    from shared.metrics import format_report

    classifier = SentimentClassifier.load(args.model)
    if args.dataset:
        data = getattr(load_named_dataset(args.dataset), args.split)
        name = f"{args.dataset}-{args.split}"
    else:
        data = read_labelled_csv(args.csv, args.text_col, args.label_col, parse_label_map(args.label_map))
        name = args.csv.stem
    report = evaluate_texts(classifier, data)
    output = args.output or Path(f"evaluation-{name}.json")
    write_json_atomic(output, {"model": str(args.model), "data": name, **report})
    print(format_report(report))
    print(f"\nWrote {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_cli(main))
