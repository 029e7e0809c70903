"""The tagger network: build options, padding invariance, feature layers."""

import numpy as np
import pytest

from ner.config import ModelConfig
from ner.model import CASINGS, build_tagger, casing_ids
from ner.tags import tag_set

TAGS = tag_set(["PER", "LOC"])
WORDS = ["anna", "paris", "visited", "."]
CHARS = list("abcdefghijklmnopqrstuvwxyzAP.")


@pytest.mark.parametrize(
    "options",
    [{"cell": "lstm", "layers": 1, "output": "crf"}, {"cell": "gru", "layers": 2, "output": "softmax"}],
    ids=["lstm-crf", "gru2-softmax"],
)
def test_scores_do_not_depend_on_padding(options):
    model = build_tagger(ModelConfig(units=8, word_dim=8, char_filters=8, **options), WORDS, CHARS, TAGS)
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
    model = build_tagger(
        ModelConfig(units=8, word_dim=8, char_filters=8, variational_dropout=variational), WORDS, CHARS, TAGS
    )
    for name in ("feature_dropout", "dropout_1"):
        kept = model.get_layer(name)(np.ones((2, 6, 40), "float32"), training=True).numpy() > 0
        same_along_sentence = (kept == kept[:, :1]).all()
        assert same_along_sentence == variational
        assert 0.3 < kept.mean() < 0.7
