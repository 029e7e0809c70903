"""Every custom layer of the sentiment models, registered with Keras: what loading a
bundle (`SentimentClassifier.MODEL_MODULE`) or a tree model's parser imports first, so
that a sequence model, a tree model and a parser alike load with `safe_mode`."""

import sentiment.parser.model  # noqa: F401
import sentiment.sequence.model  # noqa: F401
import sentiment.tree.model  # noqa: F401
