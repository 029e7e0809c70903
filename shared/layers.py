"""Layers the apps' networks share: a token's characters, a character CNN over them and
word dropout (registered under the project's package name, so bundles saved when they
lived in `ner.model` load unchanged); the temperature that calibrates a classifier."""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers

from shared.calibration import EPSILON
from shared.text import PACKAGE


@keras.saving.register_keras_serializable(package=PACKAGE)
class Characters(layers.Layer):
    """Token strings [batch, time] -> their first `max_chars` characters [batch, time, chars]."""

    def __init__(self, max_chars: int, **kwargs):
        super().__init__(**kwargs)
        self.max_chars = max_chars

    def call(self, tokens):
        chars = tf.strings.unicode_split(tokens, "UTF-8", errors="replace")[:, :, : self.max_chars]
        chars = chars.to_tensor(default_value="")
        # At least one (padding) character: a batch whose every token is padding (a text
        # of only characters the tokenizer drops, such as U+200B) still has a width to
        # convolve and pool over, as it does beside a longer text.
        return tf.pad(chars, [[0, 0], [0, 0], [0, tf.maximum(1 - tf.shape(chars)[2], 0)]], constant_values="")

    def get_config(self):
        return {**super().get_config(), "max_chars": self.max_chars}


@keras.saving.register_keras_serializable(package=PACKAGE)
class WordDropout(layers.Layer):
    """In training, replace a share `rate` of word ids by the unknown id 1 (padding 0 stays)."""

    def __init__(self, rate: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, ids, training=False):
        if not training or self.rate == 0:
            return ids
        noise = keras.random.uniform(keras.ops.shape(ids), seed=self.seed_generator)
        dropped = keras.ops.logical_and(noise < self.rate, ids > 1)
        return keras.ops.where(dropped, keras.ops.ones_like(ids), ids)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


@keras.saving.register_keras_serializable(package=PACKAGE)
class CharCNN(layers.Layer):
    """Character ids [batch, time, chars] -> per-token features [batch, time, filters]:
    embedding, convolution, ReLU and a max over the token's real characters."""

    def __init__(self, vocabulary_size: int, dim: int, filters: int, kernel: int, **kwargs):
        super().__init__(**kwargs)
        self.vocabulary_size, self.dim, self.filters, self.kernel = vocabulary_size, dim, filters, kernel
        self.embedding = layers.Embedding(vocabulary_size, dim, name="char_embedding")
        self.convolution = layers.Conv1D(filters, kernel, padding="same", activation="relu", name="char_conv")

    def build(self, input_shape):
        self.embedding.build((None, None))
        self.convolution.build((None, None, self.dim))

    def call(self, ids):
        shape = keras.ops.shape(ids)
        flat = keras.ops.reshape(ids, (-1, shape[2]))
        keep = keras.ops.expand_dims(flat > 0, -1)
        # Zero vectors on padding, like the convolution's own edge padding, so a token's
        # features do not depend on how long the batch's longest token is.
        vectors = keras.ops.where(keep, self.embedding(flat), 0.0)
        features = self.convolution(vectors)
        # ReLU outputs are >= 0, so 0 stands in for masked positions in the max.
        pooled = keras.ops.max(keras.ops.where(keep, features, 0.0), axis=1)
        return keras.ops.reshape(pooled, (shape[0], shape[1], self.filters))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:2], self.filters)

    def compute_mask(self, ids, mask=None):
        # Concatenate ORs its inputs' masks, so every feature must mask padding tokens.
        return keras.ops.any(ids > 0, axis=-1)

    def get_config(self):
        return {
            **super().get_config(),
            "vocabulary_size": self.vocabulary_size,
            "dim": self.dim,
            "filters": self.filters,
            "kernel": self.kernel,
        }


CALIBRATION = "calibration"


@keras.saving.register_keras_serializable(package=PACKAGE)
class Temperature(layers.Layer):
    """Class probabilities [B, C] -> softmax(log(p) / temperature): temperature scaling of
    the logits (log p is the logits up to a per-row constant), argmax unchanged."""

    def __init__(self, temperature: float, **kwargs):
        super().__init__(**kwargs)
        self.temperature = float(temperature)

    def call(self, probabilities):
        logits = tf.math.log(tf.maximum(probabilities, EPSILON)) / self.temperature
        return tf.nn.softmax(logits, axis=-1)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "temperature": self.temperature}


def with_temperature(model: keras.Model, temperature: float) -> keras.Model:
    """`model` (one input, class probabilities out) with a `Temperature` layer named
    CALIBRATION after its output: the same layers, so its parts are found as before."""
    return keras.Model(model.input, Temperature(temperature, name=CALIBRATION)(model.output), name=model.name)
