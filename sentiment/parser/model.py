"""The sentiment app's own parser: a binary tree for any text, so the recursive network
reads raw text (minimal span-based parsing, Stern, Andreas and Klein 2017).

A BiLSTM reads the tokens; the span between fenceposts i < j (the gaps before token i
and after token j - 1) is represented by the differences of the forward and the
backward states at its ends, and scored by a small MLP. The tree of tokens i..j-1 is
split where the two halves score highest together, top down and greedily:

    split(i, j) = argmax over i < k < j of  s(i, k) + s(k, j)

Training maximises the likelihood of each gold node's split among its possible ones
(the treebank's bracketing; its labels are the classifier's business).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from shared.text import PACKAGE


@keras.saving.register_keras_serializable(package=PACKAGE)
class SpanScorer(layers.Layer):
    """Token vectors [B, T, D] and their mask -> the score of every span [B, T + 1, T + 1]
    (entry [b, i, j] for fenceposts i < j; the rest is meaningless)."""

    def __init__(self, units: int, hidden: int, depth: int = 1, dropout: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = hidden
        self.depth = depth
        self.dropout = dropout
        self.supports_masking = True  # it reads the tokens' mask; its output has none
        # Weights are saved under attribute names: the first BiLSTM stays `reader`, as when
        # there was only one, so bundles saved then load.
        self.reader = self.bilstm("reader")
        self.deeper = [self.bilstm(f"reader_{n}") for n in range(2, depth + 1)]
        self.drop = layers.Dropout(dropout, name="reader_dropout")  # on its inputs and each BiLSTM's output
        self.ends = layers.Dense(hidden, use_bias=False, name="ends")  # the MLP's first layer, by fencepost
        self.score = layers.Dense(1, name="score")

    def bilstm(self, name: str):
        return layers.Bidirectional(layers.LSTM(self.units, return_sequences=True), name=name)

    def build(self, input_shape):
        self.reader.build(input_shape)
        for reader in self.deeper:
            reader.build((*input_shape[:-1], 2 * self.units))
        self.ends.build((*input_shape[:-1], 2 * self.units))
        self.bias = self.add_weight(shape=(self.hidden,), initializer="zeros", name="bias")
        self.score.build((*input_shape[:-1], self.hidden))
        self.built = True

    def call(self, vectors, mask=None, training=False):
        states = self.drop(vectors, training=training)
        for reader in (self.reader, *self.deeper):
            states = self.drop(reader(states, mask=mask, training=training), training=training)
        # states [B, T, 2U]: the last BiLSTM's forward half, backward half
        forward, backward = tf.split(states, 2, axis=-1)
        zeros = tf.zeros_like(forward[:, :1])
        # Fencepost k: forward state after token k - 1, backward state from token k on.
        forward = tf.concat([zeros, forward], axis=1)  # [B, T + 1, U]
        if mask is not None:  # the fencepost after the last real token reads nothing backward
            backward = backward * tf.cast(mask, backward.dtype)[..., None]
        backward = tf.concat([backward, zeros], axis=1)
        # W [f_j - f_i; b_i - b_j] = (P_j - Q_j) - (P_i - Q_i) with P = W_f f, Q = W_b b.
        fence = self.ends(tf.concat([forward, -backward], axis=-1))  # [B, T + 1, H]
        hidden = tf.nn.relu(fence[:, None, :, :] - fence[:, :, None, :] + self.bias)  # [B, i, j, H]
        return tf.squeeze(self.score(hidden), -1)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        steps = None if input_shape[1] is None else input_shape[1] + 1
        return (input_shape[0], steps, steps)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "hidden": self.hidden,
            "depth": self.depth,
            "dropout": self.dropout,
        }


def split_logits(scores, spans):
    """For each node (i, j) of `spans` [B, M, 2], the logits of its splits k: s(i, k) +
    s(k, j) where i < k < j, -inf elsewhere: [B, M, T + 1]."""
    i, j = spans[..., 0], spans[..., 1]
    left = tf.gather(scores, i, batch_dims=1)  # [B, M, T + 1]: s(i, k) for every k
    right = tf.gather(tf.transpose(scores, [0, 2, 1]), j, batch_dims=1)  # s(k, j) for every k
    k = tf.range(tf.shape(scores)[1])[None, None, :]
    inside = (k > i[..., None]) & (k < j[..., None])
    return tf.where(inside, left + right, tf.fill(tf.shape(left), tf.constant(-1e9, left.dtype)))


def gold_splits(tree) -> list[tuple[int, int, int]]:
    """(i, j, k) of every composed node of a `shared.treebank.TreeNode`: its span and where it splits."""
    from shared.treebank import post_order

    found, start = [], {id(tree): 0}  # where each node's span starts, set from its parent's
    for node in reversed(post_order(tree)):  # parents before children: their starts are known
        if node.children:
            left, right = node.children
            start[id(left)] = start[id(node)]
            start[id(right)] = start[id(node)] + len(left.tokens)
    for node in post_order(tree):  # children first, as the recursive walk found them
        if node.children:
            i = start[id(node)]
            found.append((i, i + len(node.tokens), i + len(node.children[0].tokens)))
    return found


def greedy_splits(scores: np.ndarray, length: int) -> list[tuple[int, int, int]]:
    """The tree of `length` tokens that `scores` [T + 1, T + 1] choose top down, as the
    (i, j, k) of each composed node in pre-order (parents before children, left first)."""
    found, stack = [], [(0, length)]
    while stack:
        i, j = stack.pop()
        if j - i < 2:
            continue
        k = i + 1 + int(np.argmax(scores[i, i + 1 : j] + scores[i + 1 : j, j]))
        found.append((i, j, k))
        stack += [(k, j), (i, k)]  # the left half is taken next
    return found


@keras.saving.register_keras_serializable(package=PACKAGE)
class GreedyParse(layers.Layer):
    """(span scores [B, T + 1, T + 1], lengths [B]) -> the composer's layout of the greedy
    trees, inside the graph (so a SavedModel parses raw text): left, right, slots
    [B, T - 1, 1], roots [B] and the pre-order splits [B, T - 1, 3].

    Each row keeps a stack of spans still to split; step m pops one, splits it, and pushes
    its halves of two tokens or more (the right one first, so the left is split next): step
    m yields pre-order node m of every tree (`greedy_splits`), laid out as `encode_splits`
    lays it out. A tree of n tokens has n - 1 nodes; rows past theirs write to scratch.
    """

    def call(self, scores, lengths):
        lengths = tf.cast(lengths, tf.int32)
        batch, width = tf.shape(scores)[0], tf.shape(scores)[1] - 1
        nodes = tf.maximum(width - 1, 0)
        rows = tf.range(batch)
        first = tf.stack([rows, tf.zeros_like(rows)], 1)
        stack = tf.tensor_scatter_nd_update(
            tf.zeros([batch, width + 1, 2], tf.int32), first, tf.stack([tf.zeros_like(lengths), lengths], 1)
        )
        top = tf.cast(lengths >= 2, tf.int32)
        found = tf.zeros([batch, nodes, 3], tf.int32)
        fenceposts = tf.range(width + 1)[None, :]
        by_end = tf.transpose(scores, [0, 2, 1])

        def step(m, stack, top, found):
            active = top > 0
            span = tf.gather(stack, tf.maximum(top - 1, 0), batch_dims=1)  # [B, 2]
            i, j = span[:, 0], span[:, 1]
            both = tf.gather(scores, i, batch_dims=1) + tf.gather(by_end, j, batch_dims=1)  # s(i, k) + s(k, j)
            inside = (fenceposts > i[:, None]) & (fenceposts < j[:, None])
            both = tf.where(inside, both, tf.fill(tf.shape(both), scores.dtype.min))
            k = tf.argmax(both, axis=1, output_type=tf.int32)
            node = tf.where(active[:, None], tf.stack([i, j, k], 1), 0)
            found = tf.tensor_scatter_nd_update(found, tf.stack([rows, tf.fill([batch], m)], 1), node)
            top = tf.where(active, top - 1, top)  # popped
            for start, end in ((k, j), (i, k)):  # the right half first: the left is popped next
                push = active & (end - start >= 2)
                pushed = tf.tensor_scatter_nd_update(stack, tf.stack([rows, top], 1), tf.stack([start, end], 1))
                stack = tf.where(push[:, None, None], pushed, stack)
                top = tf.where(push, top + 1, top)
            return m + 1, stack, top, found

        _, _, _, found = tf.while_loop(lambda m, *_: m < nodes, step, (0, stack, top, found))
        return (*layout_splits(found, lengths, width), found)


def layout_splits(found, lengths, width):
    """`sentiment.trees.encode_splits` in the graph: (left, right, slots [B, M, 1], roots)
    of pre-order nodes `found` [B, M, 3] of trees of `lengths` tokens, at most `width`."""
    i, j, k = found[..., 0], found[..., 1], found[..., 2]
    m = tf.range(tf.shape(found)[1])[None, :]
    count = tf.maximum(lengths - 1, 0)[:, None]
    real = m < count
    left = tf.where(k - i == 1, i, width + m + 1)
    right = tf.where(j - k == 1, k, width + m + (k - i))
    # Node m is composed at step count - 1 - m (children before parents); padding after.
    by_step = tf.argsort(tf.where(real, count - 1 - m, tf.shape(found)[1] + m), axis=1, stable=True)
    scratch = 2 * width - 1
    arranged = [
        tf.gather(tf.where(real, values, scratch), by_step, batch_dims=1)[..., None]
        for values in (left, right, width + m)
    ]
    return (*arranged, tf.where(lengths >= 2, width, 0))
