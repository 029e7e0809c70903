"""Train tiny, save, load, tag raw text, export, reload: the whole NER pipeline."""

import csv
import json
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from ner import Entity, EntityTagger
from ner.tags import spans
from ner.tokenizer import tokenize
from shared.errors import BundleError
from shared.export import export_model
from tests.conftest import NER_ARGS, NER_FIXTURES, run_module

pytestmark = pytest.mark.slow

TEXTS = [
    "Anna Kowalski visited Paris on Monday.",
    "Shares of Acme Corp fell 3.5 percent in New York.",
    "Nothing happened.",
    "",
]


def test_bundle_holds_model_metadata_and_logs(ner_bundle):
    metadata = json.loads((ner_bundle / "metadata.json").read_text())
    assert metadata["task"] == "ner"
    assert metadata["labels"] == ["LOC", "MISC", "ORG", "PER"]
    assert metadata["tags"][0] == "O"
    assert set(metadata["metrics"]) == {"dev", "test"}
    assert {"conlleval", "strict", "errors"} <= set(metadata["metrics"]["test"])
    assert (ner_bundle / "logs" / "training.csv").is_file()
    assert not ner_bundle.with_name("ner.training").exists()


def test_tiny_model_learns_the_template_sentences(ner_bundle):
    metadata = json.loads((ner_bundle / "metadata.json").read_text())
    assert metadata["metrics"]["test"]["conlleval"]["f1"] > 0.5


def test_entities_slice_back_to_the_original_text(entity_tagger):
    results = entity_tagger.predict_batch(TEXTS)
    assert len(results) == len(TEXTS) and results[-1] == []
    for text, entities in zip(TEXTS, results):
        for entity in entities:
            assert isinstance(entity, Entity)
            assert text[entity.start : entity.end] == entity.text
            assert entity.label in entity_tagger.labels
            assert 0.0 < entity.score <= 1.0
        ends = [(e.start, e.end) for e in entities]
        assert all(a[1] <= b[0] for a, b in zip(ends, ends[1:]))
    assert entity_tagger.predict(TEXTS[0]) == results[0]


def test_tags_do_not_depend_on_batching(entity_tagger):
    sentences = [[t.text for t in tokenize(text)] for text in TEXTS[:3]] * 3 + [["Paris"] * 70]
    together = entity_tagger.tag_tokens(sentences)
    for tokens, result in zip(sentences, together):
        alone = entity_tagger.tag_tokens([tokens])[0]
        assert alone.tags == result.tags
        # float32 kernels sum in a batch-shape-dependent order (CI saw 1.4e-5 at 70 tokens)
        np.testing.assert_allclose(alone.scores, result.scores, atol=1e-4)


def test_long_token_sequences_are_tagged_in_windows(entity_tagger):
    tokens = ["Paris", "is", "far", "."] * 300
    (result,) = entity_tagger.tag_tokens([tokens])
    assert len(result.tags) == len(tokens) and len(result.scores) == len(tokens)


FILLER = ["The", "team", "won", "the", "title", "."]


