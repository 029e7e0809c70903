"""Annotation files (`shared.annotations`) as sentiment training data, and as CSV."""

from __future__ import annotations

from pathlib import Path

from sentiment.data import LABELS, LabelledTexts
from shared.annotations import labelled_decisions
from shared.errors import DataError


def annotated_texts(path: str | Path) -> LabelledTexts:
    """The labelled texts of an annotation file; DataError naming the line of a decision
    without a text or with a label outside LABELS."""
    texts, labels = [], []
    for number, record in labelled_decisions(path):
        text, label = record.get("text"), record.get("label")
        if not isinstance(text, str) or not text.strip():
            raise DataError(f"{path}: line {number}: no text")
        if label not in LABELS:
            raise DataError(f"{path}: line {number}: label {label!r} is not one of {', '.join(LABELS)}")
        texts.append(text)
        labels.append(LABELS.index(label))
    return LabelledTexts(tuple(texts), tuple(labels))


def joined(*parts: LabelledTexts) -> LabelledTexts:
    """The texts of every part, in order (trees dropped: annotations carry none)."""
    return LabelledTexts(
        tuple(text for part in parts for text in part.texts), tuple(label for part in parts for label in part.labels)
    )


def write_annotations_csv(path: str | Path, out: Path) -> int:
    """The labelled decisions of an annotation file as a CSV (text, label, source, row),
    written whole or not at all; how many rows."""
    from shared.annotations import labelled_decisions
    from shared.verbs.evaluate import write_csv_atomic

    annotated_texts(path)  # every decision checked before anything is written
    rows = [
        {
            "text": record["text"],
            "label": record["label"],
            "source": record.get("source", ""),
            "row": record.get("row", ""),
        }
        for _, record in labelled_decisions(path)
    ]
    write_csv_atomic(out, ["text", "label", "source", "row"], rows)
    return len(rows)
