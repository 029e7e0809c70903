"""Every NER CLI mistake gives one readable line on stderr, exit status 2 and no traceback
(in this process; the missing model in a fresh one)."""

import pytest

from tests.conftest import NER_FIXTURES, run_in_process, run_module
from tests.sentiment.test_cli_errors import _assert_one_line_error

pytestmark = pytest.mark.slow

TRAIN = str(NER_FIXTURES / "train.txt")


def _file(tmp_path, content, name="dev.txt"):
    path = tmp_path / name
    path.write_text(content)
    return str(path)


def test_train_missing_file(capfd, tmp_path):
    missing = str(tmp_path / "nope.txt")
    result = run_in_process(capfd, "ner.train", "--train", missing, "--dev", TRAIN, "--out", str(tmp_path / "m"))
    _assert_one_line_error(result, "nope.txt: file not found")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("Anna NNP B-PER\nsings O\n", "dev.txt: line 2: 2 columns where the file has 3"),
        ("Anna B-PER\nin O\nBonn I-LOC\n", "dev.txt: line 3: I-LOC does not continue an entity"),
        ("Anna B-PER\nat O\nAcme B-COMPANY\n", "dev.txt: entity type 'COMPANY' does not occur in the training data"),
    ],
    ids=["column-count", "i-without-b", "unknown-type"],
)
def test_train_bad_dev_file(capfd, tmp_path, content, expected):
    dev = _file(tmp_path, content)
    result = run_in_process(
        capfd, "ner.train", "--train", TRAIN, "--dev", dev, "--scheme", "iob2", "--out", str(tmp_path / "m")
    )
    _assert_one_line_error(result, expected)
    assert not (tmp_path / "m").exists()


def test_train_bad_override(capfd, tmp_path):
    dev, out = str(NER_FIXTURES / "dev.txt"), str(tmp_path / "m")
    result = run_in_process(capfd, "ner.train", "--train", TRAIN, "--dev", dev, "--model.output", "hmm", "--out", out)
    _assert_one_line_error(result, "--model.output: 'hmm' is not one of crf, softmax")


def test_predict_bad_jsonl_leaves_no_output(capfd, ner_bundle, tmp_path):
    source = _file(tmp_path, '{"text": "Anna sings"}\n{"txt": 1}\n', "in.jsonl")
    output = tmp_path / "out.jsonl"
    result = run_in_process(
        capfd, "ner.predict", "--model", str(ner_bundle), "--input", source, "--output", str(output)
    )
    _assert_one_line_error(result, "in.jsonl: line 2: expected a string or an object with a 'text' string")
    assert not output.exists()


def test_predict_with_the_sentiment_bundle(capfd, sentiment_bundle):
    result = run_in_process(capfd, "ner.predict", "--model", str(sentiment_bundle), "Anna sings")
    _assert_one_line_error(result, "sentiment")


def test_evaluate_missing_model(tmp_path):
    result = run_module("ner.evaluate", "--model", str(tmp_path / "none"), "--file", TRAIN)
    _assert_one_line_error(result, "model folder not found")


@pytest.mark.parametrize("module", ["ner.train", "ner.evaluate", "ner.predict", "ner.export"])
def test_help(module):
    result = run_module(module, "--help")
    assert result.returncode == 0 and "usage: python -m " + module in result.stdout
