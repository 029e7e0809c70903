"""Training reads annotation files: --extra adds them to a training split, --annotations
trains on them alone; the bundle records them by name and checksum; bad decisions are one line."""

import csv
import json

import pytest

from ner.annotations import tagged_sentence
from shared.annotations import append_decision
from shared.errors import DataError
from tests.conftest import FIXTURES, NER_ARGS, REVIEWS_ARGS, run_module


def _reviews_as_annotations(path):
    stars = {"1": "negative", "2": "negative", "3": "neutral", "4": "positive", "5": "positive"}
    with (FIXTURES / "reviews.csv").open(newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            append_decision(
                path, {"source": "reviews.csv", "row": number, "text": row["review"], "label": stars[row["stars"]]}
            )
    append_decision(path, {"source": "reviews.csv", "row": 99, "text": "no idea", "skipped": True})


def _more_decisions(path, count: int):
    for number, word in enumerate(["lovely", "dreadful", "splendid", "awful", "okay"][:count], start=200):
        label = "positive" if word in ("lovely", "splendid") else "neutral" if word == "okay" else "negative"
        append_decision(path, {"source": "more.csv", "row": number, "text": f"a {word} thing", "label": label})


def test_entities_become_iob2_tags_of_the_apps_tokens():
    sentence = tagged_sentence(
        "Anna Kowalski met Acme Corp. in New York.",
        [{"label": "PER", "start": 0, "end": 13}, {"label": "LOC", "start": 32, "end": 40}],
        "x",
    )
    assert list(zip(sentence.tokens, sentence.tags)) == [
        ("Anna", "B-PER"), ("Kowalski", "I-PER"), ("met", "O"), ("Acme", "O"), ("Corp.", "O"), ("in", "O"),
        ("New", "B-LOC"), ("York", "I-LOC"), (".", "O"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("entities", "message"),
    [
        (
            [{"label": "PER", "start": 0, "end": 3}],
            "x: the entity 'Ann' [0:3] does not start and end at token edges (tokens 'Anna')",
        ),
        ([{"label": "PER", "start": 0, "end": 4}, {"label": "ORG", "start": 0, "end": 13}], "overlaps another"),
    ],
)
def test_an_entity_that_cuts_a_token_or_overlaps_is_a_data_error(entities, message):
    with pytest.raises(
        DataError, match=message.replace("[", "\\[").replace("]", "\\]").replace("(", "\\(").replace(")", "\\)")
    ):
        tagged_sentence("Anna Kowalski met Acme.", entities, "x")


@pytest.mark.slow
def test_sentiment_trains_on_a_csv_plus_annotations_and_on_annotations_alone(tmp_path, tiny_config_file):
    annotations = tmp_path / "mine.jsonl"
    _reviews_as_annotations(annotations)
    common = ["--config", str(tiny_config_file), "--seed", "1"]
    both = run_module(
        "sentiment.train", *REVIEWS_ARGS, "--extra", str(annotations), "--out", str(tmp_path / "a"), *common
    )
    assert both.returncode == 0, both.stderr
    metadata = json.loads((tmp_path / "a" / "metadata.json").read_text())
    (extra,) = metadata["dataset"]["extra"]
    assert extra["name"] == "mine.jsonl" and extra["decisions"] == 30 and len(extra["sha256"]) == 64
    assert metadata["training"]["train_examples"] == 27 + 30  # the CSV less its held-out dev, plus the annotations
    alone = run_module("sentiment.train", "--annotations", str(annotations), "--out", str(tmp_path / "b"), *common)
    assert alone.returncode == 0, alone.stderr
    metadata = json.loads((tmp_path / "b" / "metadata.json").read_text())
    assert metadata["dataset"]["annotations"][0]["decisions"] == 30 and metadata["training"]["train_examples"] == 27
    append_decision(annotations, {"source": "reviews.csv", "row": 100, "text": "meh", "label": "so-so"})
    bad = run_module("sentiment.train", "--annotations", str(annotations), "--out", str(tmp_path / "c"), *common)
    assert bad.returncode == 2 and bad.stderr.strip().splitlines() == [
        f"error: {annotations}: line 32: label 'so-so' is not one of negative, neutral, positive"
    ]
    assert not (tmp_path / "c").exists()


@pytest.mark.slow
def test_ner_adds_annotated_sentences_and_refuses_a_span_that_cuts_a_token(tmp_path, tiny_ner_config_file):
    annotations = tmp_path / "news.jsonl"
    text = "Maria Lopez visited Berlin ."
    entities = [{"label": "PER", "start": 0, "end": 11}, {"label": "LOC", "start": 20, "end": 26}]
    append_decision(annotations, {"source": "news.txt", "row": 1, "text": text, "entities": entities})
    common = ["--config", str(tiny_ner_config_file), "--seed", "1", "--training.epochs", "1"]
    done = run_module("ner.train", *NER_ARGS, "--extra", str(annotations), "--out", str(tmp_path / "a"), *common)
    assert done.returncode == 0, done.stderr
    metadata = json.loads((tmp_path / "a" / "metadata.json").read_text())
    assert metadata["dataset"]["extra"][0]["decisions"] == 1
    append_decision(
        annotations,
        {
            "source": "news.txt",
            "row": 2,
            "text": f"{text} Twice",
            "entities": [{"label": "LOC", "start": 20, "end": 24}],
        },
    )
    bad = run_module("ner.train", *NER_ARGS, "--extra", str(annotations), "--out", str(tmp_path / "b"), *common)
    assert bad.returncode == 2 and bad.stderr.strip().splitlines() == [
        f"error: {annotations}: line 2: the entity 'Berl' [20:24] does not start and end at token edges "
        "(tokens 'Berlin')"
    ]


@pytest.mark.slow
def test_annotations_export_to_csv_and_conll_that_the_apps_read_back(tmp_path):
    from ner.data import read_conll
    from sentiment.data import parse_label_map, read_labelled_csv

    reviews = tmp_path / "reviews.jsonl"
    _reviews_as_annotations(reviews)
    result = run_module("sentiment.export_annotations", "--input", str(reviews), "--out", str(tmp_path / "r.csv"))
    assert result.returncode == 0, result.stderr
    exported = read_labelled_csv(tmp_path / "r.csv", "text", "label", parse_label_map(None))
    assert len(exported) == 30 and exported.texts[0] == "Wonderful quality, would buy again"
    news = tmp_path / "news.jsonl"
    entities = [{"label": "PER", "start": 0, "end": 11}, {"label": "LOC", "start": 20, "end": 26}]
    append_decision(news, {"source": "n.txt", "row": 1, "text": "Maria Lopez visited Berlin.", "entities": entities})
    result = run_module("ner.export_annotations", "--input", str(news), "--out", str(tmp_path / "n.conll"))
    assert result.returncode == 0, result.stderr
    (sentence,) = read_conll(tmp_path / "n.conll")
    assert sentence.tags == ("B-PER", "I-PER", "O", "B-LOC", "O")
    again = run_module("ner.export_annotations", "--input", str(news), "--out", str(tmp_path / "n.conll"))
    assert again.returncode == 2 and again.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'n.conll'}: exists; choose another path for --out (nothing was replaced)"
    ]


