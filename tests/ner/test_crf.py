"""The linear-chain CRF against brute-force enumeration, and constrained decoding."""

import itertools

import numpy as np
import pytest
import tensorflow as tf

from ner import crf
from ner.model import ChainCRF
from ner.tags import continues, tag_set

K, T = 3, 4


@pytest.fixture
def chain():
    rng = np.random.default_rng(0)
    emissions = tf.constant(rng.normal(size=(3, T, K)), tf.float32)
    mask = tf.constant([[True] * 4, [True, True, False, False], [True, False, False, False]])
    params = [tf.constant(rng.normal(size=shape), tf.float32) for shape in ((K, K), (K,), (K,))]
    return emissions, mask, params


def _brute_force(emissions, mask, params, row):
    length = int(mask[row].numpy().sum())
    scores = {}
    for path in itertools.product(range(K), repeat=length):
        tags = np.zeros((1, T), dtype="int32")
        tags[0, :length] = path
        scores[path] = float(crf.sequence_score(emissions[row : row + 1], tags, mask[row : row + 1], *params)[0])
    return length, scores


def test_log_partition_viterbi_and_marginals_match_enumeration(chain):
    emissions, mask, params = chain
    log_z = crf.log_partition(emissions, mask, *params).numpy()
    best = crf.viterbi(emissions, mask, *params).numpy()
    marginals = crf.marginals(emissions, mask, *params).numpy()
    for row in range(3):
        length, scores = _brute_force(emissions, mask, params, row)
        values = np.array(list(scores.values()))
        np.testing.assert_allclose(log_z[row], np.log(np.exp(values).sum()), rtol=1e-5)
        assert tuple(best[row, :length]) == max(scores, key=scores.get)
        assert (best[row, length:] == 0).all()
        expected = np.zeros((length, K))
        for path, value in scores.items():
            for step, tag in enumerate(path):
                expected[step, tag] += np.exp(value - log_z[row])
        np.testing.assert_allclose(marginals[row, :length], expected, atol=1e-5)


def test_log_likelihood_is_a_normalised_distribution(chain):
    emissions, mask, params = chain
    length, scores = _brute_force(emissions, mask, params, 1)
    total = 0.0
    for path in scores:
        tags = np.zeros((1, T), dtype="int32")
        tags[0, :length] = path
        total += float(np.exp(crf.log_likelihood(emissions[1:2], tags, mask[1:2], *params)[0]))
    assert total == pytest.approx(1.0, rel=1e-5)


def test_single_token_sentences():
    emissions = tf.constant([[[0.0, 2.0, 1.0]]])
    path = crf.viterbi(emissions, tf.constant([[True]]), tf.zeros((3, 3)), tf.zeros(3), tf.zeros(3))
    assert path.numpy().tolist() == [[1]]


@pytest.mark.parametrize("learn_transitions", [True, False])
def test_decoding_never_emits_an_i_tag_that_does_not_continue(learn_transitions):
    tags = tag_set(["PER", "LOC", "ORG"])
    layer = ChainCRF(tags, learn_transitions=learn_transitions)
    layer.build((None, None, len(tags)))
    rng = np.random.default_rng(1)
    scores = tf.constant(rng.normal(scale=4.0, size=(64, 12, len(tags))), tf.float32)
    lengths = rng.integers(1, 13, size=64)
    mask = tf.constant(np.arange(12)[None] < lengths[:, None])
    path, confidence = layer.decode(scores, mask)
    for row, length in zip(path.numpy(), lengths):
        names = [tags[i] for i in row[:length]]
        assert all(continues(previous, tag) for previous, tag in zip(["O"] + names, names)), names
    assert ((confidence.numpy() > 0) == mask.numpy()).all()
    assert (confidence.numpy() <= 1.0 + 1e-6).all()


def test_the_runtimes_numpy_decoding_equals_tensorflows_on_long_rows_with_forbidden_moves():
    """rnntext_runtime.crf (numpy) against ner.crf: the same paths, marginals within 1e-5,
    over 60 steps whose emission scores grow large (log-space sums reach the hundreds)."""
    from rnntext_runtime import crf as runtime_crf

    rng = np.random.default_rng(1)
    tags = tag_set(["LOC", "PER"])
    forbidden = ChainCRF(tags)._penalty
    emissions = (rng.normal(size=(4, 60, len(tags))) * 6).astype("float32")
    lengths = [60, 31, 1, 0]
    mask = np.arange(60)[None] < np.array(lengths)[:, None]
    transitions = (rng.normal(size=(len(tags),) * 2) + forbidden).astype("float32")
    start, end = (rng.normal(size=len(tags)).astype("float32") for _ in range(2))
    chain = (transitions, start, end)
    expected_paths = crf.viterbi(tf.constant(emissions), tf.constant(mask), *chain).numpy()
    expected = crf.marginals(tf.constant(emissions), tf.constant(mask), *chain).numpy()
    assert (runtime_crf.viterbi(emissions, mask, *chain) == expected_paths).all()
    found = runtime_crf.marginals(emissions, mask, *chain)
    assert np.abs(np.where(mask[..., None], found - expected, 0)).max() < 1e-5
    assert np.allclose(found[mask].sum(axis=-1), 1.0, atol=1e-5)
    # One text alone (no padding: the loops skip the masking)
    assert (runtime_crf.viterbi(emissions[:1], mask[:1], *chain) == expected_paths[:1]).all()
    assert np.abs(runtime_crf.marginals(emissions[:1], mask[:1], *chain) - expected[:1]).max() < 1e-5
