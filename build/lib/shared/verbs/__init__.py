"""The command-line verbs, one module each, generic over the task registry.

An app's `<app>/<verb>.py` holds only its help text and `main = command("<app>", __doc__)`,
so `python -m sentiment.train` and `python -m ner.train` run the same code.
"""

from __future__ import annotations

from pathlib import Path


def add_model_argument(parser, task) -> None:
    parser.add_argument("--model", type=Path, required=True, help=f"bundle folder written by {task.name}.train")
