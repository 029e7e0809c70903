"""Batching variable-length sequences so padding does not dominate the cost."""

from __future__ import annotations

import bisect
import math
from collections import Counter

from rnntext_runtime.batching import length_sorted_batches

__all__ = [
    "BUCKET_BOUNDARIES",
    "bucketed_batch_count",
    "bucketed_dataset",
    "length_sorted_batches",
]  # the batching lives in the runtime

BUCKET_BOUNDARIES = (6, 10, 15, 20, 30, 40, 60, 90)


def bucketed_dataset(ids, targets, batch_size: int, seed: int, weights=None, word_dropout: float = 0.0):
    """A shuffled tf.data pipeline of (padded ids, targets[, weights]) batches grouped by length.

    Args:
        ids: a tf.RaggedTensor (examples, None) of token ids (no padding).
        targets: one target per example (array-like), or a RaggedTensor of per-token targets.
        batch_size: examples per batch.
        seed: shuffle seed (pass one per epoch for reproducible, resumable runs).
        weights: optional per-example loss weights.
        word_dropout: share of token ids replaced by the unknown id 1.
    """
    import tensorflow as tf

    parts = (ids, targets) if weights is None else (ids, targets, weights)
    # Slices of a RaggedTensor arrive as rank-0-ragged values; a map makes them dense.
    dataset = tf.data.Dataset.from_tensor_slices(parts).map(_as_dense)
    dataset = dataset.shuffle(int(ids.shape[0]), seed=seed, reshuffle_each_iteration=False)
    if word_dropout > 0:
        dataset = dataset.map(_word_dropout(word_dropout, seed))
    dataset = dataset.bucket_by_sequence_length(
        lambda x, *_: tf.shape(x)[0],
        bucket_boundaries=list(BUCKET_BOUNDARIES),
        bucket_batch_sizes=[batch_size] * (len(BUCKET_BOUNDARIES) + 1),
    )
    return dataset.prefetch(tf.data.AUTOTUNE)


def bucketed_batch_count(lengths, batch_size: int) -> int:
    """How many batches `bucketed_dataset` yields per epoch for examples of these lengths."""
    buckets = Counter(bisect.bisect_right(BUCKET_BOUNDARIES, length) for length in lengths)
    return sum(math.ceil(count / batch_size) for count in buckets.values())


def _as_dense(*parts):
    return parts


def _word_dropout(rate: float, seed: int):
    import tensorflow as tf

    def drop(ids, *rest):
        # An op-level seed in a sequential map gives the same noise for the same epoch seed.
        noise = tf.random.uniform(tf.shape(ids), seed=seed)
        return (tf.where(noise < rate, tf.ones_like(ids), ids), *rest)

    return drop
