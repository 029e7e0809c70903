import numpy as np

from sentiment.sequence.training import prior_weights


def test_prior_weights_make_the_training_mix_match_dev():
    train = [1] * 6 + [0] * 2 + [2] * 2
    dev = [0, 1, 2, 0, 1, 2]
    weights = prior_weights(train, dev, 1.0)
    mass = np.bincount(train, weights=weights)
    np.testing.assert_allclose(mass / mass.sum(), [1 / 3, 1 / 3, 1 / 3])
    assert prior_weights(train, dev, 0.0) is None
