"""The CoNLL reader: columns, DOCSTART, IOB1/IOB2 and errors naming file and line."""

import pytest

from ner.data import Sentence, load_conll_files, read_conll
from shared.errors import DataError
from tests.conftest import NER_FIXTURES


def _write(tmp_path, text, name="data.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_four_columns_skipping_docstart(tmp_path):
    path = _write(
        tmp_path,
        "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\n\n"
        "Peter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n-DOCSTART- -X- -X- O\nBonn NNP B-NP B-LOC\n",
    )
    assert read_conll(path) == [
        Sentence(("EU", "rejects"), ("B-ORG", "O")),
        Sentence(("Peter", "Blackburn"), ("B-PER", "I-PER")),
        Sentence(("Bonn",), ("B-LOC",)),
    ]


def test_tabs_and_two_columns(tmp_path):
    path = _write(tmp_path, "Anna\tB-PER\nsings\tO\n")
    assert read_conll(path) == [Sentence(("Anna", "sings"), ("B-PER", "O"))]


def test_iob1_detected_and_converted(tmp_path):
    text = "Peter I-PER\nBlackburn I-PER\nand O\nBonn I-LOC\nParis B-LOC\n"
    path = _write(tmp_path, text)
    expected = [Sentence(("Peter", "Blackburn", "and", "Bonn", "Paris"), ("B-PER", "I-PER", "O", "B-LOC", "B-LOC"))]
    assert read_conll(path) == expected
    assert read_conll(path, "iob1") == expected


def test_declared_iob2_rejects_i_without_b(tmp_path):
    path = _write(tmp_path, "Anna B-PER\nsings O\n\nBonn O\nis O\nfar I-LOC\n")
    with pytest.raises(DataError, match=r"data.txt: line 6: I-LOC does not continue an entity"):
        read_conll(path, "iob2")
    with pytest.raises(DataError, match="line 6"):
        read_conll(path)  # detected as IOB2 (it opens entities with B-), so the stray I- is an error


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Anna NNP B-PER\nsings O\n", "line 2: 2 columns where the file has 3"),
        ("Anna B-PER\nsings\n", "line 2: expected a token and a tag, got 'sings'"),
        ("Anna PERSON\n", "line 1: tag 'PERSON' is not O, B-TYPE or I-TYPE"),
        ("-DOCSTART- O\n\n", "no sentences"),
    ],
    ids=["column-count", "no-tag", "bad-tag", "empty"],
)
def test_malformed_files(tmp_path, text, expected):
    with pytest.raises(DataError, match=f"data.txt: {expected}"):
        read_conll(_write(tmp_path, text))


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(DataError, match="nope.txt: file not found"):
        read_conll(tmp_path / "nope.txt")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"Anna B-PER\n\xff\xfe O\n")
    with pytest.raises(DataError, match=r"binary.txt: line 2: not UTF-8 text \(byte 1 of the line\)"):
        read_conll(binary)


def test_dev_types_must_occur_in_train(tmp_path):
    dev = _write(tmp_path, "Anna B-PER\nat O\nAcme B-COMPANY\n", "dev.txt")
    with pytest.raises(DataError, match="dev.txt: entity type 'COMPANY' does not occur in the training data"):
        load_conll_files(NER_FIXTURES / "train.txt", dev, None)


def test_fixture_splits_load():
    splits = load_conll_files(NER_FIXTURES / "train.txt", NER_FIXTURES / "dev.txt", NER_FIXTURES / "test.txt")
    assert (len(splits.train), len(splits.dev), len(splits.test)) == (80, 20, 20)
