"""Raw-text tokenization: CoNLL-like tokens whose offsets slice back to the input."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ner.tokenizer import tokenize, tokenize_batch
from shared.errors import DataError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("EU rejects German call to boycott British lamb.", "EU rejects German call to boycott British lamb ."),
        ("Germany's U.S.-led talks", "Germany 's U.S.-led talks"),
        ("They don't know Mr. Smith of Hewlett-Packard Co.", "They do n't know Mr. Smith of Hewlett-Packard Co."),
        ("Shares rose 3.5% to $1,000 on 1996-08-22.", "Shares rose 3.5 % to $ 1,000 on 1996-08-22 ."),
        ("(AT&T, O'Neill)", "( AT&T , O'Neill )"),
        ("See https://example.org/a?b=1 or me@example.co.uk!", "See https://example.org/a?b=1 or me@example.co.uk !"),
        ("'quoted' I'd", "' quoted ' I 'd"),
        ("naïve café – “quoted”\u00a0x\u200by", "naïve café – “ quoted ” x y"),
        ("", ""),
        (" \t\n ", ""),
    ],
)  # fmt: skip
def test_tokens(text, expected):
    assert [token.text for token in tokenize(text)] == expected.split()


def test_offsets():
    text = "  Angela Merkel's visit to Paris."
    tokens = tokenize(text)
    assert [(t.text, t.start, t.end) for t in tokens][:3] == [("Angela", 2, 8), ("Merkel", 9, 15), ("'s", 15, 17)]
    assert all(text[t.start : t.end] == t.text for t in tokens)


def test_batch_matches_single_texts():
    texts = ["One two.", "", "Three, four"]
    assert tokenize_batch(texts) == [tokenize(text) for text in texts]


def test_rejects_non_text():
    with pytest.raises(DataError, match="text 0: expected a string, got int"):
        tokenize_batch([3])
    with pytest.raises(DataError, match="not valid Unicode"):
        tokenize("bad \ud800 surrogate")


ALPHABET = st.sampled_from(list("aZé9 .,-'’&@/:$%()\"\t\n\u00a0\u200b\u2014😀") + ["U.S.", "n't", "'s", "Mr."])


@settings(max_examples=150, deadline=None)
@given(st.lists(ALPHABET, max_size=40).map("".join))
def test_tokens_slice_back_and_cover_every_visible_character(text):
    tokens = tokenize(text)
    position = 0
    for token in tokens:
        assert text[token.start : token.end] == token.text
        assert token.start >= position and token.end > token.start
        assert _separators_only(text[position : token.start])
        position = token.end
    assert _separators_only(text[position:])


def _separators_only(gap: str) -> bool:
    return all(char.isspace() or char in "\u200b\ufeff" or ord(char) < 32 for char in gap)
