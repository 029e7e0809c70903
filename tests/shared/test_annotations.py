"""The annotation file: appended decision by decision, safe against kills, torn lines and
two writers; a decision is its text, once per file, of one task; hand edits are checked."""

import json
import subprocess
import sys
import textwrap

import pytest

from shared.annotations import (
    TORN_SUFFIX,
    append_decision,
    labelled_decisions,
    open_annotations,
    read_annotations,
    text_key,
)
from shared.errors import DataError
from tests.conftest import ROOT

WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]


def decision(row: int, label: str = "positive", source: str = "reviews.csv", task: str = "sentiment") -> dict:
    return {"task": task, "source": source, "row": row, "text": f"text {WORDS[row]}", "label": label}


def test_decisions_round_trip_in_order_and_a_decided_text_is_never_written_twice(tmp_path):
    path = tmp_path / "a" / "x.jsonl"
    assert open_annotations(path).records == []
    assert append_decision(path, decision(3)) and append_decision(path, decision(1, "negative"))
    assert not append_decision(path, decision(3, "negative"))
    opened = open_annotations(path)
    assert opened.records == [decision(3), decision(1, "negative")] and opened.torn_message is None
    assert opened.done() == {text_key("text delta"), text_key("text bravo")}
    assert path.read_text(encoding="utf-8").count("\n") == 2


def test_a_text_is_known_by_itself_not_by_its_files_name_and_row(tmp_path):
    """Row 2 of data/a/x.csv labelled: row 2 of data/b/x.csv, another text, is still to ask;
    the same text met again in another file (or an edited one) is not asked twice."""
    path = tmp_path / "x.jsonl"
    assert append_decision(path, {**decision(2), "source": "x.csv", "source_sha256": "a" * 64})
    other_file_same_row = {**decision(5), "row": 2, "source": "x.csv", "source_sha256": "b" * 64}
    assert append_decision(path, other_file_same_row)
    same_text_elsewhere = {**decision(2, "negative"), "source": "y.csv", "row": 9}
    assert not append_decision(path, same_text_elsewhere)
    assert [record["text"] for record in open_annotations(path).records] == ["text charlie", "text foxtrot"]


def test_an_annotation_file_holds_one_tasks_decisions(tmp_path):
    path = tmp_path / "x.jsonl"
    assert append_decision(path, decision(1))
    ner = {"task": "ner", "source": "x.csv", "row": 2, "text": "Paris in spring", "entities": []}
    with pytest.raises(DataError, match=r"x.jsonl: line 1 is a sentiment decision, not ner: an annotation file"):
        append_decision(path, ner)
    with pytest.raises(DataError, match="line 1 is a sentiment decision, not ner"):
        open_annotations(path, "ner")
    with pytest.raises(DataError, match="line 1 is a sentiment decision, not ner"):
        labelled_decisions(path, "ner")
    assert len(open_annotations(path, "sentiment").records) == 1


def test_a_torn_last_line_is_set_aside_with_a_message_and_the_rest_kept(tmp_path):
    path = tmp_path / "x.jsonl"
    append_decision(path, decision(1))
    with path.open("ab") as handle:
        handle.write(b'{"source": "reviews.csv", "row": 2, "te')
    read = read_annotations(path)  # reading alone changes nothing
    assert read.records == [decision(1)] and "not a whole decision; it is left out" in read.torn_message
    assert not (tmp_path / f"x.jsonl{TORN_SUFFIX}").exists()
    opened = open_annotations(path)
    assert opened.records == [decision(1)]
    assert opened.torn_message == (
        "x.jsonl: its last line was not a whole decision (a write cut short, or an edit); it was not saved "
        f"(its 39 bytes are kept in x.jsonl{TORN_SUFFIX})"
    )
    assert (tmp_path / f"x.jsonl{TORN_SUFFIX}").read_bytes() == b'{"source": "reviews.csv", "row": 2, "te\n'
    assert append_decision(path, decision(2)) and [r["row"] for r in open_annotations(path).records] == [1, 2]


