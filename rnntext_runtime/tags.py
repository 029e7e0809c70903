"""IOB2 entity spans (the one definition; `ner.tags` takes it from here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

OUTSIDE = "O"


@dataclass(frozen=True)
class Span:
    """An entity as token positions: tokens [start, end) with `label`."""

    label: str
    start: int
    end: int


def split_tag(tag: str) -> tuple[str, str | None]:
    """`B-PER` -> ("B", "PER"); `O` -> ("O", None)."""
    if tag == OUTSIDE:
        return OUTSIDE, None
    return tag[0], tag[2:]


def entity_types(tags: Sequence[str]) -> list[str]:
    """Sorted entity types named by `tags`."""
    return sorted({split_tag(tag)[1] for tag in tags if tag != OUTSIDE})


def spans(tags: Sequence[str]) -> list[Span]:
    """Entity spans of an IOB2 sequence. A stray `I-X` (no open X) opens a new entity,
    as conlleval does, so no tagged token is ever dropped."""
    found: list[Span] = []
    label, start = None, 0
    for index, tag in enumerate(list(tags) + [OUTSIDE]):
        prefix, kind = split_tag(tag)
        if label is not None and (prefix != "I" or kind != label):
            found.append(Span(label, start, index))
            label = None
        if prefix == "B" or (prefix == "I" and label is None):
            label, start = kind, index
    return found
