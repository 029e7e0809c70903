"""Recursive networks: a sentence's vector composed over its binary parse tree.

Each node's state is composed from its two children's (backpropagation through
structure trains it), with one of three cells:

    simple_rnn   the plain recursive network: p = tanh(W [c1; c2] + b)
    lstm         the binary constituency Tree-LSTM (Tai et al. 2015): a forget gate per child
    gru          a gated variant: an update gate mixing the children's states with a candidate

A leaf's state comes from its word vector (an LSTM or GRU step with no children; tanh of a
dense layer for simple_rnn). `TreeComposer` composes a whole batch at once, one height
level per step of a `tf.while_loop` (`sentiment.trees` lays the trees out), so a batch
costs as many steps as its tallest tree is high.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers

import sentiment.parser.model  # noqa: F401  (registers every layer a tree bundle holds, the parser's too:
import sentiment.sequence.model  # noqa: F401  a bundle loads in a new process)
import shared.layers  # noqa: F401
from shared.text import PACKAGE

CELLS = ("simple_rnn", "lstm", "gru")


@keras.saving.register_keras_serializable(package=PACKAGE)
class TreeComposer(layers.Layer):
    """(leaf vectors [B, T, D], left, right, slots [B, H, W]) -> node states [B, 2T, units].

    Slots 0..T-1 hold the leaves' states, T..2T-2 the composed nodes', 2T-1 is scratch.
    """

    def __init__(self, units: int, cell: str = "lstm", **kwargs):
        super().__init__(**kwargs)
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {', '.join(CELLS)}, got {cell!r}")
        self.units = units
        self.cell = cell
        gates = {"simple_rnn": 1, "lstm": 5, "gru": 3}[cell]  # lstm: i, f_left, f_right, o, u; gru: z_left, z_right, u
        self.leaf = layers.Dense(units * (1 if cell == "simple_rnn" else 3), name="leaf")
        self.compose = layers.Dense(units * gates, name="compose")

    def build(self, input_shape):
        leaf_shape = input_shape[0]
        self.leaf.build(leaf_shape)
        self.compose.build((*leaf_shape[:-1], 2 * self.units))
        self.built = True

    def leaf_states(self, vectors):
        """(h, c) of each leaf from its word vector (c is zeros but for the LSTM)."""
        projected = self.leaf(vectors)
        if self.cell == "simple_rnn":
            h = tf.tanh(projected)
            return h, tf.zeros_like(h)
        first, second, third = tf.split(projected, 3, axis=-1)
        if self.cell == "lstm":  # input gate, output gate, candidate; no children to forget
            c = tf.sigmoid(first) * tf.tanh(third)
            return tf.sigmoid(second) * tf.tanh(c), c
        return (1.0 - tf.sigmoid(first)) * tf.tanh(third), tf.zeros_like(third)  # gru: no children to keep

    def node_states(self, h_left, c_left, h_right, c_right):
        """(h, c) of nodes from their children's."""
        projected = self.compose(tf.concat([h_left, h_right], axis=-1))
        if self.cell == "simple_rnn":
            h = tf.tanh(projected)
            return h, tf.zeros_like(h)
        if self.cell == "lstm":
            i, f_left, f_right, o, u = tf.split(projected, 5, axis=-1)
            c = tf.sigmoid(i) * tf.tanh(u) + tf.sigmoid(f_left) * c_left + tf.sigmoid(f_right) * c_right
            return tf.sigmoid(o) * tf.tanh(c), c
        z_left, z_right, u = tf.split(projected, 3, axis=-1)
        # Softmax over (keep left, keep right, take the candidate): the weights sum to one.
        weights = tf.nn.softmax(tf.stack([z_left, z_right, tf.zeros_like(u)], axis=-1), axis=-1)
        h = weights[..., 0] * h_left + weights[..., 1] * h_right + weights[..., 2] * tf.tanh(u)
        return h, tf.zeros_like(h)

    def call(self, inputs):
        vectors, left, right, slots = inputs
        batch, width = tf.shape(vectors)[0], tf.shape(vectors)[1]
        h, c = self.leaf_states(vectors)
        empty = tf.zeros([batch, width, self.units], h.dtype)
        h, c = tf.concat([h, empty], axis=1), tf.concat([c, empty], axis=1)
        rows = tf.broadcast_to(tf.range(batch)[:, None], tf.shape(slots)[::2])  # [B, W]

        def level(index, h, c):
            pick = lambda states, where: tf.gather(states, where[:, index], batch_dims=1)  # noqa: E731
            new_h, new_c = self.node_states(pick(h, left), pick(c, left), pick(h, right), pick(c, right))
            at = tf.stack([rows, slots[:, index]], axis=-1)
            return index + 1, tf.tensor_scatter_nd_update(h, at, new_h), tf.tensor_scatter_nd_update(c, at, new_c)

        _, h, _ = tf.while_loop(lambda index, *_: index < tf.shape(slots)[1], level, (0, h, c))
        return h

    def compute_output_shape(self, input_shape):
        batch, width = input_shape[0][:2]
        return (batch, None if width is None else 2 * width, self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "cell": self.cell}


