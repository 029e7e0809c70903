"""What a language model learns, carried into the apps through `lm.transfer`: contextual string
embeddings for NER, a word encoder for sentiment, and what their bundles record of the LM."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import tensorflow as tf

from lm.model import hidden_sequence
from lm.transfer import CharacterModel, WordEncoder, describe
from shared.errors import BundleError
from tests.conftest import NER_ARGS, NER_FIXTURES, NO_VECTORS


@pytest.fixture(scope="module")
def char_lms(tmp_path_factory, tiny_lm_config_file):
    """Tiny forward and backward character LMs of the NER fixture's text (labels unused)."""
    from lm.train import main
    from ner.data import read_conll

    folder = tmp_path_factory.mktemp("char-lms")
    text = folder / "text.txt"
    text.write_text("".join(" ".join(s.tokens) + "\n" for s in read_conll(NER_FIXTURES / "train.txt")))
    for direction in ("forward", "backward"):
        args = ["--text", str(text), "--direction", direction, "--config", str(tiny_lm_config_file)]
        assert main([*args, "--training.bptt", "16", "--out", str(folder / direction)]) == 0
    return folder


def test_each_token_gets_the_lm_state_at_its_boundary(char_lms):
    from lm import LanguageModel

    tokens = tf.constant([["Maria", "Silva", "won", ""], ["in", "Lima", ".", "x"]])
    for direction, reading, index in (("forward", "Maria Silva", 1), ("backward", "now avliS", 1)):
        layer = CharacterModel.open(char_lms / direction).embedding_layer()
        features = layer(tokens).numpy()
        model = LanguageModel.load(char_lms / direction)
        ids = model.encode([reading[::-1] if direction == "backward" else reading])[0]
        expected = hidden_sequence(model.network, tf.constant(ids[None].astype("int32")))[0, -1].numpy()
        np.testing.assert_allclose(features[0, index], expected, atol=1e-5)
        assert not features[0, 3].any()  # padding gets zeros


def test_a_word_model_cannot_give_string_embeddings(lm_text, tmp_path, tiny_lm_config_file):
    from lm.train import main

    args = ["--text", str(lm_text / "train.txt"), "--level", "word", "--config", str(tiny_lm_config_file)]
    assert main([*args, "--training.bptt", "8", "--out", str(tmp_path / "words")]) == 0
    with pytest.raises(BundleError, match="word-level language model; contextual string embeddings need a char"):
        CharacterModel.open(tmp_path / "words")


def test_a_tagger_trained_with_char_lms_carries_them_inside_its_bundle(char_lms, tmp_path, tiny_ner_config_file):
    from lm import LanguageModel
    from ner import EntityTagger
    from ner.export import main as export_main
    from ner.train import main

    config_directions = ("forward", "backward")
    lms = tmp_path / "lms"
    shutil.copytree(char_lms, lms)
    out = tmp_path / "ner"
    # Given backward first: each is placed by the direction its bundle records, not by position.
    args = [*NER_ARGS, "--config", str(tiny_ner_config_file), "--char-lm", str(lms / "backward"), str(lms / "forward")]
    assert main([*args, "--out", str(out), "--training.epochs", "1"]) == 0
    metadata = json.loads((out / "metadata.json").read_text())
    for direction in config_directions:  # which LM, by name and checksum: no path of this machine
        source = describe(lms / direction)
        assert (
            metadata["config"]["model"][f"char_lm_{direction}"]
            == source.reference
            == f"{direction} (sha256 {source.sha256[:16]})"
        )
        assert metadata["taken"][f"char_lm_{direction}"] == source.record()
        assert source.direction == direction and source.level == "char" and "bits_per_char" in source.dev
    assert str(tmp_path) not in (out / "metadata.json").read_text()
    before = {direction: LanguageModel.load(lms / direction).network.get_weights() for direction in config_directions}
    shutil.rmtree(lms)  # the bundle needs nothing outside it
    tagger = EntityTagger.load(out)
    assert {"char_lm_forward", "char_lm_backward"} <= {layer.name for layer in tagger.model.layers}
    for direction, weights in before.items():  # frozen: an epoch of tagging left every LM weight as it was
        inside = tagger.model.get_layer(f"char_lm_{direction}").network.get_weights()
        assert len(inside) == len(weights) > 0
        for kept, original in zip(inside, weights, strict=True):
            np.testing.assert_array_equal(kept, original)
    text = "Maria Silva won the race in Lima on Sunday ."
    assert export_main(["--model", str(out), "--out", str(tmp_path / "saved")]) == 0
    served = tf.saved_model.load(str(tmp_path / "saved")).signatures["serving_default"](text=tf.constant([text]))
    expected = tagger.tag_tokens([text.split()])[0]
    assert [t.decode() for t in served["tags"].numpy()[0][: len(expected.tags)]] == list(expected.tags)
    np.testing.assert_allclose(served["scores"].numpy()[0][: len(expected.tags)], expected.scores, atol=1e-5)


