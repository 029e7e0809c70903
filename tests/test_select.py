"""python -m <app>.select: the texts to label next, most uncertain first, into a new queue file."""

import csv
import json

import numpy as np
import pytest

from tests.conftest import FIXTURES, run_in_process, run_module

pytestmark = pytest.mark.slow


def _rows(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _one_line_error(result) -> str:
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    (line,) = result.stderr.strip().splitlines()
    return line


def test_the_queue_holds_the_most_uncertain_texts_first_and_skips_labelled_rows(
    sentiment_bundle, sentiment_classifier, tmp_path
):
    from shared.annotations import append_decision
    from shared.selection import entropy

    source = FIXTURES / "reviews.csv"
    with source.open(newline="", encoding="utf-8") as handle:
        texts = {number: row["review"] for number, row in enumerate(csv.DictReader(handle), start=2)}
    labelled = tmp_path / "done.jsonl"
    append_decision(
        labelled, {"task": "sentiment", "source": "reviews.csv", "row": 2, "text": texts[2], "label": "positive"}
    )
    # Row 3 of another file called reviews.csv (another text) leaves this file's row 3 to ask.
    append_decision(
        labelled, {"task": "sentiment", "source": "reviews.csv", "row": 3, "text": "zz other", "label": "negative"}
    )
    queue = tmp_path / "queue.csv"
    args = ["--model", str(sentiment_bundle), "--input", str(source), "--text-col", "review", "--n", "5"]
    result = run_module("sentiment.select", *args, "--out", str(queue), "--exclude", str(labelled))
    assert result.returncode == 0, result.stderr
    rows = _rows(queue)
    uncertainty = dict(zip(texts, entropy(sentiment_classifier.predict_proba(list(texts.values())))))
    expected = sorted((row for row in texts if row != 2), key=lambda row: -uncertainty[row])[:5]
    assert [int(row["row"]) for row in rows] == expected
    assert [float(row["uncertainty"]) for row in rows] == pytest.approx([uncertainty[r] for r in expected], abs=1e-5)
    for row in rows:
        guess = json.loads(row["guess"])
        assert row["text"] == texts[int(row["row"])] and row["source"] == "reviews.csv"
        assert guess["label"] == sentiment_classifier.predict(row["text"]).label
    again = run_module("sentiment.select", *args, "--out", str(queue))
    assert _one_line_error(again) == f"error: {queue}: exists; choose another path for --out (nothing was replaced)"


def test_random_order_is_seeded_and_the_tagger_queues_sentences_by_their_least_sure_entity(ner_bundle, tmp_path):
    from ner import EntityTagger

    source = tmp_path / "news.txt"
    source.write_text("Anna Kowalski visited Paris .\nShares of Acme Corp fell .\nNothing here .\nLena Novak won .\n")
    queues = []
    for name, option, ranking in (
        ("a", "--rank-by", "random"),
        ("b", "--strategy", "random"),
        ("c", "--rank-by", "entity"),
    ):
        queues.append(tmp_path / f"{name}.csv")
        args = ["--model", str(ner_bundle), "--input", str(source), "--n", "4", option, ranking]
        done = run_module("ner.select", *args, "--out", str(queues[-1]))
        assert done.returncode == 0
        deprecated = [line for line in done.stderr.splitlines() if "deprecated" in line]
        assert deprecated == (["warning: --strategy is deprecated: use --rank-by"] if option == "--strategy" else [])
    assert _rows(queues[0]) == _rows(queues[1])  # the old option orders as the new one
    tagger = EntityTagger.load(ner_bundle)
    rows = _rows(queues[2])
    least_sure = [1 - min((e.score for e in tagger.predict(row["text"])), default=1.0) for row in rows]
    assert least_sure == sorted(least_sure, reverse=True) and np.allclose(
        least_sure, [float(row["uncertainty"]) for row in rows], atol=1e-5
    )
    assert [e["text"] for e in json.loads(rows[0]["guess"])] == [e.text for e in tagger.predict(rows[0]["text"])]


@pytest.mark.parametrize(
    ("extra", "content", "expected"),
    [
        (["--text-col", "body"], "review\nfine\n", "in.csv: no column 'body'; columns are: review"),
        ([], "", "in.csv: the file is empty"),
        ([], "text\n", "in.csv: no rows to choose from"),
        (["--n", "0"], "text\nfine\n", "argument --n: expected a whole number of at least 1, got '0'"),
    ],
)
def test_bad_input_is_one_clear_line(capfd, sentiment_bundle, tmp_path, extra, content, expected):
    source = tmp_path / "in.csv"
    source.write_text(content)
    args = ["--model", str(sentiment_bundle), "--input", str(source), "--n", "3", "--out", str(tmp_path / "q.csv")]
    line = _one_line_error(run_in_process(capfd, "sentiment.select", *args, *extra))
    assert expected in line and not (tmp_path / "q.csv").exists()


def test_a_bundle_of_another_task_is_refused(capfd, ner_bundle, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("text\nfine\n")
    args = ["--model", str(ner_bundle), "--input", str(source), "--n", "3", "--out", str(tmp_path / "q.csv")]
    assert "ner" in _one_line_error(run_in_process(capfd, "sentiment.select", *args))


def test_an_annotation_file_of_the_other_task_is_refused_as_exclude(sentiment_bundle, tmp_path):
    from shared.annotations import append_decision

    labelled = tmp_path / "entities.jsonl"
    append_decision(labelled, {"task": "ner", "source": "x.txt", "row": 1, "text": "Anna won .", "entities": []})
    args = ["--model", str(sentiment_bundle), "--input", str(FIXTURES / "reviews.csv"), "--text-col", "review"]
    result = run_module(
        "sentiment.select", *args, "--n", "2", "--out", str(tmp_path / "q.csv"), "--exclude", str(labelled)
    )
    assert _one_line_error(result) == (
        f"error: {labelled}: line 1 is a ner decision, not sentiment: an annotation file holds one task's decisions; "
        "choose another file for this task"
    )
    assert not (tmp_path / "q.csv").exists()
