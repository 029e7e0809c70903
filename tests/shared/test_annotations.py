"""The annotation file: appended decision by decision, safe against kills, torn lines and two writers."""

import json
import subprocess
import sys
import textwrap

import pytest

from shared.annotations import TORN_SUFFIX, append_decision, open_annotations, read_annotations
from shared.errors import DataError
from tests.conftest import ROOT


def decision(row: int, label: str = "positive") -> dict:
    return {"source": "reviews.csv", "row": row, "text": f"text {row}", "label": label}


def test_decisions_round_trip_in_order_and_a_labelled_row_is_never_written_twice(tmp_path):
    path = tmp_path / "a" / "x.jsonl"
    assert open_annotations(path).records == []
    assert append_decision(path, decision(3)) and append_decision(path, decision(1, "negative"))
    assert not append_decision(path, decision(3, "negative"))
    opened = open_annotations(path)
    assert opened.records == [decision(3), decision(1, "negative")] and opened.torn_message is None
    assert opened.done() == {("reviews.csv", 3), ("reviews.csv", 1)}
    assert path.read_text(encoding="utf-8").count("\n") == 2


def test_a_torn_last_line_is_set_aside_with_a_message_and_the_rest_kept(tmp_path):
    path = tmp_path / "x.jsonl"
    append_decision(path, decision(1))
    with path.open("ab") as handle:
        handle.write(b'{"source": "reviews.csv", "row": 2, "te')
    read = read_annotations(path)  # reading alone changes nothing
    assert read.records == [decision(1)] and "cut off" in read.torn_message
    assert not (tmp_path / f"x.jsonl{TORN_SUFFIX}").exists()
    opened = open_annotations(path)
    assert opened.records == [decision(1)]
    assert opened.torn_message == (
        "x.jsonl: its last line was cut off when a write was interrupted; that decision was not saved "
        f"(its 39 bytes are kept in x.jsonl{TORN_SUFFIX})"
    )
    assert (tmp_path / f"x.jsonl{TORN_SUFFIX}").read_bytes() == b'{"source": "reviews.csv", "row": 2, "te\n'
    assert append_decision(path, decision(2)) and [r["row"] for r in open_annotations(path).records] == [1, 2]


def test_a_bad_line_inside_the_file_is_a_data_error_not_a_crash_to_repair(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"source": "a", "row": 1}\nnot json\n{"source": "a", "row": 2}\n', encoding="utf-8")
    with pytest.raises(DataError, match="line 2 is not an annotation decision"):
        open_annotations(path)


def test_a_writer_killed_mid_line_loses_only_that_decision(tmp_path):
    path = tmp_path / "x.jsonl"
    script = textwrap.dedent(f"""
        import os, signal
        from shared.annotations import append_decision
        for row in range(1, 4):
            append_decision({str(path)!r}, {{"source": "s.csv", "row": row, "label": "neutral"}})
        handle = open({str(path)!r}, "ab")
        handle.write(b'{{"source": "s.csv", "row": 4, "lab')
        handle.flush()
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True)
    assert done.returncode == -9
    opened = open_annotations(path)
    assert [record["row"] for record in opened.records] == [1, 2, 3]
    assert opened.torn_message is not None and "that decision was not saved" in opened.torn_message
    for line in path.read_text(encoding="utf-8").splitlines():
        json.loads(line)


def test_two_concurrent_writers_never_duplicate_a_row(tmp_path):
    path = tmp_path / "x.jsonl"
    script = textwrap.dedent(f"""
        import random, sys
        from shared.annotations import append_decision
        rows = list(range(60))
        random.Random(int(sys.argv[1])).shuffle(rows)
        wrote = sum(append_decision({str(path)!r}, {{"source": "s.csv", "row": r, "by": sys.argv[1]}}) for r in rows)
        print(wrote)
    """)
    writers = [
        subprocess.Popen([sys.executable, "-c", script, str(seed)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        for seed in (1, 2)
    ]
    wrote = [int(writer.communicate()[0]) for writer in writers]
    rows = [record["row"] for record in open_annotations(path).records]
    assert sorted(rows) == list(range(60)) and sum(wrote) == 60
