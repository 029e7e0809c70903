"""Sentiment app: a many-to-one RNN classifier over negative / neutral / positive."""

import shared  # noqa: F401  (quiets TensorFlow's start-up logging before it is imported)
from sentiment.classifier import SentimentClassifier, SentimentPrediction, StepPrediction

__all__ = ["SentimentClassifier", "SentimentPrediction", "StepPrediction"]