@pytest.mark.slow
def test_retraining_from_the_annotate_page_writes_a_new_folder_and_scores_old_and_new(sentiment_bundle, tmp_path):
    from app_pages.annotation import free_folder, retrain
    from sentiment import SentimentClassifier

    annotations = tmp_path / "mine.jsonl"
    _reviews_as_annotations(annotations)
    (tmp_path / "models" / "sentiment-annotated").mkdir(parents=True)
    out = free_folder(tmp_path / "models" / "sentiment-annotated")
    assert out.name == "sentiment-annotated-2"  # an existing folder is never reused
    epochs = []
    result = retrain("sentiment", sentiment_bundle, annotations, out, with_base=True, on_epoch=epochs.append)
    metadata = json.loads((out / "metadata.json").read_text())
    assert metadata["dataset"]["extra"][0]["name"] == "mine.jsonl" and epochs
    assert metadata["training"]["train_examples"] == 27 + 30
    old = SentimentClassifier.load(sentiment_bundle)
    assert result["after"] == pytest.approx(metadata["metrics"]["dev"]["macro_f1"])
    assert result["before"] == pytest.approx(old.metadata["metrics"]["dev"]["macro_f1"])  # the same dev split


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("PER\nO", "the entity type 'PER\\nO' holds a space, a line break or a control character"),
        ("B-PER", "'B-PER' is a tag, not an entity type (write PER, not B-PER)"),
        ("I-LOC", "'I-LOC' is a tag, not an entity type"),
        ("NEW TYPE", "holds a space"),
        ("O", "'O' is a tag, not an entity type"),
    ],
)
def test_an_entity_type_that_is_a_tag_or_holds_whitespace_is_refused(tmp_path, label, message):
    path = tmp_path / "news.jsonl"
    append_decision(path, {"source": "n.txt", "row": 1, "text": "Maria won .", "entities": [
        {"label": label, "start": 0, "end": 5}
    ]})  # fmt: skip
    result = run_module("ner.export_annotations", "--input", str(path), "--out", str(tmp_path / "n.conll"))
    (line,) = result.stderr.strip().splitlines()
    assert result.returncode == 2 and line.startswith(f"error: {path}: line 1: ") and message in line
    assert not (tmp_path / "n.conll").exists()


