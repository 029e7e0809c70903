"""Running a language model's network: the bits of each token of a text, and sampling, the
recurrent state carried explicitly.

Everything here runs the network in chunks (`lm.model.run_chunk`), so text of any
length is scored in bounded memory, and the sampling function is one TensorFlow
graph that the API runs and the SavedModel exports unchanged.
"""

from __future__ import annotations

import math

import numpy as np
import tensorflow as tf

from lm.model import FIRST_TOKEN_ID, run_chunk, zero_states

CHUNK = 256  # time steps per call when scoring
STREAMS = 64  # parallel rows when scoring one long text
WARM_UP = 200  # tokens each row after the first reads before it counts (they are counted by the row before)
LN2 = math.log(2.0)


def chunk_scorer(network):
    """A compiled (inputs, targets, weights, states) -> (weighted nats per row, new states)."""

    @tf.function(reduce_retracing=True)
    def score(inputs, targets, weights, states):
        logits, states = run_chunk(network, inputs, states)
        nats = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits)
        return tf.reduce_sum(nats * weights, axis=1), states

    return score


def row_bits(network, ids: np.ndarray, counted: np.ndarray | None = None, *, chunk: int = CHUNK, scorer=None):
    """Bits to predict each row's tokens after its first, per row.

    Args:
        ids: (rows, time) token ids, 0-padded at the end.
        counted: (rows, time) 0/1: which positions' tokens count (default: every non-padding one).
    """
    rows, length = ids.shape
    if counted is None:
        counted = ids > 0
    counted = counted.astype(np.float32)
    scorer = scorer or chunk_scorer(network)
    states = zero_states(network, rows)
    total = np.zeros(rows)
    for start in range(0, length - 1, chunk):
        stop = min(start + chunk, length - 1)
        nats, states = scorer(
            tf.constant(ids[:, start:stop], tf.int32),
            tf.constant(ids[:, start + 1 : stop + 1], tf.int32),
            tf.constant(counted[:, start + 1 : stop + 1]),
            states,
        )
        total += nats.numpy()
    return total / LN2


def stream_bits(network, ids: np.ndarray, *, streams: int = STREAMS, chunk: int = CHUNK, scorer=None) -> float:
    """Total bits to predict ids[1:] from what comes before, as one carried-state pass would.

    The text is cut into up to `streams` rows scored side by side; each row after the
    first reads the WARM_UP tokens before its start without counting them.
    """
    ids = np.asarray(ids)
    targets = len(ids) - 1
    if targets < 1:
        return 0.0
    rows = max(1, min(streams, targets // (4 * WARM_UP)))
    bounds = [targets * row // rows for row in range(rows + 1)]
    width = max(stop - start for start, stop in zip(bounds, bounds[1:])) + WARM_UP + 1
    inputs = np.zeros((rows, width), dtype=np.int32)
    counted = np.zeros((rows, width), dtype=bool)
    for row, (start, stop) in enumerate(zip(bounds, bounds[1:])):
        begin = max(0, start - WARM_UP)
        inputs[row, : stop + 1 - begin] = ids[begin : stop + 1]
        counted[row, start + 1 - begin : stop + 1 - begin] = True
    return float(row_bits(network, inputs, counted, chunk=chunk, scorer=scorer).sum())


def choose_next(logits, temperature, top_k, seed, step):
    """One token id per row from `logits` (rows, vocabulary) at `temperature`, among the `top_k`
    most likely (0: all); never padding or the unknown token. Deterministic in (seed, step)."""
    logits = tf.cast(logits, tf.float32) / tf.cast(temperature, tf.float32)
    vocabulary = tf.shape(logits)[1]
    allowed = tf.range(vocabulary) >= FIRST_TOKEN_ID
    logits = tf.where(allowed[None, :], logits, tf.float32.min)
    k = tf.where(top_k > 0, tf.minimum(top_k, vocabulary - FIRST_TOKEN_ID), vocabulary)
    kth = tf.math.top_k(logits, k=k).values[:, -1:]
    logits = tf.where(logits >= kth, logits, tf.float32.min)
    seeds = tf.stack([tf.cast(seed, tf.int64), tf.cast(step, tf.int64)])
    return tf.random.stateless_categorical(logits, 1, seed=seeds, dtype=tf.int32)[:, 0]


def sampler(network):
    """A graph function (prime ids, length, temperature, top_k, seed) -> `length` sampled ids."""

    def sample(prime, length, temperature, top_k, seed):
        logits, states = run_chunk(network, prime[None, :], zero_states(network, 1))
        last = logits[:, -1]
        out = tf.TensorArray(tf.int32, size=length)

        def body(step, last, states, out):
            token = choose_next(last, temperature, top_k, seed, step)
            logits, states = run_chunk(network, token[:, None], states)
            return step + 1, logits[:, -1], states, out.write(step, token[0])

        _, _, _, out = tf.while_loop(lambda step, *_: step < length, body, (tf.constant(0), last, states, out))
        return out.stack()

    return sample
