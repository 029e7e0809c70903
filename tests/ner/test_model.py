"""The tagger network: build options, padding invariance, feature layers."""

import numpy as np
import pytest
import tensorflow as tf

from ner.config import ModelConfig
from ner.model import CASINGS, build_tagger, casing_ids
from ner.tags import tag_set
from tests.conftest import NO_VECTORS

TAGS = tag_set(["PER", "LOC"])
WORDS = ["anna", "paris", "visited", "."]
CHARS = list("abcdefghijklmnopqrstuvwxyzAP.")


@pytest.mark.parametrize(
    "options",
    [{"cell": "lstm", "layers": 1, "output": "crf"}, {"cell": "gru", "layers": 2, "output": "softmax"}],
    ids=["lstm-crf", "gru2-softmax"],
)
def test_scores_do_not_depend_on_padding(options):
    config = ModelConfig(units=8, word_dim=8, char_filters=8, **NO_VECTORS, **options)
    model = build_tagger(config, WORDS, CHARS, TAGS)
    alone = np.array([["Anna", "visited", "Paris", "."]], dtype=object)
    padded = np.array([["Anna", "visited", "Paris", ".", "", ""], ["A", "much", "longer", "sentence", "here", "x"]],
                      dtype=object)  # fmt: skip
    assert model(alone).shape == (1, 4, len(TAGS))
    np.testing.assert_allclose(model(alone).numpy()[0], model(padded).numpy()[0, :4], atol=1e-5)


def test_casing_classes():
    tokens = np.array([["", "paris", "Paris", "EU", "iPhone", "1,000", "A4", "...", "é", "Ünal"]], dtype=object)
    names = [CASINGS[i] for i in casing_ids(tokens).numpy()[0]]
    assert names == ["pad", "lower", "title", "upper", "mixed", "number", "has_digit", "punctuation", "lower", "title"]


@pytest.mark.parametrize("variational", [True, False])
def test_variational_dropout_keeps_one_mask_per_sentence(variational):
    config = ModelConfig(units=8, word_dim=8, char_filters=8, **NO_VECTORS, variational_dropout=variational)
    model = build_tagger(config, WORDS, CHARS, TAGS)
    for name in ("feature_dropout", "dropout_1"):
        kept = model.get_layer(name)(np.ones((2, 6, 40), "float32"), training=True).numpy() > 0
        same_along_sentence = (kept == kept[:, :1]).all()
        assert same_along_sentence == variational
        assert 0.3 < kept.mean() < 0.7


def test_entity_confidence_is_the_mean_tag_probability_of_each_entity_as_spans_reads_it():
    from ner.model import entity_confidence
    from ner.tags import spans, tag_set

    tags = tag_set(["LOC", "PER"])
    rng = np.random.default_rng(0)
    ids = rng.integers(0, len(tags), size=(64, 12))  # every kind of IOB2, stray I- included
    confidence = rng.uniform(size=ids.shape).astype("float32")
    lengths = rng.integers(0, 13, size=64)
    mask = np.arange(12)[np.newaxis] < lengths[:, np.newaxis]
    found = entity_confidence(tf.constant(ids), tf.constant(confidence), tf.constant(mask), tags).numpy()
    for row in range(64):
        expected = np.zeros(12, dtype="float32")
        for span in spans([tags[i] for i in ids[row, : lengths[row]]]):
            expected[span.start : span.end] = confidence[row, span.start : span.end].mean()
        np.testing.assert_allclose(found[row], expected, atol=1e-6)


def test_interpolated_is_np_interp_in_the_graph():
    from ner.model import interpolated

    points = [[0.2, 0.1], [0.5, 0.3], [0.9, 0.95]]
    values = np.linspace(-0.5, 1.5, 101).reshape(1, 101)
    xs, ys = zip(*points)
    np.testing.assert_allclose(interpolated(tf.constant(values), points).numpy(), np.interp(values, xs, ys), atol=1e-6)
    assert interpolated(tf.constant([[0.3, 0.7]]), [[0.5, 0.4]]).numpy().tolist() == [[pytest.approx(0.4)] * 2]
