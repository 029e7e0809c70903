"""Choosing which texts a person should label next (active learning by uncertainty
sampling): the texts the model is least sure of first, none twice, none already labelled.

An app's rankings map (its API, texts) to one uncertainty per text (higher: ask
first) and the model's guess of each; `random` is every app's control. Near-duplicates
(the same words once case, digits, punctuation, mentions and links are set aside) are
asked once: the most uncertain of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from shared.deprecation import moved_names

# (API, texts) -> (uncertainty of each text, the model's guess of each, JSON-ready)
Ranking = Callable[[object, list[str]], tuple[np.ndarray, list]]
RANDOM = "random"

_LINK = re.compile(r"https?://\S+|www\.\S+|@\w+")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def duplicate_key(text: str) -> str:
    """What near-duplicate texts share: their words, lower-cased, without digits,
    punctuation, @mentions or links."""
    return " ".join(_WORD.findall(_LINK.sub(" ", text).lower()))


def text_key(text: str) -> str:
    """What identifies a decision in its file: its text, as near-duplicates share it
    (`duplicate_key`; a text of no words is its own key). The source's
    name, checksum and row are recorded beside it, as where the text came from: a text
    is labelled once, whichever file, or version of a file, it is met in again."""
    return duplicate_key(text) or text


@dataclass(frozen=True)
class Candidate:
    """A text that may be asked: where it comes from, the text, the model's guess and
    how uncertain the model is (`uncertainty`, higher: ask first)."""

    row: int
    text: str
    guess: object
    uncertainty: float

    @property
    def score(self) -> float:
        """Deprecated: `uncertainty` (a score is a prediction's confidence elsewhere)."""
        import warnings

        warnings.warn("Candidate.score is deprecated: use Candidate.uncertainty", DeprecationWarning, stacklevel=2)
        return self.uncertainty


def ranked(candidates: Sequence[Candidate], count: int, *, order: str, seed: int) -> list[Candidate]:
    """The first `count` candidates, most uncertain first (`order` "uncertainty") or in a
    seeded random order (`order` "random"), skipping blank texts and any whose
    `duplicate_key` an earlier pick has (a text of no words is its own key)."""
    if order == RANDOM:
        sequence = [candidates[i] for i in np.random.default_rng(seed).permutation(len(candidates))]
    else:
        # Most uncertain first; ties keep the file's order.
        sequence = sorted(candidates, key=lambda candidate: -candidate.uncertainty)
    picked, seen = [], set()
    for candidate in sequence:
        if not candidate.text.strip():
            continue
        key = duplicate_key(candidate.text) or candidate.text
        if key in seen:
            continue
        seen.add(key)
        picked.append(candidate)
        if len(picked) == count:
            break
    return picked


def rankings(annotation) -> dict:
    """An app's rankings of texts to ask (its `Annotation`'s), `random` added (it still
    pre-fills the model's guesses)."""
    own = annotation.rankings()
    return {**own, RANDOM: next(iter(own.values()))}


def candidates(api, ranking: Ranking, rows, done: set[str]) -> tuple[list[Candidate], int]:
    """(the rows whose text is not decided yet (`done`: their `text_key`s)
    with their uncertainty and guess, how many were decided)."""
    asked = [(row, text) for row, _, text in rows if text.strip()]
    fresh = [(row, text) for row, text in asked if text_key(text) not in done]
    skipped = len(asked) - len(fresh)
    if not fresh:
        return [], skipped
    scores, guesses = ranking(api, [text for _, text in fresh])
    return [
        Candidate(row, text, guess, float(score)) for (row, text), guess, score in zip(fresh, guesses, scores)
    ], skipped


def entropy(probabilities: np.ndarray) -> np.ndarray:
    """Each row's entropy in nats."""
    p = np.clip(np.asarray(probabilities, dtype="float64"), 1e-12, 1.0)
    return -(p * np.log(p)).sum(axis=1)


def margin_uncertainty(probabilities: np.ndarray) -> np.ndarray:
    """1 minus the gap between each row's two most likely classes."""
    top = np.sort(np.asarray(probabilities, dtype="float64"), axis=1)
    return 1.0 - (top[:, -1] - top[:, -2])


# a strategy is tf.distribute's (train --strategy); choosing texts ranks them
__getattr__ = moved_names(__name__, {"strategies": "shared.selection:rankings", "Strategy": "shared.selection:Ranking"})
