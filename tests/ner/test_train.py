"""The NER optimizer options: learning-rate schedule and weight averaging."""

import keras
import numpy as np
import pytest

from ner.config import TrainingConfig
from ner.task import make_optimizer


def test_cosine_schedule_decays_from_the_rate_to_zero_over_the_steps():
    optimizer = make_optimizer(TrainingConfig(learning_rate=0.01, schedule="cosine"), steps=100)
    rates = []
    for step in (0, 50, 100, 150):
        optimizer.iterations.assign(step)
        rates.append(float(optimizer.learning_rate))
    assert rates == pytest.approx([0.01, 0.005, 0.0, 0.0], abs=1e-7)
    constant = make_optimizer(TrainingConfig(learning_rate=0.01), steps=100)
    assert float(constant.learning_rate) == pytest.approx(0.01)


def test_an_epoch_ends_with_the_moving_average_of_the_weights():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer=make_optimizer(TrainingConfig(learning_rate=0.1, ema_momentum=0.6), steps=5), loss="mse")
    snapshots = []
    record = keras.callbacks.LambdaCallback(on_train_batch_end=lambda *_, **__: snapshots.append(model.get_weights()))
    x = np.random.default_rng(0).normal(size=(20, 3)).astype("float32")
    model.fit(x, x[:, :2] * 3, batch_size=4, epochs=1, shuffle=False, verbose=0, callbacks=[record])

    average = snapshots[0]  # Keras starts the average at the first step's weights
    for weights in snapshots[1:]:
        average = [0.6 * a + 0.4 * w for a, w in zip(average, weights)]
    assert len(snapshots) == 5
    assert not np.allclose(model.get_weights()[0], snapshots[-1][0])
    for final, expected in zip(model.get_weights(), average):
        np.testing.assert_allclose(final, expected, rtol=1e-5, atol=1e-6)


def test_bad_momentum_is_refused():
    with pytest.raises(ValueError, match="ema_momentum"):
        TrainingConfig(ema_momentum=1.0)
