"""The generic CLI verbs through both apps: one rule for blank texts and for
spreadsheet formulas, CSV or JSONL out."""

from __future__ import annotations

import csv
import json

import pytest

from shared.errors import DataError
from shared.results import csv_cell, neutralize_formula

pytestmark = pytest.mark.slow

ROWS = "id,text,=note\n1,Anna Kowalski visited Paris.,=1+1\n2,,@me\n3,-5 stars: awful,+x\n"


def _predict(app: str, argv: list[str]) -> int:
    import importlib

    return importlib.import_module(f"{app}.predict").main(argv)


@pytest.mark.parametrize("app", ["sentiment", "ner"])
def test_csv_output_neutralises_formula_cells_and_headers(app, request, tmp_path):
    bundle = request.getfixturevalue(f"{app}_bundle")
    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(ROWS)
    assert _predict(app, ["--model", str(bundle), "--input", str(source), "--output", str(output)]) == 0
    with open(output, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["id", "text", "'=note"]
    assert [row[2] for row in rows[1:]] == ["'=1+1", "'@me", "'+x"]
    assert rows[3][1] == "'-5 stars: awful"
    kept = tmp_path / "kept.csv"
    argv = ["--model", str(bundle), "--input", str(source), "--output", str(kept), "--keep-formulas"]
    assert _predict(app, argv) == 0
    with open(kept, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][2] == "=note" and [row[2] for row in rows[1:]] == ["=1+1", "@me", "+x"]


def test_sentiment_keeps_a_blank_row_unscored_and_counts_it(sentiment_bundle, tmp_path, capsys):
    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(ROWS)
    assert (
        _predict("sentiment", ["--model", str(sentiment_bundle), "--input", str(source), "--output", str(output)]) == 0
    )
    assert f"Wrote 3 rows to {output} (1 blank text left unscored)" in capsys.readouterr().err
    with open(output, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["id"] for row in rows] == ["1", "2", "3"]
    assert [row["label"] for row in rows][1] == "" and rows[1]["p_positive"] == ""
    assert rows[0]["label"] in ("negative", "neutral", "positive") and rows[2]["label"]
    with pytest.raises(DataError, match="in.csv: row 3: empty text"):
        _predict("sentiment", ["--model", str(sentiment_bundle), "--input", str(source), "--strict"])


def test_jsonl_output_for_sentiment_and_csv_input_for_ner(sentiment_bundle, ner_bundle, tmp_path, capsys):
    source = tmp_path / "in.csv"
    source.write_text(ROWS)
    jsonl = tmp_path / "out.jsonl"
    assert (
        _predict("sentiment", ["--model", str(sentiment_bundle), "--input", str(source), "--output", str(jsonl)]) == 0
    )
    records = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert [r["id"] for r in records] == ["1", "2", "3"] and records[1]["label"] is None
    assert abs(sum(records[0][f"p_{label}"] for label in ("negative", "neutral", "positive")) - 1) < 1e-4
    capsys.readouterr()
    assert _predict("ner", ["--model", str(ner_bundle), "--input", str(source)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["=note"] for line in lines] == ["=1+1", "@me", "+x"]  # JSON is data: nothing to neutralise
    assert lines[1]["entities"] == []  # a blank text has no entities
    assert lines[0]["entities"] and all(
        lines[0]["text"][e["start"] : e["end"]] == e["text"] for e in lines[0]["entities"]
    )


@pytest.mark.parametrize(
    ("value", "cell"),
    [(None, ""), (0.5, "0.500000"), ([{"a": 1}], '[{"a": 1}]'), ("=SUM(A1)", "'=SUM(A1)"), ("\tx", "'\tx"), (3, "3")],
)
def test_csv_cells(value, cell):
    assert csv_cell(value) == cell
    assert neutralize_formula("plain") == "plain"
