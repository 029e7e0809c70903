"""Language-model app: character- and word-level recurrent language models of unlabelled text."""

import shared  # noqa: F401  (quiets TensorFlow's start-up logging before it is imported)
from lm.language_model import LanguageModel, SampleStep, TextScore

__all__ = ["LanguageModel", "SampleStep", "TextScore"]
