"""IOB2 helpers: scheme conversion, spans (also from invalid sequences), transitions."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ner.tags import Span, allowed_transitions, continues, iob1_to_iob2, spans, tag_set

TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]


def test_iob1_to_iob2():
    iob1 = ["I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-LOC", "I-PER"]
    assert iob1_to_iob2(iob1) == ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC", "B-PER"]


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["B-PER", "I-PER", "O", "B-LOC"], [Span("PER", 0, 2), Span("LOC", 3, 4)]),
        (["B-PER", "B-PER"], [Span("PER", 0, 1), Span("PER", 1, 2)]),
        (["O", "I-LOC", "I-LOC"], [Span("LOC", 1, 3)]),  # stray I- opens an entity
        (["B-PER", "I-LOC"], [Span("PER", 0, 1), Span("LOC", 1, 2)]),  # type change splits
        (["O", "O"], []),
        ([], []),
    ],
    ids=["plain", "adjacent", "stray-i", "type-change", "none", "empty"],
)
def test_spans(tags, expected):
    assert spans(tags) == expected


@given(st.lists(st.sampled_from(TAGS), max_size=30))
def test_spans_cover_every_tagged_token_once_without_overlap(tags):
    found = spans(tags)
    covered = [i for span in found for i in range(span.start, span.end)]
    assert covered == sorted(set(covered))
    assert covered == [i for i, tag in enumerate(tags) if tag != "O"]
    assert spans(iob1_to_iob2(tags)) == found


def test_tag_set_and_allowed_transitions():
    tags = tag_set(["PER", "LOC"])
    assert tags == ["O", "B-LOC", "I-LOC", "B-PER", "I-PER"]
    allowed, allowed_start = allowed_transitions(tags)
    assert allowed_start.tolist() == [True, True, False, True, False]
    for i, previous in enumerate(tags):
        for j, tag in enumerate(tags):
            assert allowed[i, j] == continues(previous, tag)
    assert not allowed[tags.index("O"), tags.index("I-PER")]
    assert not allowed[tags.index("B-LOC"), tags.index("I-PER")]
    assert allowed[tags.index("B-PER"), tags.index("I-PER")]