TREE_CLASSIFIER = "tree_classifier"
TREE_INPUTS = ("token_ids", "left", "right", "slots")


def build_tree_classifier(config, vocabulary_size: int, classes: int) -> keras.Model:
    """(token ids [B, T], left, right, slots [B, H, W]) -> class probabilities of every
    node slot [B, 2T, classes]: a softmax at every node of the tree."""
    ids = keras.Input(shape=(None,), dtype="int64", name="token_ids")
    schedule = [keras.Input(shape=(None, None), dtype="int32", name=name) for name in TREE_INPUTS[1:]]
    frozen = config.vectors != "none" and config.freeze_vectors
    x = layers.Embedding(vocabulary_size, config.embedding_dim, trainable=not frozen, name="embedding")(ids)
    x = layers.Dropout(config.embedding_dropout, noise_shape=(None, 1, config.embedding_dim))(x)
    states = TreeComposer(config.units, config.cell, name="composer")([x, *schedule])
    states = layers.Dropout(config.dropout)(states)
    probabilities = layers.Dense(classes, activation="softmax", name="probabilities")(states)
    return keras.Model([ids, *schedule], probabilities, name=TREE_CLASSIFIER)


def tree_batches(trees, lookup: dict[str, int], batch_size: int) -> list[tuple]:
    """Length-sorted batches of `trees` as ((ids, left, right, slots), labels, weights):
    labels 0 where a node has none, weights 0 there and elsewhere scaled so that the
    loss is the mean over the labelled nodes of the batch."""
    import numpy as np

    from sentiment.trees import NO_LABEL, encode_trees
    from shared.sequences import length_sorted_batches

    batches = []
    for index in length_sorted_batches([len(tree.tokens) for tree in trees], batch_size):
        batch = encode_trees([trees[i] for i in index])
        ids = np.zeros((len(index), batch.width), np.int64)
        for row, tokens in enumerate(batch.tokens):
            ids[row, : len(tokens)] = [lookup.get(token, 1) for token in tokens]
        labelled = batch.labels != NO_LABEL
        weights = labelled * (labelled.size / max(labelled.sum(), 1))
        inputs = (ids, batch.left, batch.right, batch.slots)
        batches.append((inputs, np.where(labelled, batch.labels, 0), weights.astype("float32")))
    return batches


PARSER = "parser"
PARSER_MAX_CHARS, PARSER_CHAR_DIM, PARSER_CHAR_KERNEL = 16, 16, 3


def parser_characters(vocabulary: list[str]) -> list[str]:
    """The characters the parser's character CNN knows: those of the vocabulary's words."""
    return sorted({char for word in vocabulary[2:] for char in word})


