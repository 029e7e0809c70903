import numpy as np
import tensorflow as tf

from shared.sequences import BUCKET_BOUNDARIES, bucketed_batch_count, bucketed_dataset, length_sorted_batches

IDS = tf.ragged.constant([[i + 2] * (1 + i % 13) for i in range(40)], dtype=tf.int64)
LABELS = np.arange(40, dtype="int32")


def _batches(**kwargs):
    return list(bucketed_dataset(IDS, LABELS, batch_size=4, seed=7, **kwargs))


def test_every_example_once_with_its_own_ids():
    seen = []
    for ids, labels in _batches():
        for row, label in zip(ids.numpy(), labels.numpy()):
            length = 1 + label % 13
            assert row[:length].tolist() == [label + 2] * length and not row[length:].any()
            seen.append(int(label))
    assert sorted(seen) == list(range(40))


def test_batch_count_matches_the_dataset():
    lengths = [1 + i % 13 for i in range(40)] + [n for b in BUCKET_BOUNDARIES for n in (b - 1, b)] + [200]
    ids = tf.ragged.constant([[2] * n for n in lengths], dtype=tf.int64)
    labels = np.zeros(len(lengths), dtype="int32")
    for batch_size in (1, 2, 3, 64):
        batches = list(bucketed_dataset(ids, labels, batch_size=batch_size, seed=1))
        assert bucketed_batch_count(lengths, batch_size) == len(batches)


def test_weights_travel_with_their_examples():
    weights = (LABELS / 10).astype("float32")
    for _, labels, batch_weights in _batches(weights=weights):
        np.testing.assert_allclose(batch_weights.numpy(), labels.numpy() / 10)


def test_word_dropout_is_seeded_and_only_replaces_tokens_with_unknown():
    first = [ids.numpy() for ids, _ in _batches(word_dropout=0.5)]
    second = [ids.numpy() for ids, _ in _batches(word_dropout=0.5)]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    flat = np.concatenate([a.ravel() for a in first])
    assert 0.3 < np.mean(flat == 1) / np.mean(flat > 0) < 0.7


def test_length_sorted_batches_cover_all_indices_longest_first():
    batches = length_sorted_batches([3, 9, 1, 5, 7], batch_size=2)
    assert [b.tolist() for b in batches] == [[1, 4], [3, 0], [2]]
