"""Command-line arguments the NER verbs share."""

from __future__ import annotations

from pathlib import Path


def add_model_argument(parser) -> None:
    parser.add_argument("--model", type=Path, required=True, help="bundle folder written by ner.train")
