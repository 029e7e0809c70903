"""The base of the apps' Python APIs: load a bundle, and predict one text or a list."""

from __future__ import annotations

import abc
import importlib
from pathlib import Path

from rnntext_runtime.model import OneOrMany


class BundleModel(OneOrMany):
    """A trained model of one task, loaded from its bundle.

    Subclasses set `TASK` (the bundle's task name) and `MODEL_MODULE` (the module
    that registers the model's custom layers), and implement `_predict_texts` (`predict`
    of one text or a list comes from `rnntext_runtime.model.OneOrMany`).
    Attributes every API object has: `model` (the end-to-end Keras model),
    `metadata` (the bundle's metadata.json), `path` (the bundle folder, None for a
    model that was never saved) and `labels`.
    """

    TASK: str
    MODEL_MODULE: str

    def __init__(self, model, metadata: dict | None = None, path: str | Path | None = None):
        self.model = model
        self.metadata = dict(metadata or {})
        self.path = Path(path) if path is not None else None
        self._fast = None  # an rnntext_runtime model of a loaded bundle (see `load`)

    @property
    def engine(self) -> str:
        """What computes `predict`: "onnxruntime" (a loaded bundle's ONNX core, its text
        rules in Python) or "tensorflow" (a model without one, or one being trained)."""
        return "tensorflow" if self._fast is None else "onnxruntime"

    @classmethod
    def load(cls, path: str | Path):
        """Load a bundle of this task (safe mode, no pickle).

        Raises:
            BundleError: the folder is missing, incomplete, unsafe or of another task.
        """
        from shared.bundle import load_bundle
        from shared.export import portable_runtime

        importlib.import_module(cls.MODEL_MODULE)  # registers the custom layers before loading
        bundle = load_bundle(path, task=cls.TASK)
        api = cls(bundle.model, bundle.metadata, bundle.path)
        # The fast path: the saved weights as an ONNX core in onnxruntime, the text in Python
        # (no TensorFlow call per text). Only for a loaded bundle, whose weights no longer
        # change: the model of a training run keeps TensorFlow. None where there is no core.
        api._fast = portable_runtime(api)
        return api

    @property
    @abc.abstractmethod
    def labels(self) -> tuple[str, ...]:
        """The classes (or entity types) the model predicts."""
