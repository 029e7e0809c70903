"""Command-line arguments the sentiment verbs share."""

from __future__ import annotations

from pathlib import Path


def add_csv_columns(group) -> None:
    """--text-col, --label-col and --label-map for reading a user's CSV."""
    group.add_argument("--text-col", default="text", help="text column name (default: text)")
    group.add_argument("--label-col", default="label", help="label column name (default: label)")
    group.add_argument(
        "--label-map",
        help="raw label to class, e.g. 1-2:negative,3:neutral,4-5:positive (default: the class names)",
    )


def add_model_argument(parser) -> None:
    parser.add_argument("--model", type=Path, required=True, help="bundle folder written by sentiment.train")
