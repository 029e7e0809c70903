"""The sentiment classifier without TensorFlow: text -> ids in Python, ids -> probabilities in onnxruntime."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rnntext_runtime.batching import BATCH_SIZE, UNKNOWN, length_sorted_batches, padded
from rnntext_runtime.inputs import check_texts
from rnntext_runtime.model import RuntimeModel
from rnntext_runtime.text import compile_steps, split_whitespace

SPLITS = {"ascii_whitespace": split_whitespace}  # how a standardized text becomes words


@dataclass(frozen=True)
class SentimentPrediction:
    """The predicted label of one text and the probability of each class."""

    text: str
    label: str
    probabilities: dict[str, float]


class SentimentRuntime(RuntimeModel):
    """An exported sentiment classifier: `predict(text)` and `predict_proba(texts)` as the Python API's."""

    def __init__(self, rules: dict, session):
        super().__init__(rules, session)
        self.labels = tuple(rules["labels"])
        self._standardize = compile_steps(rules["standardize"], self._lowercase)
        self._split = SPLITS[rules["split"]]
        self._index = {word: index for index, word in enumerate(rules["vocabulary"]) if index > UNKNOWN}
        self._max_length = rules["max_length"]

    def token_ids(self, text: str) -> list[int]:
        """The vocabulary ids of a text's first `max_length` words (standardized)."""
        words = self._split(self._standardize(text))[: self._max_length]
        return [self._index.get(word, UNKNOWN) for word in words]

    def predict_proba(self, texts: Sequence[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
        """Probabilities (len(texts), classes) in input order."""
        texts = check_texts(texts, allow_empty=False)
        ids = [self.token_ids(text) for text in texts]
        result = np.zeros((len(texts), len(self.labels)), dtype="float32")
        for batch in length_sorted_batches([len(text) for text in texts], batch_size):  # as the API batches
            (result[batch],) = self._session.run(None, {"token_ids": padded([ids[i] for i in batch])})
        return result

    def _predict_texts(self, texts: list[str]) -> list[SentimentPrediction]:
        return [
            SentimentPrediction(text, self.labels[int(np.argmax(row))], dict(zip(self.labels, map(float, row))))
            for text, row in zip(texts, self.predict_proba(texts))
        ]
