"""Run an exported rnntext model with numpy and onnxruntime only (no TensorFlow).

    >>> import rnntext_runtime
    >>> model = rnntext_runtime.load("exported/sentiment-onnx")
    >>> model.predict("A gorgeous, witty film.").label
    'positive'

A folder written by `python -m <app>.export --format onnx` holds `model.onnx` (the
numeric core) and `rules.json` (text rules, vocabularies, labels). `predict` gives the
result shapes of the app's Python API.
"""

from rnntext_runtime.inputs import InputError, RuntimeModelError
from rnntext_runtime.loading import FORMAT, RULES_FILE, load

__all__ = ["FORMAT", "RULES_FILE", "InputError", "RuntimeModelError", "load"]
