"""Reading unlabelled text in pieces, vocabularies and the training windows."""

from __future__ import annotations

import collections

import numpy as np
import pytest

from lm import data
from lm.data import TextCorpus, choose_vocabulary, stream_windows
from lm.model import split_tokens
from shared.errors import DataError


def tokens(texts, level):
    return [[t.decode("utf-8") for t in row] for row in split_tokens(texts, level).to_list()]


def test_characters_are_code_points_and_words_follow_the_sentiment_standardization():
    assert tokens(["ab\nc\u00e9"], "char") == [["a", "b", "\n", "c", "\u00e9"]]
    assert tokens(["It's GOOD!\nNo", "a\n", ""], "word") == [["it", "'s", "good", "!", "\n", "no"], ["a", "\n"], []]


def test_a_file_is_read_in_pieces_that_end_at_a_break_and_join_back(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "PIECE_CHARS", 16)
    text = "one two three\nfour five six seven eight\n" + "x" * 40 + " nine\r\nten"
    (tmp_path / "a.txt").write_text(text, encoding="utf-8", newline="")
    pieces = list(TextCorpus("a", (tmp_path / "a.txt",)).pieces())
    expected = text.replace("\r\n", "\n")
    assert "".join(pieces) == expected
    # Every piece ends at a break, unless it holds none (40 x's in a row).
    assert all(p.endswith((" ", "\n")) or not ({" ", "\n"} & set(p)) for p in pieces[:-1])
    assert max(len(p) for p in pieces) <= 2 * 16
    for start, stop in [(0, 5), (5, 30), (30, None), (17, 18)]:
        corpus = TextCorpus("a", (tmp_path / "a.txt",), start=start, stop=stop)
        assert "".join(corpus.pieces()) == expected[start:stop]


def test_csv_cells_and_texts_in_memory_are_lines(tmp_path):
    (tmp_path / "a.csv").write_text('id,body\n1,"first, quoted"\n2,second\n', encoding="utf-8")
    assert "".join(TextCorpus("a", (tmp_path / "a.csv",), text_col="body").pieces()) == "first, quoted\nsecond\n"
    assert "".join(TextCorpus("m", texts=("x y", "z")).pieces()) == "x y\nz\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"good text\n\x00\x01\x02 binary", "looks like a binary file"),
        (b"caf\xe9 noir\n", "line 1: not UTF-8 text"),
    ],
)
def test_binary_and_non_utf8_files_are_data_errors(tmp_path, content, expected):
    (tmp_path / "a.txt").write_bytes(content)
    with pytest.raises(DataError, match=expected):
        list(TextCorpus("a", (tmp_path / "a.txt",)).pieces())


def test_the_vocabulary_keeps_frequent_tokens_by_count_then_name_and_the_boundary_first():
    counts = collections.Counter({"a": 5, "b": 5, "c": 9, "d": 1, "\n": 1})
    assert choose_vocabulary(counts, 10, 2, "\n") == ["\n", "c", "a", "b"]
    assert choose_vocabulary(counts, 2, 1, "\n") == ["\n", "c"]


def test_windows_cut_parallel_streams_with_targets_one_token_ahead():
    ids = np.arange(100)
    inputs, targets, count = stream_windows(ids, 3, 5, 2)
    assert inputs.shape == (3, 30) and count == 6
    np.testing.assert_array_equal(inputs[:, 0], [2, 32, 62])
    np.testing.assert_array_equal(targets, inputs + 1)
    assert stream_windows(ids, 30, 5, 4)[2] == 0


@pytest.mark.parametrize("reverse", [False, True])
def test_word_ids_past_16_bits_are_written_as_they_are(tmp_path, reverse):
    from lm.model import FIRST_TOKEN_ID, lookup_layer

    vocabulary = ["\n", *(f"w{i}" for i in range(70_000))]
    id_count = len(vocabulary) + FIRST_TOKEN_ID
    words = ["w65532", "w65533", "w65534", "w69999", "w0"]
    pieces = list(data.encode_pieces([" ".join(words)], lookup_layer(vocabulary), "word"))
    expected = [vocabulary.index(word) + FIRST_TOKEN_ID for word in words]
    assert expected == [65_535, 65_536, 65_537, 70_002, 3]  # 16 bits wrapped 65,536 to 0 and 70,002 to 4,466
    ids = data.write_ids(tmp_path / "ids.npy", iter(pieces), len(words), id_count, reverse=reverse)
    assert ids.dtype == np.uint32
    assert list(ids) == (expected[::-1] if reverse else expected)


def test_ids_stay_16_bit_while_they_fit_and_a_wrapped_id_is_refused(tmp_path):
    assert data.id_dtype(1 << 16) == np.uint16 and data.id_dtype((1 << 16) + 1) == np.uint32
    with pytest.raises(ValueError, match="outside"):
        data.write_ids(tmp_path / "ids.npy", iter([np.array([3, 70_000])]), 2, 300)
