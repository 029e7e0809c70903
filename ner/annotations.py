"""Annotation files (`shared.annotations`) as NER training data, and as CoNLL files.

A decision holds the text and its entities as character offsets; the text is
tokenized with the app's tokenizer and the entities become IOB2 tags. An entity whose
edge falls inside a token cannot be tagged and is an error naming the line."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from ner.data import Sentence
from ner.tokenizer import tokenize
from shared.annotations import labelled_decisions
from shared.errors import DataError

TASK = "ner"
TAG_PREFIXES = ("B-", "I-", "E-", "S-", "L-", "U-")


def entity_type_problem(label) -> str | None:
    """Why `label` cannot be an entity type (one word of printable characters, not a
    tag such as B-PER or O), or None."""
    if not isinstance(label, str) or not label:
        return "an entity type is a non-empty string"
    if any(char.isspace() or unicodedata.category(char).startswith("C") for char in label):
        return f"the entity type {label!r} holds a space, a line break or a control character"
    if label.upper().startswith(TAG_PREFIXES) or label == "O":
        return f"{label!r} is a tag, not an entity type (write PER, not B-PER)"
    return None


def tagged_sentence(text: str, entities: list[dict], where: str) -> Sentence:
    """`text`'s tokens and the IOB2 tags of `entities` ({"label", "start", "end"} in characters)."""
    tokens = tokenize(text)
    tags = ["O"] * len(tokens)
    for entity in entities:  # their offsets are integers: `shared.annotations.decision_problem` checked them
        if (problem := entity_type_problem(entity["label"])) is not None:
            raise DataError(f"{where}: {problem}")
    for entity in sorted(entities, key=lambda e: e["start"]):
        label, start, end = entity["label"], entity["start"], entity["end"]
        inside = [i for i, token in enumerate(tokens) if token.start < end and start < token.end]
        if not inside or tokens[inside[0]].start != start or tokens[inside[-1]].end != end:
            cut = ", ".join(repr(tokens[i].text) for i in inside) or "no token"
            raise DataError(
                f"{where}: the entity {text[start:end]!r} [{start}:{end}] does not start and end at token edges "
                f"(tokens {cut})"
            )
        if any(tags[i] != "O" for i in inside):
            raise DataError(f"{where}: the entity {text[start:end]!r} [{start}:{end}] overlaps another")
        tags[inside[0]] = f"B-{label}"
        for i in inside[1:]:
            tags[i] = f"I-{label}"
    return Sentence(tuple(token.text for token in tokens), tuple(tags))


def annotated_sentences(path: str | Path, size: int | None = None) -> list[Sentence]:
    """The labelled sentences of an annotation file (its first `size` bytes when
    given), tokenized and tagged (IOB2)."""
    sentences = []
    for number, record in labelled_decisions(path, TASK, size):
        if not isinstance(record.get("entities"), list):
            raise DataError(f"{path}: line {number}: no entities list (an empty list for none)")
        sentences.append(tagged_sentence(record["text"], record["entities"], f"{path}: line {number}"))
    return sentences


def new_types_line(sentences: list[Sentence], known: set[str], where: str) -> str | None:
    """The warning that `sentences` (annotations) bring entity types `known` lacks, or None."""
    from ner.tags import entity_types

    new = sorted(set(entity_types([tag for sentence in sentences for tag in sentence.tags])) - known)
    if not new:
        return None
    return f"warning: {where} adds the entity type(s) {', '.join(new)}, which the other training data lacks"


def held_out(sentences: list[Sentence], seed: int, fraction: float = 0.1):
    """NerSplits of `sentences`: a random `fraction` (at least one) as dev, the rest train, no test."""
    import numpy as np

    from ner.data import NerSplits

    if len(sentences) < 2:
        raise DataError(f"too few sentences ({len(sentences)}) to hold out a dev set")
    order = np.random.default_rng(seed).permutation(len(sentences))
    count = max(1, int(round(len(sentences) * fraction)))
    dev = set(order[:count].tolist())
    return NerSplits(
        [s for i, s in enumerate(sentences) if i not in dev], [s for i, s in enumerate(sentences) if i in dev], None
    )


def write_annotations_conll(path: str | Path, out: Path) -> int:
    """The labelled sentences of an annotation file as a CoNLL file (a token and its IOB2
    tag a line, a blank line after each sentence), written whole or not at all; how many."""
    from shared.files import atomic_path

    sentences = annotated_sentences(path)
    with atomic_path(out) as temporary, open(temporary, "w", encoding="utf-8") as handle:
        for sentence in sentences:
            handle.writelines(f"{token} {tag}\n" for token, tag in zip(sentence.tokens, sentence.tags))
            handle.write("\n")
    return len(sentences)