def test_a_whole_last_decision_without_its_newline_is_kept_and_the_next_goes_on_a_line_of_its_own(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text("\n".join(json.dumps(decision(row)) for row in range(1, 6)), encoding="utf-8")
    assert [record["row"] for record in read_annotations(path).records] == [1, 2, 3, 4, 5]
    assert len(labelled_decisions(path, "sentiment")) == 5
    opened = open_annotations(path)
    assert len(opened.records) == 5 and opened.torn_message is None
    assert not (tmp_path / f"x.jsonl{TORN_SUFFIX}").exists()
    assert append_decision(path, decision(6))
    assert [record["row"] for record in open_annotations(path).records] == [1, 2, 3, 4, 5, 6]


def test_a_utf8_byte_order_mark_is_read_and_latin1_is_an_encoding_message(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + (json.dumps(decision(1)) + "\n").encode())
    assert read_annotations(path).records == [decision(1)]
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(
        (json.dumps({**decision(1), "text": "caf\u00e9 au lait"}, ensure_ascii=False) + "\n").encode("latin-1")
    )
    with pytest.raises(DataError, match=r"latin.jsonl: line 1: not UTF-8 text \(an annotation file is UTF-8"):
        read_annotations(latin)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"row": "abc"}, "'row' must be an integer (got 'abc')"),
        ({"row": None}, "'row' must be an integer (got None)"),
        ({"text": None}, "'text' must be a text that is not blank (got None)"),
        ({"label": None}, "'label' must be a string (got None)"),
        ({"label": None, "entities": None}, "'entities' must be a list (empty for none; got None)"),
        ({"entities": [{"label": "PER", "start": None, "end": 4}]}, "needs integer start and end offsets"),
        ({"entities": [{"label": "PER", "start": "0", "end": 4}]}, "needs integer start and end offsets"),
        ({"entities": [{"label": "PER", "start": 0, "end": 99}]}, "is not inside its text of 12 characters"),
        ({"entities": ["PER"]}, "an entity is not a JSON object"),
        ({"skipped": "yes"}, "'skipped' must be true or false"),
    ],
)
def test_a_hand_edited_decision_is_one_line_naming_the_file_and_line(tmp_path, change, problem):
    path = tmp_path / "x.jsonl"
    bad = {key: value for key, value in {**decision(2), **change}.items() if value is not None or key in change}
    path.write_text(json.dumps(decision(1)) + "\n" + json.dumps(bad) + "\n" + json.dumps(decision(3)) + "\n")
    for read in (read_annotations, open_annotations, lambda p: labelled_decisions(p, "sentiment")):
        with pytest.raises(DataError) as caught:
            read(path)
        assert str(caught.value).startswith(f"{path}: line 2 is not an annotation decision: ")
        assert problem in str(caught.value)


def test_a_writer_killed_mid_line_loses_only_that_decision(tmp_path):
    path = tmp_path / "x.jsonl"
    script = textwrap.dedent(f"""
        import os, signal
        from shared.annotations import append_decision
        for row, word in enumerate(["one", "two", "three"], start=1):
            append_decision({str(path)!r}, {{"source": "s.csv", "row": row, "text": word, "label": "neutral"}})
        handle = open({str(path)!r}, "ab")
        handle.write(b'{{"source": "s.csv", "row": 4, "lab')
        handle.flush()
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True)
    assert done.returncode == -9
    opened = open_annotations(path)
    assert [record["row"] for record in opened.records] == [1, 2, 3]
    assert opened.torn_message is not None and "it was not saved" in opened.torn_message
    for line in path.read_text(encoding="utf-8").splitlines():
        json.loads(line)


def test_two_concurrent_writers_never_duplicate_a_row(tmp_path):
    path = tmp_path / "x.jsonl"
    script = textwrap.dedent(f"""
        import random, string, sys
        from shared.annotations import append_decision
        rows = list(range(60))
        random.Random(int(sys.argv[1])).shuffle(rows)
        def text(r):
            return "text " + string.ascii_lowercase[r // 26] + string.ascii_lowercase[r % 26]
        wrote = sum(
            append_decision({str(path)!r}, {{"source": "s.csv", "row": r, "text": text(r), "label": sys.argv[1]}})
            for r in rows
        )
        print(wrote)
    """)
    writers = [
        subprocess.Popen([sys.executable, "-c", script, str(seed)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        for seed in (1, 2)
    ]
    wrote = [int(writer.communicate()[0]) for writer in writers]
    rows = [record["row"] for record in open_annotations(path).records]
    assert sorted(rows) == list(range(60)) and sum(wrote) == 60
