"""What every runtime model has: its rules, the bundle's metadata, an onnxruntime session,
the lowercasing its text rules use, and `predict` of one text or of a sequence."""

from __future__ import annotations

import abc
from collections.abc import Sequence

from rnntext_runtime.text import Lowercase


class OneOrMany(abc.ABC):
    """`predict(text)` -> one result, `predict(texts)` -> a list in order: the runtime's
    models and the Python API's (`shared.api.BundleModel`) alike."""

    def predict(self, texts: str | Sequence[str]):
        """Predict one text (one result back) or a sequence of texts (a list back, in order)."""
        if isinstance(texts, str):
            return self._predict_texts([texts])[0]
        return self._predict_texts(list(texts))

    @abc.abstractmethod
    def _predict_texts(self, texts: list[str]) -> list:
        """One result per text, in order."""


class RuntimeModel(OneOrMany):
    """An exported model: its rules, the bundle's metadata, its session and lowercasing."""

    engine = "onnxruntime"  # what computes `predict`, as `shared.api.BundleModel.engine` says it

    def __init__(self, rules: dict, session):
        self.rules = rules
        self.metadata = rules.get("metadata", {})  # what the bundle's metadata.json said of it
        self._session = session
        self._lowercase = Lowercase(rules["lowercase"])
