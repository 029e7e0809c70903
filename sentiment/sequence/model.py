"""The sentiment network: raw strings in, probabilities over LABELS out.

The end-to-end model is `text -> vectorizer -> truncate -> classifier`. The
vectorizer (standardization + vocabulary) lives inside the model, so the saved
`.keras` file and the exported SavedModel are the whole pipeline. Training runs the
`classifier` sub-model on token ids vectorized in `tf.data`.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers

from sentiment.config import ModelConfig
from sentiment.data import LABELS
from shared.text import PACKAGE, standardize_text

VECTORIZER = "vectorizer"
CLASSIFIER = "classifier"
RNN_CELLS = {"lstm": layers.LSTM, "gru": layers.GRU, "simple_rnn": layers.SimpleRNN}


@keras.saving.register_keras_serializable(package=PACKAGE)
class Truncate(layers.Layer):
    """Keep the first `max_length` token ids of each row, and at least one step (padding stays dynamic)."""

    def __init__(self, max_length: int, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length

    def call(self, ids):
        ids = ids[:, : self.max_length]
        # A text with no tokens (only control or zero-width characters) still gets one
        # padding step: recurrent layers cannot run over zero time steps.
        return tf.pad(ids, [[0, 0], [0, tf.maximum(1 - tf.shape(ids)[1], 0)]])

    def get_config(self):
        return {**super().get_config(), "max_length": self.max_length}


@keras.saving.register_keras_serializable(package=PACKAGE)
class MaskedPooling(layers.Layer):
    """Mean or max over the time steps that the mask keeps."""

    def __init__(self, mode: str, **kwargs):
        super().__init__(**kwargs)
        if mode not in ("mean", "max"):
            raise ValueError(f"pooling mode must be mean or max, got {mode!r}")
        self.mode = mode
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            mask = keras.ops.ones(keras.ops.shape(inputs)[:2], dtype="bool")
        keep = keras.ops.expand_dims(keras.ops.cast(mask, inputs.dtype), -1)
        if self.mode == "mean":
            total = keras.ops.sum(inputs * keep, axis=1)
            return total / keras.ops.maximum(keras.ops.sum(keep, axis=1), 1.0)
        lowest = keras.ops.min(inputs) - 1.0
        pooled = keras.ops.max(inputs * keep + lowest * (1.0 - keep), axis=1)
        any_kept = keras.ops.cast(keras.ops.any(mask, axis=1, keepdims=True), inputs.dtype)
        return pooled * any_kept

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


def build_vectorizer(config: ModelConfig, texts) -> layers.TextVectorization:
    """A TextVectorization layer adapted on `texts` (0 = padding, 1 = unknown)."""
    vectorizer = layers.TextVectorization(
        max_tokens=config.vocabulary_size,
        standardize=standardize_text,
        split="whitespace",
        output_mode="int",
        name=VECTORIZER,
    )
    vectorizer.adapt(tf.data.Dataset.from_tensor_slices(list(texts)).batch(1024))
    return vectorizer


def prepared_vectorizer(
    config: ModelConfig, texts, prepared_dir, *, resume: bool, vectors=None
) -> layers.TextVectorization:
    """The run's vectorizer: adapted on `texts`, with the `config.vectors_vocabulary` most
    frequent words of `vectors` added, and its vocabulary written to `prepared_dir`, or,
    on `resume`, read back from there."""
    import json

    from shared.files import write_json_atomic

    vocabulary_file = prepared_dir / "vocabulary.json"
    if resume:
        return vectorizer_from_vocabulary(config, json.loads(vocabulary_file.read_text(encoding="utf-8")))
    vectorizer = build_vectorizer(config, texts)
    if config.vectors_vocabulary:
        vocabulary = vectorizer.get_vocabulary()
        known = set(vocabulary)
        extra = [word for word in vectors.most_frequent(config.vectors_vocabulary) if word not in known]
        vectorizer = vectorizer_from_vocabulary(config, [*vocabulary, *extra])
    write_json_atomic(vocabulary_file, vectorizer.get_vocabulary())
    return vectorizer


def vectorizer_from_vocabulary(config: ModelConfig, vocabulary: list[str]) -> layers.TextVectorization:
    """A TextVectorization layer with a known vocabulary (as returned by get_vocabulary)."""
    return layers.TextVectorization(
        max_tokens=max(config.vocabulary_size, len(vocabulary)),  # more: words of the vectors added
        standardize=standardize_text,
        split="whitespace",
        output_mode="int",
        vocabulary=vocabulary[2:],
        name=VECTORIZER,
    )


def build_classifier(config: ModelConfig, vocabulary_size: int, encoder=None) -> keras.Model:
    """Token ids (batch, time) -> class probabilities (batch, len(LABELS)).

    `encoder` (the word LM's `lm.transfer.LanguageModelSource`) shapes the
    `config.sequence.encoder_layers` recurrent layers taken from it, which run forward over the
    embedded words.
    """
    ids = keras.Input(shape=(None,), dtype="int64", name="token_ids")
    frozen = config.vectors != "none" and config.freeze_vectors
    x = layers.Embedding(vocabulary_size, config.embedding_dim, mask_zero=True, trainable=not frozen, name="embedding")(
        ids
    )
    x = layers.Dropout(config.embedding_dropout, noise_shape=(None, 1, config.embedding_dim))(x)
    for index in range(config.sequence.encoder_layers):
        cell = RNN_CELLS[encoder.cell]
        x = cell(encoder.units, return_sequences=True, name=f"encoder_rnn_{index}")(x)
        x = layers.Dropout(encoder.dropout)(x)
    for index in range(config.sequence.layers):
        last = index == config.sequence.layers - 1
        rnn = RNN_CELLS[config.cell](config.units, return_sequences=not (last and config.sequence.pooling == "last"))
        if config.sequence.bidirectional:
            rnn = layers.Bidirectional(rnn)
        x = rnn(x)
        x = layers.Dropout(config.dropout)(x)
    if config.sequence.pooling != "last":
        x = MaskedPooling(config.sequence.pooling, name="pooling")(x)
    probabilities = layers.Dense(len(LABELS), activation="softmax", name="probabilities")(x)
    return keras.Model(ids, probabilities, name=CLASSIFIER)


def initialize_from_encoder(classifier: keras.Model, vocabulary: list[str], encoder, encoder_layers: int = 0) -> int:
    """Start `classifier` from `encoder` (an `lm.transfer.WordEncoder`); returns how many words it knew.

    Each word of `vocabulary` gets the LM's embedding of it, or the LM's unknown-word
    embedding (what the LM's recurrent layers saw for it) when the LM has never seen
    it; the first `encoder_layers` recurrent layers get the LM's trained weights.
    """
    layer = classifier.get_layer("embedding")
    weights = layer.get_weights()[0]
    weights[1:], known = encoder.rows(vocabulary[1:])  # row 0 is padding
    layer.set_weights([weights])
    for index in range(encoder_layers):
        classifier.get_layer(f"encoder_rnn_{index}").set_weights(encoder.recurrent_weights[index])
    return known


def initialize_from_vectors(model: keras.Model, vocabulary: list[str], vectors, layer: str = "embedding") -> int:
    """Start each word of `vocabulary` (the vectorizer's: 0 padding, 1 the unknown word)
    that `vectors` (`shared.vectors.Vectors`) know from its vector, in `model`'s
    embedding `layer`; returns how many it knew."""
    from shared.vectors import start_embedding

    return start_embedding(model.get_layer(layer), vocabulary[2:], vectors, first_row=2)


def build_end_to_end(config: ModelConfig, vectorizer, classifier: keras.Model) -> keras.Model:
    """Raw strings (batch,) -> probabilities; the artifact users save, load and export."""
    text = keras.Input(shape=(), dtype="string", name="text")
    ids = Truncate(config.max_length, name="truncate")(vectorizer(text))
    return keras.Model(text, classifier(ids), name="sentiment")
