import keras
import numpy as np
import pytest
import tensorflow as tf

from sentiment.config import ModelConfig, SequenceSettings
from sentiment.sequence.model import (
    MaskedPooling,
    build_classifier,
    build_end_to_end,
    build_vectorizer,
    standardize_text,
)
from tests.conftest import NO_VECTORS

TEXTS = ["A gorgeous film!", "It doesn't work.", "dull, dull, dull"]


@pytest.mark.parametrize("cell", ["simple_rnn", "gru", "lstm"])
@pytest.mark.parametrize(
    ("bidirectional", "layers", "pooling"), [(True, 1, "last"), (False, 2, "mean"), (True, 3, "max")]
)
def test_build_classifier_for_each_cell(cell, bidirectional, layers, pooling):
    config = ModelConfig(
        cell=cell,
        sequence=SequenceSettings(bidirectional=bidirectional, layers=layers, pooling=pooling),
        units=4,
        embedding_dim=4,
        **NO_VECTORS,
    )
    model = build_classifier(config, vocabulary_size=50)
    probabilities = model(np.array([[2, 3, 4, 0], [5, 0, 0, 0]]))
    assert probabilities.shape == (2, 3)
    np.testing.assert_allclose(np.sum(probabilities, axis=1), 1.0, rtol=1e-5)
    rnn_types = {type(getattr(layer, "forward_layer", layer)).__name__ for layer in model.layers}
    assert {"simple_rnn": "SimpleRNN", "gru": "GRU", "lstm": "LSTM"}[cell] in rnn_types


@pytest.mark.parametrize("pooling", ["last", "mean", "max"])
def test_padding_does_not_change_the_prediction(pooling):
    keras.utils.set_random_seed(0)
    model = build_classifier(
        ModelConfig(sequence=SequenceSettings(pooling=pooling), units=4, embedding_dim=4, **NO_VECTORS),
        vocabulary_size=50,
    )
    short = model(np.array([[2, 3, 4]])).numpy()
    padded = model(np.array([[2, 3, 4, 0, 0, 0]])).numpy()
    np.testing.assert_allclose(short, padded, rtol=1e-5, atol=1e-6)


def test_masked_pooling_ignores_masked_steps():
    values = tf.constant([[[1.0], [5.0], [-9.0]]])
    mask = tf.constant([[True, True, False]])
    assert MaskedPooling("mean")(values, mask=mask).numpy().tolist() == [[3.0]]
    assert MaskedPooling("max")(values, mask=mask).numpy().tolist() == [[5.0]]


def test_standardize_splits_clitics_and_punctuation():
    out = standardize_text(tf.constant(["It doesn\u2019t WORK!! See https://x.y/z", "caf\u00e9's  8\u00a01/2"]))
    assert out.numpy().tolist() == [
        b"it does n't work ! ! see xxurl",
        "caf\u00e9 's 8 1 / 2".encode(),
    ]


def test_standardize_reads_past_control_characters():
    """Found by fuzzing: UTF-8 lowercasing stopped at a NUL and dropped the rest."""
    out = standardize_text(tf.constant(["Good\x00 BAD\x07 end"]))
    assert out.numpy().tolist() == [b"good bad end"]


def test_end_to_end_model_takes_raw_strings():
    config = ModelConfig(units=4, embedding_dim=4, vocabulary_size=30, max_length=3, **NO_VECTORS)
    vectorizer = build_vectorizer(config, TEXTS)
    model = build_end_to_end(config, vectorizer, build_classifier(config, vectorizer.vocabulary_size()))
    assert model(tf.constant(TEXTS)).shape == (3, 3)
    # Truncation: tokens past max_length do not change the output.
    a, b = model(tf.constant(["dull dull dull", "dull dull dull gorgeous film"])).numpy()
    np.testing.assert_allclose(a, b, rtol=1e-5)
