"""Train tiny, save, load, predict, export, reload: the whole sentiment pipeline."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from sentiment import SentimentClassifier, SentimentPrediction
from sentiment.data import parse_label_map, read_labelled_csv
from shared.errors import BundleError, DataError
from shared.export import export_model
from tests.conftest import FIXTURES, REVIEWS_ARGS, run_module

pytestmark = pytest.mark.slow

TEXTS = ["Great value, works perfectly", "Broke after two days, awful", "It is a blue phone case"]


def test_bundle_holds_model_metadata_and_logs(sentiment_bundle):
    metadata = json.loads((sentiment_bundle / "metadata.json").read_text())
    assert metadata["task"] == "sentiment"
    assert metadata["labels"] == ["negative", "neutral", "positive"]
    assert metadata["config"]["model"]["units"] == 8
    assert metadata["dataset"]["files"]["train"]["sha256"]
    assert set(metadata["metrics"]) == {"dev"}
    assert metadata["training"]["epochs_run"] == 2
    assert (sentiment_bundle / "logs" / "training.csv").read_text().count("\n") == 3
    assert any((sentiment_bundle / "logs" / "tensorboard").iterdir())
    assert not sentiment_bundle.with_name("sentiment.training").exists()


def test_a_bundle_is_calibrated_on_dev_by_a_temperature_that_keeps_every_argmax(sentiment_bundle, sentiment_classifier):
    record = json.loads((sentiment_bundle / "metadata.json").read_text())["calibration"]
    assert record["method"] == "temperature" and record["temperature"] == sentiment_classifier.temperature > 0
    assert record["dev_after"]["nll"] <= record["dev_before"]["nll"]  # fitted to minimise it on dev
    texts = [*TEXTS, "fine", "not good at all, returned it", "ok I guess"]
    calibrated = sentiment_classifier.predict_proba(texts)
    raw = sentiment_classifier.predict_proba(texts, calibrated=False)
    assert not np.allclose(calibrated, raw, atol=1e-4)
    np.testing.assert_array_equal(calibrated.argmax(axis=1), raw.argmax(axis=1))
    report = json.loads((sentiment_bundle / "metadata.json").read_text())["metrics"]
    dev = report["dev"]["calibration"]
    assert dev["temperature"] == record["temperature"] and set(dev["before"]) == {"ece", "brier", "nll"}
    assert sum(row["count"] for row in report["dev"]["reliability"]) == report["dev"]["examples"]


def test_calibration_none_keeps_the_networks_own_probabilities(sentiment_classifier, tiny_config_file, tmp_path):
    from sentiment.train import main

    out = tmp_path / "raw"
    args = [*REVIEWS_ARGS, "--config", str(tiny_config_file), "--seed", "1", "--calibration", "none"]
    assert main([*args, "--out", str(out)]) == 0
    assert "calibration" not in json.loads((out / "metadata.json").read_text())
    raw = SentimentClassifier.load(out)
    assert raw.temperature is None
    texts = [*TEXTS, "fine"]
    # The same seed trains the same network: the calibrated bundle differs only by its temperature.
    np.testing.assert_allclose(
        raw.predict_proba(texts), sentiment_classifier.predict_proba(texts, calibrated=False), atol=1e-5
    )
    np.testing.assert_array_equal(raw.predict_proba(texts, calibrated=False), raw.predict_proba(texts))


def test_predict_returns_labels_and_probabilities(sentiment_classifier):
    predictions = sentiment_classifier.predict(TEXTS)
    assert [p.text for p in predictions] == TEXTS
    for prediction in predictions:
        assert isinstance(prediction, SentimentPrediction)
        assert set(prediction.probabilities) == {"negative", "neutral", "positive"}
        assert sum(prediction.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
        assert prediction.label == max(prediction.probabilities, key=prediction.probabilities.get)
    single = sentiment_classifier.predict(TEXTS[0])
    assert single.probabilities == pytest.approx(predictions[0].probabilities, abs=1e-6)


def test_predict_order_is_independent_of_length_batching(sentiment_classifier):
    texts = [("word " * n).strip() + " good" for n in range(1, 40)]
    together = sentiment_classifier.predict_proba(texts, batch_size=7)
    one_by_one = np.stack([sentiment_classifier.predict_proba([t])[0] for t in texts])
    np.testing.assert_allclose(together, one_by_one, atol=1e-5)


def test_predict_rejects_empty_text(sentiment_classifier):
    with pytest.raises(DataError, match="text 1: empty text"):
        sentiment_classifier.predict(["fine", "   "])


def test_a_text_without_tokens_gets_probabilities_not_a_crash(sentiment_classifier):
    """Found by fuzzing: a batch whose texts have no tokens (say "\\x00") crashed the RNN."""
    for text in ["\x00", "\u200b", "\x00\u200b"]:
        probabilities = sentiment_classifier.predict_proba([text])
        assert probabilities.shape == (1, 3) and abs(probabilities.sum() - 1) < 1e-5
        assert sentiment_classifier.predict_steps(text) == []


def test_predict_steps_ends_on_the_predict_probabilities(sentiment_classifier):
    text = "It doesn't work, and the battery is awful"
    steps = sentiment_classifier.predict_steps(text)
    assert [s.token for s in steps] == ["it", "does", "n't", "work", ",", "and", "the", "battery", "is", "awful"]
    final = sentiment_classifier.predict(text).probabilities
    assert steps[-1].probabilities == pytest.approx(final, abs=1e-5)
    first = sentiment_classifier.predict("It").probabilities
    assert steps[0].probabilities == pytest.approx(first, abs=1e-5)


def test_predict_with_steps_matches_predict_and_predict_steps(sentiment_classifier):
    for text in ["Great value, works perfectly", "\x00"]:
        prediction, steps = sentiment_classifier.predict_with_steps(text)
        expected = sentiment_classifier.predict(text)
        assert prediction.label == expected.label
        for label, probability in expected.probabilities.items():
            assert abs(prediction.probabilities[label] - probability) < 1e-5
        assert steps == sentiment_classifier.predict_steps(text)
        assert sentiment_classifier.predict_with_reading(text) == (prediction, steps)  # what the pages show


def test_loading_a_missing_bundle_is_a_bundle_error(tmp_path):
    with pytest.raises(BundleError, match="model folder not found"):
        SentimentClassifier.load(tmp_path / "nope")


def test_export_and_reload_saved_model_gives_identical_outputs(sentiment_classifier, tmp_path):
    out = export_model(sentiment_classifier, tmp_path / "exported")
    reloaded = tf.saved_model.load(str(out))
    result = reloaded.signatures["serving_default"](text=tf.constant(TEXTS))
    np.testing.assert_allclose(result["probabilities"].numpy(), sentiment_classifier.predict_proba(TEXTS), atol=1e-6)
    expected = [p.label for p in sentiment_classifier.predict(TEXTS)]
    assert [label.decode() for label in result["label"].numpy()] == expected


def test_saved_model_cli_shows_the_string_signature(sentiment_classifier, tmp_path):
    out = export_model(sentiment_classifier, tmp_path / "exported")
    cli = Path(sys.executable).with_name("saved_model_cli")
    shown = subprocess.run(
        [str(cli), "show", "--dir", str(out), "--tag_set", "serve", "--signature_def", "serving_default"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "dtype: DT_STRING" in shown.stdout
    assert "outputs['label']" in shown.stdout and "outputs['probabilities']" in shown.stdout


def test_evaluate_cli_prints_table_and_writes_json_and_the_errors(sentiment_bundle, sentiment_classifier, tmp_path):
    output, errors = tmp_path / "eval.json", tmp_path / "errors.csv"
    args = ["--model", str(sentiment_bundle), *REVIEWS_ARGS, "--output", str(output), "--errors", str(errors)]
    result = run_module("sentiment.evaluate", *args)
    assert result.returncode == 0, result.stderr
    assert "macro-F1" in result.stdout and "confusion" in result.stdout and "calibration: ECE" in result.stdout
    report = json.loads(output.read_text())
    assert report["examples"] == 30
    assert np.sum(report["confusion_matrix"]) == 30
    assert set(report["per_class"]) == {"negative", "neutral", "positive"}
    with errors.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    wrong = sum(n for i, row in enumerate(report["confusion_matrix"]) for j, n in enumerate(row) if i != j)
    assert len(rows) == wrong > 0 and f"Wrote {wrong} wrong predictions" in result.stdout
    assert [float(row["confidence"]) for row in rows] == sorted(
        (float(row["confidence"]) for row in rows), reverse=True
    )
    first = rows[0]
    assert (
        first["gold"] != first["predicted"] and sentiment_classifier.predict(first["text"]).label == first["predicted"]
    )
    again = run_module("sentiment.evaluate", *args)  # an existing file is never replaced
    assert again.returncode == 2 and again.stderr.strip().splitlines() == [
        f"error: {errors}: exists; choose another path for --errors (nothing was replaced)"
    ]


def test_predict_cli_keeps_columns_row_order_and_count(sentiment_bundle, sentiment_classifier, tmp_path):
    output = tmp_path / "scored.csv"
    result = run_module(
        "sentiment.predict", "--model", str(sentiment_bundle),
        "--input", str(FIXTURES / "reviews.csv"), "--text-col", "review", "--output", str(output),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    with open(FIXTURES / "reviews.csv", newline="") as handle:
        original = list(csv.DictReader(handle))
    with open(output, newline="") as handle:
        reader = csv.DictReader(handle)
        scored = list(reader)
    assert reader.fieldnames == ["id", "review", "stars", "label", "p_negative", "p_neutral", "p_positive"]
    assert [row["id"] for row in scored] == [row["id"] for row in original]
    expected = sentiment_classifier.predict([row["review"] for row in original])
    assert [row["label"] for row in scored] == [p.label for p in expected]


def test_predict_cli_reads_jsonl_and_arguments(sentiment_bundle, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"text": "great", "id": 7}) + "\n" + json.dumps("awful") + "\n")
    result = run_module("sentiment.predict", "--model", str(sentiment_bundle), "--input", str(path))
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(result.stdout.splitlines()))
    assert [row[0] for row in rows] == ["text", "great", "awful"]
    result = run_module("sentiment.predict", "--model", str(sentiment_bundle), "good", "bad")
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 3


def test_resume_without_checkpoint_is_one_clear_error(tmp_path):
    result = run_module("sentiment.train", *REVIEWS_ARGS, "--out", str(tmp_path / "m"), "--resume")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: nothing to resume: no checkpoint in {tmp_path / 'm.training' / 'checkpoint'}"
    ]


def test_evaluate_with_a_tfidf_baseline_trained_on_the_bundles_own_data(
    sentiment_bundle, sentiment_classifier, tmp_path
):
    from sentiment.baseline import fit_tfidf
    from shared.tasks import get_app
    from shared.training_data import recorded_training_source

    output, errors = tmp_path / "eval.json", tmp_path / "errors.csv"
    args = ["--model", str(sentiment_bundle), *REVIEWS_ARGS, "--output", str(output), "--errors", str(errors)]
    result = run_module("sentiment.evaluate", *args, "--baseline", "tfidf")
    assert result.returncode == 0, result.stderr
    report = json.loads(output.read_text())
    baseline = report["baseline"]
    assert sum(baseline["agreement"].values()) == report["examples"] == 30
    # The bundle's training rows, read again: the CSV less the dev rows its seed held out.
    training = recorded_training_source(get_app("sentiment"), sentiment_classifier).splits
    assert len(training.train) + len(training.dev) == 30 == baseline["train_examples"] + len(training.dev)
    expected = fit_tfidf(training.train, training.dev)
    gold = read_labelled_csv(FIXTURES / "reviews.csv", "review", "stars", parse_label_map(REVIEWS_ARGS[-1]))
    theirs = expected.predict(gold.texts)
    assert baseline["accuracy"] == pytest.approx(np.mean(np.array(theirs) == np.array(gold.labels)))
    ours = sentiment_classifier.predict_proba(gold.texts).argmax(axis=1)
    both_right = sum(int(a == t and b == t) for a, b, t in zip(ours, theirs, gold.labels))
    assert baseline["agreement"]["both_right"] == both_right
    assert "agreement: both right" in result.stdout and "baseline (TF-IDF" in result.stdout
    with errors.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(row["baseline"] == sentiment_classifier.labels[theirs[int(row["row"]) - 1]] for row in rows)


def test_a_baseline_refuses_training_data_changed_since_the_bundle(sentiment_bundle, tmp_path):
    import shutil

    moved = sentiment_bundle.parent / f"{tmp_path.name}-changed"  # beside it: its files, relative to it, are found
    shutil.copytree(sentiment_bundle, moved)
    metadata = json.loads((moved / "metadata.json").read_text())
    metadata["dataset"]["files"]["train"]["sha256"] = "0" * 64
    (moved / "metadata.json").write_text(json.dumps(metadata))
    result = run_module(
        "sentiment.evaluate",
        "--model",
        str(moved),
        *REVIEWS_ARGS,
        "--output",
        str(tmp_path / "e.json"),
        "--baseline",
        "tfidf",
    )
    assert result.returncode == 2 and result.stderr.strip().splitlines() == [
        f"error: {moved}: its training data has changed since it was trained (the checksums differ); "
        "a baseline is only compared on the same data"
    ]
    assert not (tmp_path / "e.json").exists()
