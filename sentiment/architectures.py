"""The sentiment app's architectures: each a package of its own (`sentiment.sequence`,
`sentiment.tree`) that gives a `Recipe` here. The task, the API and the evaluation ask the
recipe of a config's or a bundle's architecture instead of branching on its name.
"""

from __future__ import annotations

import abc
import importlib
from collections.abc import Callable
from dataclasses import dataclass

# architecture -> the module that defines its RECIPE (imported when asked: the tree's
# modules are not loaded for a sequence model)
ARCHITECTURES = {"sequence": "sentiment.sequence.recipe", "tree": "sentiment.tree.recipe"}


class Reading(abc.ABC):
    """How the API reads one text beyond its probabilities: word by word, or as a tree.
    Each architecture answers one of the two; the other raises UnsupportedError."""

    @abc.abstractmethod
    def steps(self, text: str):
        """(tokens, the class probabilities after each) of a standardized text."""

    @abc.abstractmethod
    def tree(self, text: str):
        """(tokens, the parser's pre-order splits, every node slot's probabilities, the
        slot count T: leaves 0..T-1, node m at T + m)."""

    @abc.abstractmethod
    def explain(self, api, text: str):
        """`api.predict(text)` and the reading this architecture gives of it: a
        `TreePrediction`, or the list of `StepPrediction`s."""


@dataclass(frozen=True)
class Recipe:
    """What an architecture brings to the sentiment app.

    Attributes:
        load_dataset: (registered dataset name, config) -> its splits as this
            architecture trains on them.
        prepare: (splits, config, prepared_dir, *, resume, seed, api_class, calibrate)
            -> the run's `shared.tasks.Fit`, its models wrapped in `api_class` and
            calibrated after training by `calibrate` (None: not at all).
        extra_scores: (API, gold data) -> what this architecture's evaluation adds to the
            report ({} for nothing).
        reading: (the end-to-end Keras model, the calibration to apply) -> its `Reading`.
        portable: (API) -> its ONNX core and text rules for `export --format onnx`
            (`shared.export.portable_parts`); UnsupportedError where it has none.
    """

    load_dataset: Callable
    prepare: Callable
    extra_scores: Callable[[object, object], dict]
    reading: Callable[[object, Callable], Reading]
    portable: Callable[[object], object]


def architecture_of(metadata: dict) -> str:
    """A sentiment model's architecture as its metadata records it: under "architecture"
    (bundles from now on, and the models of a training run), else in its config (tree
    bundles before), else "sequence" (bundles from before there was a tree model)."""
    config = metadata.get("config") if isinstance(metadata.get("config"), dict) else {}
    model = config.get("model") if isinstance(config.get("model"), dict) else {}
    return metadata.get("architecture") or model.get("architecture") or "sequence"


def recipe(architecture: str) -> Recipe:
    """The recipe of `architecture` (a config's `model.architecture`, a bundle's record)."""
    return importlib.import_module(ARCHITECTURES[architecture]).RECIPE
