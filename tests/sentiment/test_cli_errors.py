"""Every CLI mistake gives one readable line on stderr, exit status 2 and no traceback.
The verbs run in this process (`run_in_process`); one runs in a fresh process, where
TensorFlow's start-up must not add a line."""

import pytest

from tests.conftest import FIXTURES, REVIEWS_ARGS, run_in_process, run_module

pytestmark = pytest.mark.slow


def _assert_one_line_error(result, expected):
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and expected in lines[0], lines[0]


def _csv(tmp_path, content):
    path = tmp_path / "data.csv"
    path.write_text(content)
    return str(path)


def test_train_missing_file(capfd, tmp_path):
    result = run_in_process(capfd, "sentiment.train", "--csv", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "m"))
    _assert_one_line_error(result, "nope.csv: file not found")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("review,stars\ngood,5\n", "no column 'text'; columns are: review, stars"),
        ("text,label\ngood,positive\n,negative\n", "row 3, column 'text': empty text"),
        ("text,label\ngood,positive\nbad,terrible\n", "row 3, column 'label': unknown label 'terrible'"),
    ],
    ids=["missing-column", "empty-text", "unknown-label"],
)
def test_train_bad_csv(capfd, tmp_path, content, expected):
    result = run_in_process(capfd, "sentiment.train", "--csv", _csv(tmp_path, content), "--out", str(tmp_path / "m"))
    _assert_one_line_error(result, expected)
    assert not (tmp_path / "m").exists()


def test_train_bad_override(capfd, tmp_path):
    result = run_in_process(
        capfd, "sentiment.train", *REVIEWS_ARGS, "--model.cell", "cnn", "--out", str(tmp_path / "m")
    )
    _assert_one_line_error(result, "--model.cell: 'cnn' is not one of lstm, gru, simple_rnn")


def test_predict_strict_stops_at_an_empty_text_and_leaves_no_output(capfd, sentiment_bundle, tmp_path):
    source = tmp_path / "in.txt"
    source.write_text("fine\n\nok\n")
    output = tmp_path / "out.csv"
    result = run_in_process(
        capfd, "sentiment.predict", "--model", str(sentiment_bundle), "--input", str(source), "--output", str(output),
        "--strict",
    )  # fmt: skip
    _assert_one_line_error(result, "in.txt: row 2: empty text")
    assert list(tmp_path.iterdir()) == [source]


def test_predict_missing_model(tmp_path):
    result = run_module("sentiment.predict", "--model", str(tmp_path / "none"), "hello")
    _assert_one_line_error(result, "model folder not found")


def test_evaluate_missing_file(capfd, sentiment_bundle, tmp_path):
    result = run_in_process(
        capfd, "sentiment.evaluate", "--model", str(sentiment_bundle), "--csv", str(tmp_path / "x.csv")
    )
    _assert_one_line_error(result, "x.csv: file not found")


def test_export_refuses_a_non_bundle(capfd, tmp_path):
    result = run_in_process(capfd, "sentiment.export", "--model", str(FIXTURES), "--out", str(tmp_path / "e"))
    _assert_one_line_error(result, "not a model bundle")
    assert not (tmp_path / "e").exists()


@pytest.mark.parametrize(
    "module", ["sentiment.train", "sentiment.evaluate", "sentiment.predict", "sentiment.export", "sentiment.select"]
)
def test_every_cli_has_help(module):
    result = run_module(module, "--help")
    assert result.returncode == 0 and "usage:" in result.stdout
