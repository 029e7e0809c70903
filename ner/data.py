"""CoNLL-format NER data: readers, scheme detection and the registered `conll2003` set.

A CoNLL file holds one token per line with any number of space- or tab-separated
columns, the word first and the tag last; blank lines end sentences and
`-DOCSTART-` lines separate documents. Tags may be IOB1 or IOB2 (declared or
detected); the reader returns IOB2.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ner.tags import OUTSIDE, SCHEMES, continues, entity_types, iob1_to_iob2, is_valid_tag, split_tag
from shared.datasets import locate_dataset
from shared.errors import DataError
from shared.inputs import column_blocks


@dataclass(frozen=True)
class Sentence:
    tokens: tuple[str, ...]
    tags: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.tokens)


@dataclass(frozen=True)
class NerSplits:
    train: list[Sentence]
    dev: list[Sentence]
    test: list[Sentence] | None


@dataclass(frozen=True)
class _Line:
    number: int
    token: str
    tag: str


def read_conll(path: str | Path, scheme: str = "auto") -> list[Sentence]:
    """Sentences of a CoNLL file with IOB2 tags.

    Args:
        path: the file.
        scheme: "iob1", "iob2", or "auto" to detect it from the tags.

    Raises:
        DataError: unreadable file, inconsistent column count, malformed tag, an
            `I-` without its `B-` in an IOB2 file, or no sentences; the message names
            the file and line.
    """
    if scheme not in SCHEMES:
        raise DataError(f"unknown tag scheme {scheme!r}; choose one of {', '.join(SCHEMES)}")
    path = Path(path)
    sentences = _read_sentences(path)
    if not sentences:
        raise DataError(f"{path}: no sentences")
    if scheme == "auto":
        scheme = detect_scheme(sentences)
    if scheme == "iob2":
        _check_iob2(path, sentences)
    convert = iob1_to_iob2 if scheme == "iob1" else list
    return [
        Sentence(tuple(line.token for line in lines), tuple(convert([line.tag for line in lines])))
        for lines in sentences
    ]


def _read_sentences(path: Path) -> list[list[_Line]]:
    sentences, columns = [], None
    for block in column_blocks(path):
        sentence = []
        for number, fields in block:
            if len(fields) < 2:
                raise DataError(f"{path}: line {number}: expected a token and a tag, got {fields[0]!r}")
            if columns is None:
                columns = len(fields)
            elif len(fields) != columns:
                raise DataError(
                    f"{path}: line {number}: {len(fields)} columns where the file has {columns} "
                    "(a token may not contain spaces)"
                )
            tag = fields[-1]
            if not is_valid_tag(tag):
                raise DataError(f"{path}: line {number}: tag {tag!r} is not O, B-TYPE or I-TYPE")
            sentence.append(_Line(number, fields[0], tag))
        sentences.append(sentence)
    return sentences


def _opening_tags(sentences: list[list[_Line]]):
    """(line, prefix) for every tag that opens an entity under IOB2 reading."""
    for sentence in sentences:
        previous = OUTSIDE
        for line in sentence:
            prefix, kind = split_tag(line.tag)
            if prefix == "I" and not continues(previous, line.tag):
                yield line, "I"
            elif prefix == "B" and not (previous != OUTSIDE and split_tag(previous)[1] == kind):
                yield line, "B"
            previous = line.tag


def detect_scheme(sentences: list[list[_Line]]) -> str:
    """ "iob1" when entities open with `I-` and never with a needless `B-`, else "iob2"."""
    openers = {prefix for _, prefix in _opening_tags(sentences)}
    return "iob1" if openers == {"I"} else "iob2"


def _check_iob2(path: Path, sentences: list[list[_Line]]) -> None:
    for line, prefix in _opening_tags(sentences):
        if prefix == "I":
            raise DataError(
                f"{path}: line {line.number}: {line.tag} does not continue an entity "
                "(IOB2 opens entities with B-; pass --scheme iob1 for IOB1 files)"
            )


def check_known_types(path: str | Path, sentences: list[Sentence], types: list[str]) -> None:
    """Raise DataError when `sentences` use an entity type that training never saw."""
    unknown = sorted(set(entity_types([tag for s in sentences for tag in s.tags])) - set(types))
    if unknown:
        raise DataError(
            f"{path}: entity type {unknown[0]!r} does not occur in the training data "
            f"(training types: {', '.join(types)})"
        )


def load_conll_files(train: str | Path, dev: str | Path, test: str | Path | None, scheme: str = "auto") -> NerSplits:
    """Read user files; dev and test may only use entity types seen in train."""
    train_sentences = read_conll(train, scheme)
    types = entity_types([tag for s in train_sentences for tag in s.tags])
    if not types:
        raise DataError(f"{train}: no entities; a tagger needs at least one B- tag to learn from")
    dev_sentences = read_conll(dev, scheme)
    check_known_types(dev, dev_sentences, types)
    test_sentences = None
    if test is not None:
        test_sentences = read_conll(test, scheme)
        check_known_types(test, test_sentences, types)
    return NerSplits(train_sentences, dev_sentences, test_sentences)


DATASETS = ("conll2003",)


def load_named_dataset(name: str) -> NerSplits:
    """Train/valid/test of a registered NER dataset."""
    if name not in DATASETS:
        raise DataError(f"dataset {name!r} is not an NER dataset; choose one of {', '.join(DATASETS)}")
    folder = locate_dataset(name)
    return load_conll_files(folder / "train.txt", folder / "valid.txt", folder / "test.txt", scheme="iob2")
