"""The sequence architecture's recipe (`sentiment.architectures`): SST with its phrases (or
airline tweets) as plain labelled texts, its training run, and its reading of a text word
by word."""

from __future__ import annotations

from sentiment.architectures import Reading, Recipe
from sentiment.data import load_named_dataset
from sentiment.sequence.training import prepare_sequence
from shared.errors import UnsupportedError


class StepReading(Reading):
    """A sequence model's reading: the class probabilities after each token."""

    def __init__(self, model, calibrate):
        import tensorflow as tf

        from sentiment.sequence.model import CLASSIFIER, VECTORIZER, standardize_text

        vectorizer = model.get_layer(VECTORIZER)
        truncate = model.get_layer("truncate")
        classifier = model.get_layer(CLASSIFIER)

        @tf.function(input_signature=[tf.TensorSpec([], tf.string)])
        def steps(text):
            ids = truncate(vectorizer(tf.reshape(text, [1])))[0]
            count = tf.shape(ids)[0]
            # Row t holds the first t + 1 tokens: the network's reading after token t.
            prefixes = tf.linalg.band_part(tf.tile(ids[tf.newaxis], [count, 1]), -1, 0)
            tokens = tf.strings.split(standardize_text(text))[:count]
            return tokens, calibrate(classifier(prefixes, training=False))

        self._steps = steps

    def steps(self, text: str):
        return self._steps(text)

    def tree(self, text: str):
        raise UnsupportedError("a sequence model reads a text word by word, not as a tree: call predict_steps(text)")

    def explain(self, api, text: str):
        return api.predict_with_steps(text)


def load_dataset(name: str, config):
    return load_named_dataset(name, phrases=config.training.phrases)


def no_extra_scores(api, data) -> dict:
    return {}


def portable(api):
    from sentiment.sequence.portable import portable  # onnx is imported only to export

    return portable(api)


RECIPE = Recipe(load_dataset, prepare_sequence, no_extra_scores, StepReading, portable)