def build_parser(config, vocabulary: list[str], characters: list[str], seed: int = 0) -> keras.Model:
    """The tokens' strings [B, T] ("" pads) -> the score of every span [B, T + 1, T + 1].

    A token is its word vector (its id in `vocabulary`, as the vectorizer's: 0 padding, 1
    unknown; word dropout in training) and, when `parser_char_filters` > 0, a character
    CNN's features (its spelling: suffixes, digits, hyphens, for words the vocabulary
    lacks). The parser holds its own vocabulary, so it can be taken into another model
    (`sentiment.tree.taken_parser`) and read there exactly as here.
    """
    from sentiment.parser.model import SpanScorer
    from shared.layers import Characters, CharCNN, WordDropout

    tokens = keras.Input(shape=(None,), dtype="string", name="tokens")
    ids = layers.StringLookup(vocabulary=list(vocabulary[2:]), mask_token="", name="parser_words")(tokens)
    kept = WordDropout(config.parser.word_dropout, seed=seed, name="parser_word_dropout")(ids)
    frozen = config.vectors != "none" and config.freeze_vectors
    vectors = layers.Embedding(
        len(vocabulary), config.parser.dim, mask_zero=True, trainable=not frozen, name="parser_embedding"
    )(kept)
    if config.parser.char_filters:
        char_ids = layers.StringLookup(vocabulary=list(characters), mask_token="", name="parser_characters")(
            Characters(PARSER_MAX_CHARS, name="parser_split_characters")(tokens)
        )
        spelling = CharCNN(
            len(characters) + 2, PARSER_CHAR_DIM, config.parser.char_filters, PARSER_CHAR_KERNEL, name="parser_char_cnn"
        )(char_ids)
        vectors = layers.Concatenate(name="parser_token_features")([vectors, spelling])
    scorer = SpanScorer(
        config.parser.units, config.parser.hidden, config.parser.layers, config.parser.dropout, name="span_scorer"
    )
    return keras.Model(tokens, scorer(vectors), name=PARSER)


def token_strings(texts, max_length: int):
    """Raw strings [B] -> their tokens as the vectorizer splits them, [B, T] ("" pads),
    cut as `sentiment.sequence.model.Truncate` cuts the ids (at least one step)."""
    from shared.text import standardize_text

    tokens = tf.strings.split(standardize_text(texts)).to_tensor(default_value="")[:, :max_length]
    return tf.pad(tokens, [[0, 0], [0, tf.maximum(1 - tf.shape(tokens)[1], 0)]], constant_values="")


@keras.saving.register_keras_serializable(package=PACKAGE)
class TokenStrings(layers.Layer):
    """`token_strings` as a layer of the end-to-end model (the parser reads the spelling)."""

    def __init__(self, max_length: int, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length

    def call(self, texts):
        return token_strings(texts, self.max_length)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], None)

    def get_config(self):
        return {**super().get_config(), "max_length": self.max_length}


@keras.saving.register_keras_serializable(package=PACKAGE)
class TokenCount(layers.Layer):
    """Token ids [B, T] (0: padding) -> how many tokens each row has [B]."""

    def call(self, ids):
        return tf.reduce_sum(tf.cast(tf.not_equal(ids, 0), tf.int32), axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],)


@keras.saving.register_keras_serializable(package=PACKAGE)
class AtSlots(layers.Layer):
    """(node probabilities [B, 2T, C], slots [B]) -> each row's probabilities at its slot [B, C]."""

    def call(self, nodes, slots):
        return tf.gather(nodes, tf.cast(slots, tf.int32), batch_dims=1)

    def compute_output_shape(self, nodes_shape, slots_shape):
        return (nodes_shape[0], nodes_shape[2])


def build_tree_end_to_end(config, vectorizer, classifier: keras.Model, parser: keras.Model) -> keras.Model:
    """Raw strings (batch,) -> the probabilities of each text's root, its own parser's tree
    composed in the graph: the artifact users save, load and export, as for a sequence model."""
    from sentiment.parser.model import GreedyParse
    from sentiment.sequence.model import Truncate

    text = keras.Input(shape=(), dtype="string", name="text")
    ids = Truncate(config.max_length, name="truncate")(vectorizer(text))
    tokens = TokenStrings(config.max_length, name="token_strings")(text)
    left, right, slots, roots, _ = GreedyParse(name="parse")(parser(tokens), TokenCount(name="lengths")(ids))
    nodes = classifier([ids, left, right, slots])
    return keras.Model(text, AtSlots(name="root")(nodes, roots), name="sentiment")
