"""The Python API: `EntityTagger.load(path).predict(text)` -> entities with offsets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ner.tags import spans
from ner.tokenizer import Token, tokenize_batch
from shared.bundle import load_bundle
from shared.sequences import length_sorted_batches

TASK = "ner"
BATCH_SIZE = 256
# Longer token sequences are tagged in windows of this many tokens.
MAX_TOKENS = 512


@dataclass(frozen=True)
class Entity:
    """A found entity: `text == original_text[start:end]`; `score` is the mean probability
    of its tokens' tags."""

    label: str
    text: str
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class TaggedTokens:
    tags: list[str]
    scores: list[float]


class EntityTagger:
    """A trained tagger: raw text in, entities with character offsets out. Thread-safe."""

    def __init__(self, model, metadata: dict):
        import tensorflow as tf

        from ner.model import decode

        self.model = model
        self.metadata = metadata
        self.tags = list(model.get_layer("crf").tags)
        self._decode = tf.function(
            lambda tokens: decode(model, tokens),
            input_signature=[tf.TensorSpec([None, None], tf.string)],
            reduce_retracing=True,
        )

    @classmethod
    def load(cls, path: str | Path) -> EntityTagger:
        """Load a bundle written by `python -m ner.train` (safe mode, no pickle)."""
        import ner.model  # noqa: F401  (registers the custom layers)

        bundle = load_bundle(path, task=TASK)
        return cls(bundle.model, bundle.metadata)

    @property
    def labels(self) -> list[str]:
        return sorted({tag[2:] for tag in self.tags if tag != "O"})

    def tag_tokens(self, token_lists: Sequence[Sequence[str]]) -> list[TaggedTokens]:
        """IOB2 tags and their probabilities for pre-tokenized sentences, in input order."""
        windows, owners = [], []
        for index, tokens in enumerate(token_lists):
            for start in range(0, len(tokens), MAX_TOKENS):
                windows.append(list(tokens[start : start + MAX_TOKENS]))
                owners.append(index)
        tags: list[list[str]] = [[] for _ in token_lists]
        scores: list[list[float]] = [[] for _ in token_lists]
        results = [None] * len(windows)
        for batch in length_sorted_batches([len(w) for w in windows], BATCH_SIZE):
            width = max(len(windows[i]) for i in batch)
            padded = np.array([windows[i] + [""] * (width - len(windows[i])) for i in batch], dtype=object)
            ids, confidence = self._decode(padded)
            ids, confidence = ids.numpy(), confidence.numpy()
            for row, index in enumerate(batch):
                length = len(windows[index])
                results[index] = (ids[row, :length], confidence[row, :length])
        for owner, (ids, confidence) in zip(owners, results):
            tags[owner].extend(self.tags[i] for i in ids)
            scores[owner].extend(float(c) for c in confidence)
        return [TaggedTokens(t, s) for t, s in zip(tags, scores)]

    def predict_batch(self, texts: Sequence[str]) -> list[list[Entity]]:
        """Entities of each text, with character offsets into that text."""
        token_rows = tokenize_batch(texts)
        tagged = self.tag_tokens([[token.text for token in row] for row in token_rows])
        return [_entities(text, row, result) for text, row, result in zip(texts, token_rows, tagged)]

    def predict(self, text: str) -> list[Entity]:
        """Entities of one text, with character offsets into it."""
        return self.predict_batch([text])[0]


def _entities(text: str, tokens: list[Token], tagged: TaggedTokens) -> list[Entity]:
    found = []
    for span in spans(tagged.tags):
        start, end = tokens[span.start].start, tokens[span.end - 1].end
        score = float(np.mean(tagged.scores[span.start : span.end]))
        found.append(Entity(span.label, text[start:end], start, end, round(score, 4)))
    return found