def test_two_char_lms_of_one_direction_are_a_config_error(char_lms, tmp_path, tiny_ner_config_file):
    from ner.train import main
    from shared.errors import ConfigError

    args = [*NER_ARGS, "--config", str(tiny_ner_config_file), "--out", str(tmp_path / "ner")]
    with pytest.raises(ConfigError, match="are both forward models"):
        main([*args, "--char-lm", str(char_lms / "forward"), str(char_lms / "forward")])


@pytest.fixture(scope="module")
def word_lm(tmp_path_factory, tiny_lm_config_file):
    """A tiny word LM of the review fixture's texts, with the tiny sentiment model's embedding size."""
    from lm.train import main
    from tests.conftest import FIXTURES

    out = tmp_path_factory.mktemp("word-lm") / "lm"
    args = ["--text", str(FIXTURES / "reviews.csv"), "--text-col", "review", "--level", "word"]
    args += ["--config", str(tiny_lm_config_file), "--model.embedding_dim", "16", "--training.bptt", "8"]
    assert main([*args, "--training.batch_size", "4", "--out", str(out)]) == 0
    return out


def test_an_encoder_starts_the_embedding_and_recurrent_layer_from_the_lms(word_lm):
    from lm import LanguageModel
    from lm.model import UNKNOWN_ID
    from sentiment.config import ModelConfig, SequenceSettings
    from sentiment.sequence.model import build_classifier, initialize_from_encoder
    from sentiment.sequence.training import encoder_source

    lm = LanguageModel.load(word_lm)
    vocabulary = ["", "[UNK]", "film", "not-in-the-lm-at-all", *lm.tokens[:5]]
    config = ModelConfig(
        embedding_dim=16, units=8, sequence=SequenceSettings(encoder=str(word_lm), encoder_layers=1), **NO_VECTORS
    )
    classifier = build_classifier(config, len(vocabulary), encoder_source(config))
    known = initialize_from_encoder(classifier, vocabulary, WordEncoder.open(word_lm), encoder_layers=1)
    assert known == len({"film", *lm.tokens[:5]} & set(lm.tokens))
    rows = classifier.get_layer("embedding").get_weights()[0]
    lm_rows = lm.network.get_layer("embedding").get_weights()[0]
    for index, word in enumerate(vocabulary[4:], start=4):
        np.testing.assert_array_equal(rows[index], lm_rows[lm.vocabulary.index(word)])
    np.testing.assert_array_equal(rows[3], lm_rows[UNKNOWN_ID])  # what the LM's layers saw for a word it never met
    for ours, theirs in zip(
        classifier.get_layer("encoder_rnn_0").get_weights(), lm.network.get_layer("rnn_0").get_weights(), strict=True
    ):
        np.testing.assert_array_equal(ours, theirs)


def test_more_encoder_layers_than_the_lm_has_is_a_config_error(word_lm):
    from sentiment.config import ModelConfig, SequenceSettings
    from sentiment.sequence.training import encoder_source
    from shared.errors import ConfigError

    with pytest.raises(ConfigError, match=f"encoder_layers is 2 but {word_lm} has 1"):
        encoder_source(
            ModelConfig(
                embedding_dim=16, sequence=SequenceSettings(encoder=str(word_lm), encoder_layers=2), **NO_VECTORS
            )
        )


def test_an_embedding_size_other_than_the_encoders_is_a_config_error(word_lm):
    from sentiment.config import ModelConfig, SequenceSettings
    from sentiment.sequence.training import encoder_source
    from shared.errors import ConfigError

    with pytest.raises(ConfigError, match=f"embedding_dim is 128 but {word_lm}'s is 16"):
        encoder_source(ModelConfig(sequence=SequenceSettings(encoder=str(word_lm)), embedding_dim=128, **NO_VECTORS))


def test_sentiment_trains_with_an_encoder_and_records_it(word_lm, tmp_path, tiny_config_file):
    from sentiment.train import main
    from tests.conftest import REVIEWS_ARGS

    out = tmp_path / "sentiment"
    assert main([*REVIEWS_ARGS, "--config", str(tiny_config_file), "--encoder", str(word_lm), "--out", str(out)]) == 0
    metadata = json.loads((out / "metadata.json").read_text())
    source = describe(word_lm)
    assert (
        metadata["config"]["model"]["sequence"]["encoder"] == source.reference
        and metadata["config"]["model"]["embedding_dim"] == 16
    )
    assert metadata["taken"] == {"encoder": source.record()} and source.level == "word"
    assert str(word_lm) not in (out / "metadata.json").read_text()


def test_a_char_lm_is_no_sentiment_encoder(char_lms, tmp_path, tiny_config_file):
    from sentiment.train import main
    from shared.errors import ConfigError
    from tests.conftest import REVIEWS_ARGS

    with pytest.raises(ConfigError, match="is a char-level LM; it needs a word one"):
        main(
            [
                *REVIEWS_ARGS,
                "--config",
                str(tiny_config_file),
                "--encoder",
                str(char_lms / "forward"),
                "--out",
                str(tmp_path / "s"),
            ]
        )