@pytest.mark.slow
def test_an_entity_type_the_training_data_lacks_is_said_in_one_line(tmp_path, tiny_ner_config_file):
    annotations = tmp_path / "news.jsonl"
    entities = [{"label": "FOO", "start": 0, "end": 11}]
    append_decision(annotations, {"source": "n.txt", "row": 1, "text": "Maria Lopez won .", "entities": entities})
    common = ["--config", str(tiny_ner_config_file), "--seed", "1", "--training.epochs", "1"]
    done = run_module("ner.train", *NER_ARGS, "--extra", str(annotations), "--out", str(tmp_path / "a"), *common)
    assert done.returncode == 0, done.stderr
    assert (
        "warning: annotation file 1 adds the entity type(s) FOO, which the other training data lacks"
        in done.stderr.splitlines()
    )


@pytest.mark.slow
def test_a_model_trained_with_extra_is_compared_and_retrained_again_from_any_folder(tmp_path, tiny_config_file):
    """The bundle records its files relative to itself (no path of this machine), so
    `evaluate --baseline` from another folder finds them; the annotation file has grown
    since (decisions are appended), and the version trained on is read again."""
    import shutil

    from app_pages.annotation import retrain

    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    shutil.copy(FIXTURES / "reviews.csv", project / "data" / "reviews.csv")
    annotations = project / "data" / "mine.jsonl"
    _reviews_as_annotations(annotations)
    args = [
        "--csv",
        "data/reviews.csv",
        "--text-col",
        "review",
        "--label-col",
        "stars",
        "--label-map",
        "1-2:negative,3:neutral,4-5:positive",
    ]
    trained = run_module(
        "sentiment.train", *args, "--extra", "data/mine.jsonl", "--out", "models/a",
        "--config", str(tiny_config_file), "--seed", "1", cwd=project,
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    metadata_text = (project / "models" / "a" / "metadata.json").read_text()
    assert str(tmp_path) not in metadata_text
    _more_decisions(annotations, 2)  # the file grows after the training
    compared = run_module(
        "sentiment.evaluate", "--model", str(project / "models" / "a"), "--csv", str(FIXTURES / "reviews.csv"),
        "--text-col", "review", "--label-col", "stars", "--label-map", "1-2:negative,3:neutral,4-5:positive",
        "--baseline", "tfidf", "--output", str(tmp_path / "e.json"), cwd=tmp_path,
    )  # fmt: skip
    assert compared.returncode == 0, compared.stderr
    assert "trained on the bundle's 57 training examples" in compared.stdout
    first = retrain("sentiment", project / "models" / "a", annotations, tmp_path / "b", with_base=True, on_epoch=print)
    assert json.loads((tmp_path / "b" / "metadata.json").read_text())["training"]["train_examples"] == 27 + 32
    _more_decisions(annotations, 5)  # three more
    retrain("sentiment", tmp_path / "b", annotations, tmp_path / "c", with_base=True, on_epoch=print)
    metadata = json.loads((tmp_path / "c" / "metadata.json").read_text())
    assert metadata["training"]["train_examples"] == 27 + 35  # the annotations once each, not twice
    assert [entry["decisions"] for entry in metadata["dataset"]["extra"]] == [35]
    assert first["old"] == str(project / "models" / "a")
