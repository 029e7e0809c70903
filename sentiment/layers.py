"""Every custom layer of the sentiment models, registered with Keras: what loading a
bundle (`SentimentClassifier.MODEL_MODULE`) or a tree model's parser imports first, so
that a sequence model, a tree model and a parser alike load with `safe_mode`."""

import sentiment.model  # noqa: F401
import sentiment.parser  # noqa: F401
import sentiment.tree_model  # noqa: F401