def _long_text_with_name_at(position: int, length: int = 1300) -> list[str]:
    tokens = (FILLER * (length // len(FILLER) + 1))[:length]
    tokens[position : position + 2] = ["Anna", "Kowalski"]
    return tokens


@pytest.mark.parametrize("position", [447, 511, 831, 1215])
def test_an_entity_across_a_window_border_is_found_whole(entity_tagger, position):
    """Long inputs are read in overlapping windows (ner.model.WINDOW): 447/448 and 831/832
    are where one window's decisions hand over to the next, 511/512 a fixed 512-token
    seam. The two-token name stays one entity, tagged as reading the whole text at once
    tags it."""
    from ner.model import decode

    tokens = _long_text_with_name_at(position)
    (tagged,) = entity_tagger.tag_tokens([tokens])
    assert len(tagged.tags) == len(tokens)
    found = [(span.start, span.end) for span in spans(tagged.tags) if span.start <= position < span.end]
    assert found == [(position, position + 2)]
    whole_ids, _ = decode(entity_tagger.model, tf.constant([tokens]), window=len(tokens))
    whole = [entity_tagger.tags[i] for i in whole_ids.numpy()[0]]
    assert tagged.tags[position : position + 2] == whole[position : position + 2]


def test_saved_model_and_api_agree_on_long_input(entity_tagger, tmp_path):
    tokens = _long_text_with_name_at(511)
    text = " ".join(tokens)
    serve = tf.saved_model.load(str(export_model(entity_tagger, tmp_path / "exported"))).signatures["serving_default"]
    result = serve(text=tf.constant([text, "Anna Kowalski won ."]))
    (expected,) = entity_tagger.tag_tokens([tokens])
    assert [t.decode() for t in result["tokens"].numpy()[0]] == tokens
    assert [t.decode() for t in result["tags"].numpy()[0]] == expected.tags
    np.testing.assert_allclose(result["scores"].numpy()[0], expected.scores, atol=1e-4)
    assert [e.text for e in entity_tagger.predict(text)] == ["Anna Kowalski"]


def test_loading_a_missing_bundle_is_a_bundle_error(tmp_path):
    with pytest.raises(BundleError, match="model folder not found"):
        EntityTagger.load(tmp_path / "nope")


def test_sentiment_bundle_is_refused_by_the_ner_loader(sentiment_bundle):
    with pytest.raises(BundleError, match="sentiment"):
        EntityTagger.load(sentiment_bundle)


def test_export_and_reload_saved_model_gives_identical_tags(entity_tagger, tmp_path):
    out = export_model(entity_tagger, tmp_path / "exported")
    serve = tf.saved_model.load(str(out)).signatures["serving_default"]
    result = serve(text=tf.constant(TEXTS))
    tokenized = [[t.text for t in tokenize(text)] for text in TEXTS]
    expected = entity_tagger.tag_tokens(tokenized)
    for row, tokens, tagged in zip(range(len(TEXTS)), tokenized, expected):
        exported_tokens = [t.decode() for t in result["tokens"].numpy()[row] if t]
        assert exported_tokens == tokens
        assert [t.decode() for t in result["tags"].numpy()[row][: len(tokens)]] == tagged.tags
        np.testing.assert_allclose(result["scores"].numpy()[row][: len(tokens)], tagged.scores, atol=1e-5)
        np.testing.assert_allclose(result["entity_scores"].numpy()[row][: len(tokens)], tagged.entity_scores, atol=1e-5)
    shown = subprocess.run(
        [sys.executable, "-m", "tensorflow.python.tools.saved_model_cli", "show", "--dir", str(out),
         "--tag_set", "serve", "--signature_def", "serving_default"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    for name in (
        "inputs['text']",
        "outputs['tokens']",
        "outputs['tags']",
        "outputs['scores']",
        "outputs['entity_scores']",
    ):
        assert name in shown.stdout


def test_predict_cli_writes_jsonl_in_input_order(ner_bundle, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps({"id": i, "text": t}) for i, t in enumerate(TEXTS)) + "\n")
    output = tmp_path / "out.jsonl"
    result = run_module("ner.predict", "--model", str(ner_bundle), "--input", str(source), "--output", str(output))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in output.read_text().splitlines()]
    assert [r["id"] for r in records] == list(range(len(TEXTS)))
    for record in records:
        for entity in record["entities"]:
            assert record["text"][entity["start"] : entity["end"]] == entity["text"]
            assert set(entity) == {"label", "text", "start", "end", "score"}


def test_evaluate_cli_prints_both_modes_and_writes_json(ner_bundle, tmp_path):
    output = tmp_path / "report.json"
    test_file = str(NER_FIXTURES / "test.txt")
    result = run_module("ner.evaluate", "--model", str(ner_bundle), "--file", test_file, "--output", str(output))
    assert result.returncode == 0, result.stderr
    assert "conlleval:" in result.stdout and "strict:" in result.stdout
    assert "entity scores against being right: ECE" in result.stdout
    report = json.loads(output.read_text())
    stored = json.loads((ner_bundle / "metadata.json").read_text())["metrics"]["test"]
    assert report["conlleval"]["f1"] == pytest.approx(stored["conlleval"]["f1"])


MISLABELLED = """\
United B-PER
Nations I-PER
said O
profits O
rose O
in O
New B-LOC
York I-LOC
. O

Talks O
between O
Oslo O
and O
Oslo B-LOC
ended B-MISC
. O

Lena B-PER
Novak O
visited O
Oslo B-LOC
on O
Monday O
. O
"""


def test_evaluate_errors_lists_each_wrong_entity_with_its_kind(ner_bundle, entity_tagger, tmp_path):
    gold, errors = tmp_path / "gold.txt", tmp_path / "errors.csv"
    gold.write_text(MISLABELLED, encoding="utf-8")
    sentences = [line.split("\n") for line in MISLABELLED.strip().split("\n\n")]
    tagged = entity_tagger.tag_tokens([[line.split()[0] for line in sentence] for sentence in sentences])
    assert [t.tags for t in tagged] == [  # what the tiny tagger says: the fixture's own tags
        ["B-ORG", "I-ORG", "O", "O", "O", "O", "B-LOC", "I-LOC", "O"],
        ["O", "O", "B-LOC", "O", "B-LOC", "O", "O"],
        ["B-PER", "I-PER", "O", "B-LOC", "O", "O", "O"],
    ]
    args = [
        "--model",
        str(ner_bundle),
        "--file",
        str(gold),
        "--output",
        str(tmp_path / "r.json"),
        "--errors",
        str(errors),
    ]
    result = run_module("ner.evaluate", *args)
    assert result.returncode == 0, result.stderr
    with errors.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    found = {(row["sentence"], row["kind"], row["gold_entity"], row["predicted_entity"]) for row in rows}
    assert found == {
        ("1", "wrong_type", "United Nations", "United Nations"),
        ("2", "spurious", "", "Oslo"),
        ("2", "missed", "ended", ""),
        ("3", "wrong_boundary", "Lena", "Lena Novak"),
    }
    scored = [float(row["confidence"]) for row in rows if row["confidence"]]
    assert len(scored) == 3 and scored == sorted(scored, reverse=True) and rows[-1]["kind"] == "missed"
    assert "Wrote 4 wrong predictions" in result.stdout


def test_softmax_with_schedule_and_averaging_resumes_exactly(tmp_path, tiny_ner_config_file, monkeypatch):
    import shared.sequences
    from ner.train import main

    common = [*NER_ARGS, "--config", str(tiny_ner_config_file), "--model.output", "softmax", "--seed", "3"]
    common += ["--training.epochs", "3", "--training.schedule", "cosine", "--training.ema_momentum", "0.9"]
    assert main([*common, "--out", str(tmp_path / "full")]) == 0

    # Kill a run as its third epoch starts (train() imports bucketed_dataset when called), then resume.
    real = shared.sequences.bucketed_dataset

    def failing(tokens, tags, batch_size, seed):
        if seed % 1000 == 2:
            raise KeyboardInterrupt
        return real(tokens, tags, batch_size, seed)

    monkeypatch.setattr(shared.sequences, "bucketed_dataset", failing)
    with pytest.raises(KeyboardInterrupt):
        main([*common, "--out", str(tmp_path / "crashed")])
    monkeypatch.setattr(shared.sequences, "bucketed_dataset", real)
    assert not (tmp_path / "crashed").exists()
    assert main([*common, "--out", str(tmp_path / "crashed"), "--resume"]) == 0
    full, resumed = (json.loads((tmp_path / name / "metadata.json").read_text()) for name in ("full", "crashed"))
    assert resumed["training"]["resumed"] and resumed["config"]["model"]["output"] == "softmax"
    assert resumed["metrics"]["test"]["conlleval"] == full["metrics"]["test"]["conlleval"]
    assert resumed["metrics"]["dev"]["errors"] == full["metrics"]["dev"]["errors"]


def test_entity_scores_go_through_the_curve_fitted_on_dev(ner_bundle, entity_tagger):
    from shared.calibration import mapped

    calibration = json.loads((ner_bundle / "metadata.json").read_text())["calibration"]
    assert calibration["method"] == "isotonic" and calibration["points"] == entity_tagger.calibration
    assert calibration["dev_after"]["nll"] <= calibration["dev_before"]["nll"]
    uncalibrated = EntityTagger(entity_tagger.model, {})
    texts = TEXTS[:2] + ["Maria Lopez flew to Berlin with Acme Corp ."]
    for raw_entities, entities, tokens in zip(
        uncalibrated.predict(texts), entity_tagger.predict(texts), [tokenize(text) for text in texts]
    ):
        assert [(e.label, e.start, e.end) for e in raw_entities] == [(e.label, e.start, e.end) for e in entities]
        (tagged,) = uncalibrated.tag_tokens([[t.text for t in tokens]])
        for raw, entity in zip(raw_entities, entities):
            first = next(i for i, t in enumerate(tokens) if t.start == raw.start)
            last = next(i for i, t in enumerate(tokens) if t.end == raw.end)
            mean = float(np.mean(tagged.scores[first : last + 1]))
            assert raw.score == pytest.approx(mean, abs=1e-4)  # a bundle without a curve: as before
            assert entity.score == pytest.approx(float(mapped([mean], calibration["points"])[0]), abs=1e-4)


def test_the_report_measures_entity_scores_before_and_after_the_curve(ner_bundle):
    test = json.loads((ner_bundle / "metadata.json").read_text())["metrics"]["test"]
    calibration, bins = test["calibration"], test["reliability"]
    assert {"ece", "brier", "nll", "entities", "method", "before"} <= set(calibration)
    predicted = sum(test["errors"][kind] for kind in ("correct", "wrong_type")) + sum(
        row for kind, row in test["errors"]["confusion"].get("(none)", {}).items()
    )
    assert sum(row["count"] for row in bins) == calibration["entities"] == predicted


def test_evaluate_with_a_crf_baseline_trained_on_the_bundles_own_files(ner_bundle, entity_tagger, tmp_path):
    from ner.baseline import fit_crf
    from ner.data import read_conll
    from shared.tasks import get_app
    from shared.training_data import recorded_training_source

    gold, output, errors = tmp_path / "gold.txt", tmp_path / "r.json", tmp_path / "errors.csv"
    gold.write_text(MISLABELLED, encoding="utf-8")
    args = ["--model", str(ner_bundle), "--file", str(gold), "--output", str(output), "--errors", str(errors)]
    result = run_module("ner.evaluate", *args, "--baseline", "crf")
    assert result.returncode == 0, result.stderr
    baseline = json.loads(output.read_text())["baseline"]
    sentences = read_conll(gold)
    training = recorded_training_source(get_app("ner"), entity_tagger).splits
    theirs = fit_crf(training.train, training.dev).predict(sentences)
    entities = [(n, e) for n, s in enumerate(sentences) for e in spans(s.tags)]
    found_by_crf = sum(e in set(spans(theirs[n])) for n, e in entities)
    assert sum(baseline["agreement"].values()) == len(entities) == 6
    assert baseline["agreement"]["both_right"] + baseline["agreement"]["baseline_only"] == found_by_crf
    assert "agreement on gold entities: both right" in result.stdout
    with errors.open(newline="", encoding="utf-8") as handle:
        rows = {(row["sentence"], row["kind"]): row["baseline"] for row in csv.DictReader(handle)}
    lena = [s for s in spans(theirs[2]) if (s.start, s.end) == (0, 1)]
    assert rows[("3", "wrong_boundary")] == (lena[0].label if lena else "")
