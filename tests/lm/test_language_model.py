"""The language model: scoring in chunks and streams, the next-token distribution,
sampling (API, generator, CLI and SavedModel agree), training and the CLIs."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from lm.config import ModelConfig
from lm.inference import row_bits, stream_bits
from lm.model import build_network
from tests.conftest import LM_PLACES, run_module, template_text


@pytest.fixture(scope="module")
def random_network():
    import keras

    keras.utils.set_random_seed(3)
    return build_network(ModelConfig(embedding_dim=4, units=8), 12)


def test_scoring_in_chunks_of_any_size_gives_the_same_bits(random_network):
    ids = np.random.default_rng(0).integers(2, 12, size=(3, 50)).astype(np.int32)
    ids[1, 40:] = 0  # a shorter row, padded
    whole = row_bits(random_network, ids, chunk=256)
    np.testing.assert_allclose(row_bits(random_network, ids, chunk=7), whole, rtol=1e-5)
    np.testing.assert_allclose(row_bits(random_network, ids[1:2, :40]), whole[1], rtol=1e-5)


def test_a_long_text_scored_as_parallel_streams_matches_one_pass(random_network):
    ids = np.random.default_rng(1).integers(2, 12, size=6000).astype(np.int32)
    one_pass = row_bits(random_network, ids[None, :])[0]
    assert stream_bits(random_network, ids, streams=1) == pytest.approx(one_pass, rel=1e-5)
    assert stream_bits(random_network, ids, streams=7) == pytest.approx(one_pass, rel=1e-3)


def test_training_learns_the_text_and_records_it(lm_bundle, lm_text):
    meta = json.loads((lm_bundle / "metadata.json").read_text())
    assert meta["task"] == "lm" and meta["level"] == "char"
    assert meta["training"]["train_characters"] == len((lm_text / "train.txt").read_text())
    text = (lm_text / "dev.txt").read_text()
    counts = np.unique(list(text), return_counts=True)[1]
    unigram_bits = float(-(counts / counts.sum() * np.log2(counts / counts.sum())).sum())
    # Far below what character frequencies alone give: the model uses the context.
    assert meta["metrics"]["dev"]["bits_per_char"] < 0.7 * unigram_bits


def test_the_next_character_after_a_known_prefix_is_the_likely_one(language_model):
    after_name = language_model.next_distribution("Omar flew t")
    assert next(iter(after_name)) == "o"
    assert sum(after_name.values()) == pytest.approx(1.0, abs=1e-3)
    # After a name come the verbs: flew, drove, walked, wrote.
    after_space = language_model.next_distribution("Omar flew to Oslo on day 3.\nLena ", top=3)
    assert set(after_space) == {"f", "d", "w"} and sum(after_space.values()) > 0.9


def test_bits_per_token_of_template_text_are_few_and_of_noise_many(language_model):
    regular = language_model.bits_per_token(template_text(5, seed=9).splitlines())
    noise = language_model.bits_per_token(["qzkx vv jjjp wq", "xxqq zz"])
    assert regular < 1.5 < noise
    assert language_model.perplexity(["qzkx vv"]) == pytest.approx(2 ** language_model.bits_per_token(["qzkx vv"]))
    with pytest.warns(DeprecationWarning, match="use LanguageModel.bits_per_token"):
        assert language_model.score(["qzkx vv"]) == language_model.bits_per_token(["qzkx vv"])
    with pytest.warns(DeprecationWarning, match="use LanguageModel.tokens"):
        assert language_model.labels == language_model.tokens
    single = language_model.predict("Lena drove to Lima on day 3.")
    assert single.tokens == len("Lena drove to Lima on day 3.")
    assert single.perplexity == pytest.approx(2**single.bits_per_token)


def test_the_same_seed_gives_the_same_sample_everywhere(language_model, lm_bundle, tmp_path):
    import tensorflow as tf

    args = {"prime": "Keiko ", "length": 60, "temperature": 0.7, "top_k": 5, "seed": 11}
    text = language_model.sample(**args)
    assert language_model.sample(**args) == text
    assert language_model.sample(**{**args, "seed": 12}) != text
    assert "".join(step.token for step in language_model.generate(**args)) == text
    cli = run_module(
        "lm.sample", "--model", str(lm_bundle), "--prime", "Keiko ", "--length", "60",
        "--temperature", "0.7", "--top-k", "5", "--seed", "11",
    )  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout == "Keiko " + text + ("" if text.endswith("\n") else "\n")
    exported = run_module("lm.export", "--model", str(lm_bundle), "--out", str(tmp_path / "saved"))
    assert exported.returncode == 0, exported.stderr
    saved = tf.saved_model.load(str(tmp_path / "saved"))
    tensors = {
        "prime": tf.constant("Keiko "),
        "length": tf.constant(60),
        "temperature": tf.constant(0.7),
        "top_k": tf.constant(5),
        "seed": tf.constant(11, tf.int64),
    }
    assert saved.signatures["sample"](**tensors)["text"].numpy().decode() == text
    served = saved.signatures["serving_default"](text=tf.constant(["Omar flew t"]))
    tokens = [t.decode() for t in served["tokens"].numpy()]
    probabilities = served["probabilities"].numpy()[0]
    assert tokens[int(probabilities.argmax())] == "o"


def test_greedy_sampling_with_top_k_one_follows_the_most_likely_token(language_model):
    steps = list(language_model.generate("Rafael walked around ", length=8, temperature=1.0, top_k=1, top=3))
    for step in steps:
        assert step.token == next(iter(step.candidates))
    assert "".join(step.token for step in steps).split()[0] in LM_PLACES


def test_evaluate_prints_a_json_line_last_that_matches_the_api(language_model, lm_bundle, lm_text, tmp_path):
    done = run_module(
        "lm.evaluate",
        "--model",
        str(lm_bundle),
        "--text",
        str(lm_text / "dev.txt"),
        "--output",
        str(tmp_path / "e.json"),
    )
    assert done.returncode == 0, done.stderr
    last = json.loads(done.stdout.strip().splitlines()[-1])
    report = language_model.evaluate_text([(lm_text / "dev.txt").read_text()])
    assert last["bits_per_char"] == pytest.approx(report["bits_per_char"], abs=1e-4)
    assert set(last) == {"bits_per_char", "tokens", "characters", "unknown_share"}
    assert last["unknown_share"] == report["unknown_share"] == 0.0
    assert f"unknown tokens{'0.00%':>22}" in done.stdout
    assert last["characters"] == len((lm_text / "dev.txt").read_text())
    assert json.loads((tmp_path / "e.json").read_text())["bits_per_char"] == last["bits_per_char"]


def test_a_word_model_reports_perplexity_and_samples_words(lm_text, tmp_path, tiny_lm_config_file):
    from lm import LanguageModel
    from lm.train import main

    out = tmp_path / "words"
    args = ["--text", str(lm_text / "train.txt"), "--level", "word", "--config", str(tiny_lm_config_file)]
    assert main([*args, "--training.bptt", "8", "--out", str(out)]) == 0
    model = LanguageModel.load(out)
    dev = json.loads((out / "metadata.json").read_text())["metrics"]["dev"]
    assert model.level == "word" and set(dev) >= {"perplexity", "bits_per_word", "bits_per_char"}
    assert 1 < dev["perplexity"] < len(model.tokens) / 2
    assert math.isclose(
        model.perplexity("omar flew to oslo on day 3 ."),
        2 ** model.predict("omar flew to oslo on day 3 .").bits_per_token,
    )
    with pytest.warns(DeprecationWarning, match="use LanguageModel.perplexity"):
        assert model.score("omar flew") == model.perplexity("omar flew")
    words = model.sample("lena", length=12, temperature=0.5, seed=2).split()
    assert words and set(words) <= set(model.tokens) - {"\n"}
    # The CLI prints the prime and the sample as words, and names the prime words it does not know.
    greedy = model.sample("Lena flew", length=2, top_k=1)
    assert greedy.split()[0] == "to" and greedy.split()[1] in {place.lower() for place in LM_PLACES}
    cli = run_module("lm.sample", "--model", str(out), "--prime", "Lena flew", "--length", "2", "--top-k", "1")
    assert cli.returncode == 0 and cli.stderr == "", cli.stderr
    assert cli.stdout == f"Lena flew {greedy}\n"
    cli = run_module("lm.sample", "--model", str(out), "--prime", "Zelda zoomed to", "--length", "2", "--top-k", "1")
    assert cli.returncode == 0 and cli.stdout.startswith("Zelda zoomed to "), cli.stdout
    note = "note: the model never saw these prime words in training and reads them as unknown: 'zelda', 'zoomed'"
    assert cli.stderr == note + "\n"


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda m: m.sample("Oslo", temperature=0), "temperature must be positive"),
        (lambda m: m.sample("Oslo", temperature=float("nan")), "temperature must be a positive number"),
        (lambda m: m.sample("Oslo", temperature=float("inf")), "temperature must be a positive number"),
        (lambda m: m.sample("Oslo", temperature=-0.5), "temperature must be positive"),
        (lambda m: m.sample("Oslo", length=0), "length must be a whole number from 1"),
        (lambda m: m.sample("Oslo", length=2.5), "length must be a whole number"),
        (lambda m: m.sample("Oslo", length=10**9), "length must be a whole number"),
        (lambda m: m.sample("Oslo", top_k=-1), "top_k must be a whole number"),
        (lambda m: m.sample("Oslo \u00e9t\u00e9"), "never saw in training: '\u00e9'"),
        (lambda m: m.sample(None), "text 0: expected a string, got NoneType"),
        (lambda m: next(m.generate("Oslo", temperature=0)), "temperature must be positive"),
        (lambda m: m.bits_per_token([]), "no text to score"),
        (lambda m: m.predict(["Oslo", b"Lima"]), "text 1: expected a string, got bytes"),
        (lambda m: m.next_distribution("Oslo \ud800"), "text 0: not valid Unicode"),
        (lambda m: m.evaluate_text([]), "no text to score"),
    ],
)
def test_api_bad_input_is_a_data_error(language_model, call, expected):
    from shared.errors import DataError

    with pytest.raises(DataError) as raised:
        call(language_model)
    assert expected in str(raised.value) and "\n" not in str(raised.value)


def test_blank_texts_and_a_text_without_a_newline_are_fine(language_model):
    assert language_model.predict("").tokens == 0
    assert language_model.sample("", length=5, seed=1)
    assert language_model.evaluate_text(["Omar flew to Oslo on day 2."])["characters"] == 27


def test_a_backward_model_reads_from_the_end_and_samples_what_comes_before(lm_text, tmp_path, tiny_lm_config_file):
    import tensorflow as tf

    from lm import LanguageModel
    from lm.train import main

    out = tmp_path / "backward"
    args = ["--text", str(lm_text / "train.txt"), "--dev-text", str(lm_text / "dev.txt"), "--direction", "backward"]
    assert main([*args, "--config", str(tiny_lm_config_file), "--out", str(out)]) == 0
    model = LanguageModel.load(out)
    assert model.direction == "backward"
    assert model.detokenize(model.encode(["Oslo"])[0]) == "\nolsO"
    # The training stream (reversed on disk) and the API (reversing each text) agree.
    dev = json.loads((out / "metadata.json").read_text())["metrics"]["dev"]["bits_per_char"]
    history = (out / "logs" / "training.csv").read_text().splitlines()
    best = min(float(line.split(",")[history[0].split(",").index("dev_bits_per_token")]) for line in history[1:])
    assert dev == pytest.approx(best, abs=2e-3)
    assert next(iter(model.next_distribution("Oslo on day 3."))) == " "
    before = model.sample(" on day 3.", length=30, temperature=0.5, seed=4)
    greedy = model.sample(" on day 3.", length=12, top_k=1)
    assert greedy.split()[-1] in LM_PLACES  # what comes before " on day" is a place
    assert model.join(" on day 3.", greedy) == greedy + " on day 3."
    cli = run_module("lm.sample", "--model", str(out), "--prime", " on day 3.", "--length", "12", "--top-k", "1")
    assert cli.returncode == 0 and cli.stderr == "", cli.stderr
    assert cli.stdout == greedy + " on day 3.\n"
    exported = run_module("lm.export", "--model", str(out), "--out", str(tmp_path / "saved"))
    assert exported.returncode == 0, exported.stderr
    saved = tf.saved_model.load(str(tmp_path / "saved")).signatures["sample"]
    tensors = {"prime": tf.constant(" on day 3."), "length": tf.constant(30), "temperature": tf.constant(0.5)}
    tensors.update(top_k=tf.constant(0), seed=tf.constant(4, tf.int64))
    assert saved(**tensors)["text"].numpy().decode() == before
