"""The sentiment Python API: load a bundle, classify texts, watch a prediction evolve."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnntext_runtime.batching import BATCH_SIZE
from rnntext_runtime.sentiment import SentimentPrediction  # the runtime's: one result type for both
from sentiment.architectures import architecture_of, recipe
from sentiment.data import LABELS
from shared.api import BundleModel
from shared.inputs import check_texts


@dataclass(frozen=True)
class NodePrediction:
    """One node of a text's tree: its span (`text == original[start:end]`), its label and
    the probability of each class, and its children (indices into the tree's nodes)."""

    start: int
    end: int
    text: str
    label: str
    probabilities: dict[str, float]
    children: tuple[int, ...]


@dataclass(frozen=True)
class TreePrediction:
    """A text's tree as a tree model reads it: `nodes[0]` is the root (the text's own
    prediction), every node's children come after it."""

    text: str
    nodes: list[NodePrediction]

    @property
    def root(self) -> NodePrediction:
        return self.nodes[0]


@dataclass(frozen=True)
class StepPrediction:
    """The class probabilities after the network has read `token` (and all before it)."""

    index: int
    token: str
    label: str
    probabilities: dict[str, float]


def calibration_temperature(metadata: dict) -> float | None:
    """The temperature a bundle's calibration record says its model ends with (the run
    that fitted it recorded it); None for a model without one."""
    record = metadata.get("calibration", {})
    return record["temperature"] if record.get("method") == "temperature" else None


class SentimentClassifier(BundleModel):
    """A trained sentiment model: raw text in, label and class probabilities out. Thread-safe.

    Example:
        >>> clf = SentimentClassifier.load("models/sentiment")
        >>> clf.predict("A gorgeous, witty film.").label
        'positive'
    """

    TASK = "sentiment"
    MODEL_MODULE = "sentiment.layers"

    def __init__(self, model, metadata: dict | None = None, path: str | Path | None = None):
        """Wrap an end-to-end Keras model (raw strings in, probabilities out)."""
        import tensorflow as tf

        from shared.layers import CALIBRATION

        super().__init__(model, metadata, path)
        self._labels = tuple(self.metadata.get("labels", LABELS))

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
        def probabilities(texts):
            return model(texts, training=False)

        self._probabilities = probabilities
        self.architecture = architecture_of(self.metadata)
        self.temperature = calibration_temperature(self.metadata)  # None: the model's own probabilities
        calibrate = model.get_layer(CALIBRATION) if self.temperature else tf.identity
        self.reading = recipe(self.architecture).reading(model, calibrate)  # one text: word by word or its tree

    @property
    def labels(self) -> tuple[str, ...]:
        return self._labels

    def predict_proba(
        self, texts: Sequence[str], batch_size: int = BATCH_SIZE, *, calibrated: bool = True
    ) -> np.ndarray:
        """Probabilities (len(texts), 3) in input order; texts are batched by length.
        `calibrated=False` gives a calibrated model's probabilities before its temperature."""
        from shared.calibration import tempered
        from shared.sequences import length_sorted_batches

        texts = check_texts(texts)
        if self._fast is not None:
            result = self._fast.predict_proba(texts, batch_size)
        else:
            result = np.zeros((len(texts), len(self.labels)), dtype="float32")
            for batch in length_sorted_batches([len(text) for text in texts], batch_size):
                result[batch] = self._probabilities([texts[i] for i in batch]).numpy()
        if calibrated or not self.temperature:
            return result
        return tempered(result, 1.0 / self.temperature).astype("float32")  # temperature 1/T undoes T

    def predict(self, texts: str | Sequence[str]) -> SentimentPrediction | list[SentimentPrediction]:
        """Classify one text (returns one prediction) or a sequence of texts (returns a list)."""
        return super().predict(texts)

    def _predict_texts(self, texts: list[str]) -> list[SentimentPrediction]:
        return [self._prediction(text, row) for text, row in zip(texts, self.predict_proba(texts))]

    def predict_steps(self, text: str) -> list[StepPrediction]:
        """The class probabilities after each token, as the network reads `text`.

        Step t is the model's output on the first t + 1 tokens, read from the
        recurrent stack at that time step; the last step equals `predict(text)`.
        """
        (text,) = check_texts([text])
        tokens, probabilities = self.reading.steps(text)
        return [
            StepPrediction(index, token.decode("utf-8"), *self._label_and_scores(row))
            for index, (token, row) in enumerate(zip(tokens.numpy(), probabilities.numpy()))
        ]

    def predict_tree(self, text: str) -> TreePrediction:
        """The tree a tree model reads `text` by (its own parser's): every node with its
        character span, label and probabilities, the root first."""
        from sentiment.trees import token_offsets

        (text,) = check_texts([text])
        tokens, found, nodes, width = (value.numpy() for value in self.reading.tree(text))
        tokens = [token.decode("utf-8") for token in tokens]
        offsets = token_offsets(text, tokens)
        found = [tuple(int(v) for v in node) for node in found[: max(len(tokens) - 1, 0)]]
        result: list[NodePrediction] = []

        def add(i: int, j: int, slot: int, m: int | None) -> int:
            """Append the node over tokens i..j - 1 (pre-order node m, or a leaf) and its subtree."""
            index = len(result)
            start, end = offsets[i][0], offsets[j - 1][1]
            result.append(NodePrediction(start, end, text[start:end], *self._label_and_scores(nodes[slot]), ()))
            children = []
            if m is not None:
                _, _, k = found[m]
                left_m = m + 1 if k - i > 1 else None
                right_m = m + (k - i) if j - k > 1 else None
                children.append(add(i, k, i if left_m is None else width + left_m, left_m))
                children.append(add(k, j, k if right_m is None else width + right_m, right_m))
            result[index] = dataclasses.replace(result[index], children=tuple(children))
            return index

        if tokens:
            add(0, len(tokens), width if len(tokens) > 1 else 0, 0 if len(tokens) > 1 else None)
        return TreePrediction(text, result)

    def predict_with_steps(self, text: str) -> tuple[SentimentPrediction, list[StepPrediction]]:
        """`predict(text)` and `predict_steps(text)` in one model call (the prediction is
        the last step; a text without tokens gets `predict`'s answer and no steps)."""
        steps = self.predict_steps(text)
        if not steps:
            return self.predict(text), steps
        return SentimentPrediction(text, steps[-1].label, steps[-1].probabilities), steps

    def predict_with_reading(self, text: str) -> tuple[SentimentPrediction, TreePrediction | list[StepPrediction]]:
        """`predict(text)` and the model's own reading of the text: the tree a tree model
        composed it over (`predict_tree`), or a sequence model's steps (`predict_steps`)."""
        return self.reading.explain(self, text)

    def _prediction(self, text: str, row: np.ndarray) -> SentimentPrediction:
        return SentimentPrediction(text, *self._label_and_scores(row))

    def _label_and_scores(self, row: np.ndarray) -> tuple[str, dict[str, float]]:
        return self.labels[int(np.argmax(row))], {label: float(p) for label, p in zip(self.labels, row)}


def largest_moves(steps: Sequence[StepPrediction], label: str, count: int = 3) -> dict[int, float]:
    """The `count` steps that changed P(`label`) most: step index -> change.

    The change of step 0 is measured from the uniform distribution (nothing read yet).
    """
    previous = 1.0 / len(steps[0].probabilities) if steps else 0.0
    changes = {}
    for step in steps:
        changes[step.index] = step.probabilities[label] - previous
        previous = step.probabilities[label]
    ranked = sorted(changes, key=lambda index: abs(changes[index]), reverse=True)[:count]
    return {index: changes[index] for index in sorted(ranked)}
