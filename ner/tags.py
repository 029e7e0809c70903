"""BIO tag schemes: validation, IOB1 -> IOB2 conversion, spans and allowed transitions.

The project's internal scheme is IOB2: every entity starts with `B-TYPE` and goes on
with `I-TYPE`. IOB1 (the original CoNLL-2003 release) writes `I-TYPE` at the start of
an entity and `B-TYPE` only between two adjacent entities of one type.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rnntext_runtime.tags import OUTSIDE, Span, entity_types, spans, split_tag

__all__ = ["OUTSIDE", "Span", "entity_types", "spans", "split_tag"]  # defined in the runtime, used here and by the app

TAG_PATTERN = re.compile(r"O|[BI]-[^\s]+")
SCHEMES = ("auto", "iob1", "iob2")


def is_valid_tag(tag: str) -> bool:
    return TAG_PATTERN.fullmatch(tag) is not None


def continues(previous: str, tag: str) -> bool:
    """Whether `I-X` tag may follow `previous` in IOB2 (the same type is open)."""
    prefix, kind = split_tag(tag)
    if prefix != "I":
        return True
    return previous != OUTSIDE and split_tag(previous)[1] == kind


def iob1_to_iob2(tags: Sequence[str]) -> list[str]:
    """Rewrite IOB1 tags as IOB2: an `I-X` that opens an entity becomes `B-X`."""
    result, previous = [], OUTSIDE
    for tag in tags:
        prefix, kind = split_tag(tag)
        if prefix == "I" and not continues(previous, tag):
            tag = f"B-{kind}"
        result.append(tag)
        previous = tag
    return result


def tag_set(types: Sequence[str]) -> list[str]:
    """The IOB2 tag list for `types`: `O`, then `B-X`, `I-X` per type (index = class id)."""
    return [OUTSIDE] + [f"{prefix}-{kind}" for kind in sorted(types) for prefix in ("B", "I")]


def allowed_transitions(tags: Sequence[str]):
    """(allowed[K, K], allowed_start[K]) booleans: IOB2 forbids `I-X` after anything but B-X/I-X."""
    import numpy as np

    allowed = np.array([[continues(previous, tag) for tag in tags] for previous in tags], dtype=bool)
    allowed_start = np.array([split_tag(tag)[0] != "I" for tag in tags], dtype=bool)
    return allowed, allowed_start
