"""Annotation files (`shared.annotations`) as sentiment training data, and as CSV."""

from __future__ import annotations

from pathlib import Path

from sentiment.data import LABELS, LabelledTexts
from shared.annotations import labelled_decisions
from shared.errors import DataError

TASK = "sentiment"


def labelled_records(path: str | Path, size: int | None = None) -> list[dict]:
    """The labelled decisions of a sentiment annotation file (its first `size` bytes
    when given); DataError naming the line of one whose label is not in LABELS."""
    found = labelled_decisions(path, TASK, size)
    for number, record in found:
        if record.get("label") not in LABELS:
            raise DataError(f"{path}: line {number}: label {record.get('label')!r} is not one of {', '.join(LABELS)}")
    return [record for _, record in found]


def annotated_texts(path: str | Path, size: int | None = None) -> LabelledTexts:
    """The labelled texts of an annotation file (its first `size` bytes when given)."""
    records = labelled_records(path, size)
    return LabelledTexts(
        tuple(record["text"] for record in records), tuple(LABELS.index(record["label"]) for record in records)
    )


def joined(*parts: LabelledTexts) -> LabelledTexts:
    """The texts of every part, in order (trees dropped: annotations carry none)."""
    return LabelledTexts(
        tuple(text for part in parts for text in part.texts), tuple(label for part in parts for label in part.labels)
    )


def write_annotations_csv(path: str | Path, out: Path) -> int:
    """The labelled decisions of an annotation file as a CSV (text, label, source, row),
    written whole or not at all; how many rows."""
    from shared.outputs import write_csv_atomic

    rows = [
        {"text": record["text"], "label": record["label"], "source": record["source"], "row": record["row"]}
        for record in labelled_records(path)  # every decision checked before anything is written
    ]
    write_csv_atomic(out, ["text", "label", "source", "row"], rows)
    return len(rows)
