"""Code shared by the sentiment and NER apps: datasets, training, bundles, export, CLI."""

import os

# TensorFlow's C++ start-up chatter (CPU feature notices) buries our own messages.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
