"""Deprecated: `sentiment.sequence.model` (the sequence model; see `shared.deprecation`)."""

from shared.deprecation import moved_module

__getattr__ = moved_module(__name__, "sentiment.sequence.model")
