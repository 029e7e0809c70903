"""The Python API: `EntityTagger.load(path).predict(text)` -> entities with offsets (`Entity` and
`TaggedTokens` are the runtime's, so both give one result type)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ner.tokenizer import tokenize_batch
from rnntext_runtime.batching import BATCH_SIZE, length_sorted_batches
from rnntext_runtime.ner import Entity, TaggedTokens, entities_of
from rnntext_runtime.tags import entity_types
from rnntext_runtime.text import Token
from shared.api import BundleModel
from shared.inputs import check_texts


class EntityTagger(BundleModel):
    """A trained tagger: raw text in, entities with character offsets out. Thread-safe.

    Example:
        >>> tagger = EntityTagger.load("models/ner")
        >>> tagger.predict("Angela Merkel visited Paris.")[0]
        Entity(label='PER', text='Angela Merkel', start=0, end=13, score=0.99)
    """

    TASK = "ner"
    MODEL_MODULE = "ner.model"

    def __init__(self, model, metadata: dict | None = None, path: str | Path | None = None):
        import tensorflow as tf

        from ner.model import decode, entity_confidence

        super().__init__(model, metadata, path)
        self.tags = list(model.get_layer("crf").tags)

        def tagged(tokens):
            ids, confidence = decode(model, tokens)
            return ids, confidence, entity_confidence(ids, confidence, tokens != "", self.tags, self.calibration)

        self._decode = tf.function(
            tagged,
            input_signature=[tf.TensorSpec([None, None], tf.string)],
            reduce_retracing=True,
        )

    @property
    def calibration(self) -> list[list[float]] | None:
        """The curve (x, y corners) from an entity's mean tag probability to its entity
        score, fitted on dev after training (`shared.calibration.fit_monotone`); None
        for a bundle trained with `--calibration none` or before calibration existed."""
        return self.metadata.get("calibration", {}).get("points")

    @property
    def labels(self) -> tuple[str, ...]:
        """The entity types, sorted."""
        return tuple(entity_types(self.tags))

    def tokenize(self, text: str) -> list[Token]:
        """The tokens of `text` with character offsets, as the tagger reads them."""
        return self._token_rows([text])[0]

    def _token_rows(self, texts: Sequence[str]) -> list[list[Token]]:
        """Each text's tokens, by the engine that computes `predict` (both tokenize alike)."""
        if self._fast is not None:
            return [self._fast.tokenize(text) for text in check_texts(texts, allow_empty=True)]
        return tokenize_batch(list(texts))

    def tag_tokens(self, token_lists: Sequence[Sequence[str]]) -> list[TaggedTokens]:
        """IOB2 tags and their probabilities for pre-tokenized sentences, in input order.

        Sequences longer than `ner.model.WINDOW` tokens are read in overlapping windows.
        """
        if self._fast is not None:
            return self._fast.tag_tokens(token_lists)
        rows = [list(tokens) for tokens in token_lists]
        results: list[TaggedTokens | None] = [None] * len(rows)
        for batch in length_sorted_batches([len(row) for row in rows], BATCH_SIZE):
            width = max(1, max(len(rows[i]) for i in batch))
            padded = np.array([rows[i] + [""] * (width - len(rows[i])) for i in batch], dtype=object)
            ids, confidence, entity = (values.numpy() for values in self._decode(padded))
            for row, index in enumerate(batch):
                length = len(rows[index])
                tags = [self.tags[i] for i in ids[row, :length]]
                results[index] = TaggedTokens(tags, confidence[row, :length].tolist(), entity[row, :length].tolist())
        return results

    def predict(self, texts: str | Sequence[str]) -> list[Entity] | list[list[Entity]]:
        """Entities of one text (a list of Entity) or of each text of a sequence (a list
        of lists), with character offsets into that text."""
        return super().predict(texts)

    def predict_batch(self, texts: Sequence[str]) -> list[list[Entity]]:
        """Entities of each text: `predict(list(texts))`, kept for earlier callers."""
        return self._predict_texts(list(texts))

    def _predict_texts(self, texts: list[str]) -> list[list[Entity]]:
        return [entities for entities, _ in self.entities_and_tags(texts)]

    def entities_and_tags(self, texts: Sequence[str]) -> list[tuple[list[Entity], TaggedTokens]]:
        """Each text's entities (as `predict`) and the tags and probabilities of its tokens."""
        token_rows = self._token_rows(texts)
        tagged = self.tag_tokens([[token.text for token in row] for row in token_rows])
        return [(entities_of(text, row, result), result) for text, row, result in zip(texts, token_rows, tagged)]
