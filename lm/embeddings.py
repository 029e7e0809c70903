"""Contextual string embeddings (Akbik et al. 2018, as in Flair): a character language
model's hidden state at word boundaries, as features of each token of a sentence.

The sentence's tokens are joined by single spaces (the form of tokenized text a
character LM trained on CoNLL-style text has read) and run through the LM from the
line boundary. A forward model gives each token the state after its last
character (the token and everything before it); a backward model, which reads the
sentence from its end, the state after the token's first character (the token and
everything after it). The LM's network lives inside the layer, frozen, so a tagger
saved with it is still one self-contained `.keras` file.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers

from lm.model import BOUNDARY, MASK, hidden_sequence, lookup_layer, reverse_rows
from shared.deprecation import moved_names
from shared.text import PACKAGE


@keras.saving.register_keras_serializable(package=PACKAGE)
class ContextualStringEmbedding(layers.Layer):
    """Tokens (batch, time) strings, "" for padding -> (batch, time, units) LM states."""

    def __init__(self, network: keras.Model, vocabulary: list[str], reverse: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.network = network
        self.network.trainable = False
        self.vocabulary = list(vocabulary)
        self.reverse = reverse
        self.lookup = lookup_layer(self.vocabulary)

    def build(self, input_shape):
        self.built = True  # the network and the lookup come built

    def call(self, tokens):
        tokens = tf.convert_to_tensor(tokens)
        valid = tf.not_equal(tokens, MASK)
        lengths = tf.where(valid, tf.strings.length(tokens, unit="UTF8_CHAR"), 0)
        # Character offset of each token in "tok1 tok2 ...": the lengths before it plus one space each.
        starts = tf.cumsum(lengths + 1, axis=1, exclusive=True)
        sentence_lengths = tf.reduce_sum(lengths, axis=1) + tf.maximum(
            tf.reduce_sum(tf.cast(valid, lengths.dtype), 1) - 1, 0
        )
        sentences = tf.strings.reduce_join(tf.RaggedTensor.from_tensor(tokens, padding=MASK), axis=1, separator=" ")
        characters = tf.strings.unicode_split(sentences, "UTF-8")
        if self.reverse:
            characters = reverse_rows(characters)
            # Read from the end, the token's first character is at (length - 1 - start), after the boundary.
            positions = sentence_lengths[:, None] - starts
        else:
            positions = starts + lengths  # the token's last character, after the boundary
        boundary = tf.RaggedTensor.from_tensor(tf.fill([characters.nrows(), 1], BOUNDARY))
        ids = self.lookup(tf.concat([boundary, characters], axis=1).to_tensor(default_value=MASK))
        states = hidden_sequence(self.network, ids)
        positions = tf.clip_by_value(positions, 0, tf.shape(states, out_type=positions.dtype)[1] - 1)
        features = tf.gather(states, positions, batch_dims=1)
        return features * tf.cast(valid, features.dtype)[..., None]

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.network.get_layer("logits").input.shape[-1])

    def get_config(self):
        return {
            **super().get_config(),
            "network": keras.saving.serialize_keras_object(self.network),
            "vocabulary": self.vocabulary,
            "reverse": self.reverse,
        }

    @classmethod
    def from_config(cls, config):
        return cls(keras.saving.deserialize_keras_object(config.pop("network")), **config)


__getattr__ = moved_names(
    __name__,
    {"from_bundle": "lm.transfer:_embedding_layer_of"},
    instead={"from_bundle": "lm.transfer.CharacterModel.open(path).embedding_layer(name)"},
)
