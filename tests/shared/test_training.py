"""The shared training loop: checkpoints, resume after a crash, early stopping, logs."""

import csv
import time

import keras
import numpy as np
import pytest
import tensorflow as tf

from shared.errors import UserError
from shared.training import LoopSettings, start_work_dir, train_loop, training_summary

X = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
Y = (X.sum(axis=1) > 0).astype("int32")


def _model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(3,))
    hidden = keras.layers.Dropout(0.3)(keras.layers.Dense(8, activation="relu")(inputs))
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(hidden))
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    return model


def _data(epoch):
    return tf.data.Dataset.from_tensor_slices((X, Y)).shuffle(64, seed=epoch).batch(16)


def _score(model):
    return {"accuracy": float(np.mean(model.predict(X, verbose=0).argmax(1) == Y))}


class Crash(Exception):
    pass


def _crash_at(epoch_to_crash):
    def make(epoch):
        if epoch == epoch_to_crash:
            raise Crash()
        return _data(epoch)

    return make


def test_resumed_run_matches_uninterrupted_run(tmp_path):
    settings = LoopSettings(epochs=4, monitor="accuracy", patience=10, seed=1)
    run = {"what": "toy"}
    full, _ = train_loop(_model(), _data, _score, settings, start_work_dir(tmp_path / "a", False), run)

    work = start_work_dir(tmp_path / "b", False)
    with pytest.raises(Crash):
        train_loop(_model(), _crash_at(2), _score, settings, work, run)
    resumed, state = train_loop(None, _data, _score, settings, start_work_dir(work, True), run, resume=True)

    assert state.epoch == 3 and len(state.history) == 4
    before_crash = sum(record["seconds"] for record in state.history[:2])
    assert before_crash > 0 and state.seconds_before_resume == pytest.approx(before_crash)
    summary = training_summary(state, seed=1, monitor="accuracy", started=time.time(), resumed=True)
    assert summary["seconds"] == pytest.approx(before_crash, abs=0.2)
    for a, b in zip(full.get_weights(), resumed.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)
    with open(work / "logs" / "training.csv") as handle:
        assert [row["epoch"] for row in csv.DictReader(handle)] == ["1", "2", "3", "4"]


def test_resume_refuses_a_run_with_other_settings(tmp_path):
    settings = LoopSettings(epochs=2, monitor="accuracy", patience=10, seed=1)
    work = start_work_dir(tmp_path / "w", False)
    with pytest.raises(Crash):
        train_loop(_model(), _crash_at(1), _score, settings, work, {"lr": 1})
    with pytest.raises(UserError, match="other settings or data"):
        train_loop(None, _data, _score, settings, work, {"lr": 2}, resume=True)


def test_early_stopping_restores_best_weights(tmp_path):
    scores = iter([0.5, 0.9, 0.4, 0.3, 0.2, 0.1])
    snapshots = []

    def score(model):
        snapshots.append([w.copy() for w in model.get_weights()])
        return {"accuracy": next(scores)}

    settings = LoopSettings(epochs=6, monitor="accuracy", patience=2, seed=1)
    model, state = train_loop(_model(), _data, score, settings, start_work_dir(tmp_path / "w", False), {})
    assert state.epoch == 3 and state.best_epoch == 1
    for a, b in zip(model.get_weights(), snapshots[1]):
        np.testing.assert_allclose(a, b)


def test_one_training_at_a_time_per_bundle(tmp_path):
    from shared.errors import TrainingBusyError
    from shared.training import training_lock, training_running

    out = tmp_path / "models" / "sentiment"
    assert not training_running(out)
    with training_lock(out):
        assert training_running(out)
        with pytest.raises(TrainingBusyError, match="another training is writing this model"), training_lock(out):
            pass
        with training_lock(tmp_path / "models" / "other"):  # another bundle is free
            pass
    assert not training_running(out)
