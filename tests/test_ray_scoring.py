"""Batch scoring on Ray (`predict --engine ray`): a real local Ray cluster, real workers."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from shared.errors import DataError, OutputError
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

WORDS = ("great", "awful", "fine", "Paris", "Angela Merkel", "boring", "loved", "Berlin", "plot", "Acme Corp")


def sentence(number: int) -> str:
    return " ".join(WORDS[(number * 7 + k * 3) % len(WORDS)] for k in range(1 + number % 6))


def write_inputs(folder: Path, rows: int) -> list[Path]:
    """The same kind of texts as CSV, JSONL (objects and bare strings), Parquet and plain
    text, with a blank text in each."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    texts = [sentence(n) for n in range(rows)]
    texts[3] = "   "
    with open(folder / "a.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "text", "note"])
        writer.writerows([n, text, f"=note {n}"] for n, text in enumerate(texts))
    with open(folder / "b.jsonl", "w", encoding="utf-8") as out:
        for n, text in enumerate(reversed(texts)):
            out.write(json.dumps(text if n % 5 == 0 else {"text": text, "n": n}) + "\n")
    pq.write_table(pa.table({"text": texts[::2], "n": list(range(0, rows, 2))}), folder / "c.parquet")
    (folder / "d.txt").write_text("\n".join(texts[1::3]) + "\n", encoding="utf-8")
    return sorted(folder.iterdir())


def read_parts(folder: Path) -> dict[tuple[str, int], dict]:
    """Every row of a scoring output, keyed by (source file, row); a duplicate fails."""
    rows = {}
    for part in sorted(folder.glob("part-*")):
        if part.suffix == ".csv":
            with open(part, newline="", encoding="utf-8") as handle:
                found = list(csv.DictReader(handle))
        else:
            found = [json.loads(line) for line in part.read_text(encoding="utf-8").splitlines()]
        for row in found:
            key = (Path(row["source_file"]).name, int(row["source_row"]))
            assert key not in rows, f"{key} written twice"
            rows[key] = row
    return rows


def local_predictions(module: str, model: Path, path: Path, out: Path) -> list[dict]:
    """What the single-process CLI writes for one file, as dicts."""
    from importlib import import_module

    argv = ["--model", str(model), "--input", str(path), "--output", str(out)]
    assert import_module(f"{module}.predict").main(argv) == 0
    if out.suffix == ".csv":
        with open(out, newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def local_ray():
    """A local Ray cluster with room for two scoring workers and a reader."""
    import ray  # a pinned dependency: missing, it fails, it does not skip

    ray.init(num_cpus=3, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray.shutdown()


@pytest.mark.parametrize(
    ("module", "bundle", "suffix", "fields"),
    [
        ("sentiment", "sentiment_bundle", ".csv", ["label", "p_negative", "p_neutral", "p_positive"]),
        ("ner", "ner_bundle", ".jsonl", ["entities"]),
    ],
)
def test_ray_scores_every_file_as_the_single_process_cli_does(
    local_ray, tmp_path, request, module, bundle, suffix, fields
):
    from importlib import import_module

    model = request.getfixturevalue(bundle)
    files = write_inputs(tmp_path / "in", 120)
    out = tmp_path / "out"
    argv = ["--model", str(model), "--engine", "ray", "--input", str(tmp_path / "in" / "*"), "--output", str(out)]
    assert import_module(f"{module}.predict").main([*argv, "--workers", "2", "--rows-per-part", "25"]) == 0

    assert (out / "_SUCCESS").is_file()
    scored = read_parts(out)
    manifest = json.loads((out / "_SCORING.json").read_text())
    assert manifest["rows"] == len(scored) and len(manifest["parts"]) == len(list(out.glob("part-*"))) > len(files)
    for path in files:
        if path.suffix == ".parquet":
            continue  # the single-process CLI reads no Parquet; its rows are checked below
        expected = local_predictions(module, model, path, tmp_path / f"local-{path.stem}{suffix}")
        for number, row in enumerate(expected, start=2 if path.suffix == ".csv" else 1):
            got = scored[(path.name, number)]
            assert got["text"] == row["text"]
            assert [got[name] for name in fields] == [row[name] for name in fields], (path.name, number)
    for number in range(1, 61):  # Parquet row i holds the text of CSV row 2i (its i-th even text)
        got, same_text = scored[("c.parquet", number)], scored[("a.csv", 2 * number)]
        assert [got[name] for name in ["text", *fields]] == [same_text[name] for name in ["text", *fields]]
    assert sum(1 for row in scored.values() if not row["text"].strip()) == 2  # CSV and JSONL hold one


def test_blank_text_with_strict_fails_in_one_line_and_leaves_no_success(local_ray, tmp_path, sentiment_bundle):
    from sentiment.predict import main

    write_inputs(tmp_path / "in", 20)
    out = tmp_path / "out"
    argv = ["--model", str(sentiment_bundle), "--engine", "ray", "--input", str(tmp_path / "in" / "a.csv")]
    with pytest.raises(DataError, match=r"a\.csv: row 5: empty text$"):
        main([*argv, "--output", str(out), "--strict", "--workers", "1"])
    assert not out.exists()  # the folder it made, and all it wrote there, are gone
    out.mkdir()
    with pytest.raises(DataError, match=r"a\.csv: row 5: empty text$"):
        main([*argv, "--output", str(out), "--strict", "--workers", "1"])
    assert out.is_dir() and not list(out.iterdir())  # the user's empty folder stays, empty
    with pytest.raises(DataError, match="no column 'review'; columns are: id, text, note$"):
        main([*argv, "--output", str(out), "--text-col", "review", "--workers", "1"])


def test_a_finished_output_or_a_folder_of_other_files_is_never_replaced(tmp_path, sentiment_bundle):
    from sentiment.predict import main

    write_inputs(tmp_path / "in", 5)
    argv = ["--model", str(sentiment_bundle), "--engine", "ray", "--input", str(tmp_path / "in")]
    finished = tmp_path / "finished"
    finished.mkdir()
    (finished / "_SCORING.json").write_text("{}")
    (finished / "_SUCCESS").write_text("")
    (finished / "part-00000-0000000001.csv").write_text("kept")
    with pytest.raises(OutputError, match="already holds a finished scoring output"):
        main([*argv, "--output", str(finished)])
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("kept")
    with pytest.raises(OutputError, match="'notes.txt', which this project did not write"):
        main([*argv, "--output", str(mine)])
    assert (finished / "part-00000-0000000001.csv").read_text() == "kept" and (mine / "notes.txt").read_text() == "kept"


def test_the_engine_options_go_together(sentiment_bundle):
    from sentiment.predict import main

    model = ["--model", str(sentiment_bundle)]
    with pytest.raises(DataError, match=r"--engine ray needs --input .* and --output \(a folder\)$"):
        main([*model, "--engine", "ray", "A fine film."])
    with pytest.raises(DataError, match="--address, --workers and --format go with --engine ray$"):
        main([*model, "--workers", "2", "A fine film."])


def test_inputs_are_a_file_a_folder_or_a_glob(tmp_path):
    from shared.inputs import input_files

    files = write_inputs(tmp_path / "in", 5)
    (tmp_path / "in" / "_SUCCESS").write_text("")
    assert input_files(str(files[0]))[1] == [str(files[0])]
    assert input_files(str(tmp_path / "in"))[1] == [str(path) for path in files]
    assert input_files(str(tmp_path / "in" / "*.csv"))[1] == [str(tmp_path / "in" / "a.csv")]
    with pytest.raises(DataError, match="no file matches"):
        input_files(str(tmp_path / "in" / "*.tsv"))
    with pytest.raises(DataError, match="file not found"):
        input_files(str(tmp_path / "missing.csv"))


def tagged_processes(tag: str) -> list[int]:
    """The live processes whose environment holds RNNTEXT_TEST_RUN_TAG=tag (every process the run started)."""
    from shared.reaper import processes_with

    return processes_with("RNNTEXT_TEST_RUN_TAG", tag)


def cli(*args: str, env: dict | None = None) -> subprocess.Popen:
    """`python -m sentiment.predict ARGS` in its own process group (so a test can kill
    the run with the Ray cluster it started)."""
    return subprocess.Popen(
        [sys.executable, "-m", "sentiment.predict", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def test_a_killed_run_leaves_no_success_and_a_rerun_writes_every_row_once(tmp_path, sentiment_bundle):
    write_inputs(tmp_path / "in", 600)
    out = tmp_path / "out"
    argv = ["--model", str(sentiment_bundle), "--engine", "ray", "--input", str(tmp_path / "in"), "--output", str(out)]
    argv += ["--workers", "2", "--rows-per-part", "20"]

    tag = f"run-{uuid.uuid4().hex}"  # every process the run starts inherits it
    run = cli(*argv, env={"RNNTEXT_TEST_RUN_TAG": tag})
    deadline = time.monotonic() + 240
    while not list(out.glob("part-*")) and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert tagged_processes(tag), "the run's Ray processes were not found"
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=60)
    assert list(out.glob("part-*")), "the run ended before any part was written"
    assert not (out / "_SUCCESS").exists()
    deadline = time.monotonic() + 60  # the watcher sees the command gone within a second, then kills the rest
    while tagged_processes(tag) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert tagged_processes(tag) == [], "a process of the killed run survived it"

    rerun = cli(*argv)
    _, stderr = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, stderr
    assert (out / "_SUCCESS").is_file()
    assert len(read_parts(out)) == 600 + 600 + 300 + 200


def test_a_worker_that_dies_has_its_block_retried(tmp_path, sentiment_bundle):
    write_inputs(tmp_path / "in", 200)
    out = tmp_path / "out"
    argv = ["--model", str(sentiment_bundle), "--engine", "ray", "--input", str(tmp_path / "in"), "--output", str(out)]
    env = {"RNNTEXT_TEST_KILL_AT": "scoring-worker", "RNNTEXT_TEST_KILL_ONCE": str(tmp_path / "killed")}
    run = cli(*argv, "--workers", "2", "--rows-per-part", "50", env=env)
    _, stderr = run.communicate(timeout=300)
    assert (tmp_path / "killed").exists(), "no worker was killed"
    assert run.returncode == 0, stderr
    assert len(read_parts(out)) == 200 + 200 + 100 + 67
    assert not [path.name for path in out.iterdir() if path.name.startswith(".")]


def run_cli(*args: str, timeout: float = 120) -> tuple[int, str, str, float]:
    started = time.monotonic()
    run = cli(*args)
    stdout, stderr = run.communicate(timeout=timeout)
    return run.returncode, stdout, stderr, time.monotonic() - started


def test_errors_found_before_a_cluster_starts_are_one_line_and_write_nothing(tmp_path, sentiment_bundle):
    write_inputs(tmp_path / "in", 5)
    out = tmp_path / "out"
    model = ["--model", str(sentiment_bundle), "--engine", "ray", "--input", str(tmp_path / "in" / "a.csv")]
    code, stdout, stderr, seconds = run_cli(*model, "--output", str(out), "--text-col", "review")
    assert (code, stdout) == (2, "")
    assert stderr == f"error: {tmp_path / 'in' / 'a.csv'}: no column 'review'; columns are: id, text, note\n"
    assert not out.exists()
    # Nothing listens at port 1: refused at once, not after Ray's minutes of retries.
    code, stdout, stderr, seconds = run_cli(*model, "--output", str(out), "--address", "127.0.0.1:1")
    assert (code, stdout, stderr) == (
        2,
        "",
        "error: cannot reach the Ray cluster at 127.0.0.1:1 (connection refused)\n",
    )
    assert not out.exists() and seconds < 30


def test_a_server_that_is_not_ray_is_given_up_after_the_connect_timeout(tmp_path, sentiment_bundle):
    import socket

    write_inputs(tmp_path / "in", 5)
    out = tmp_path / "out"
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts connections, never answers
        address = f"127.0.0.1:{silent.getsockname()[1]}"
        argv = ["--model", str(sentiment_bundle), "--engine", "ray", "--input", str(tmp_path / "in" / "a.csv")]
        code, stdout, stderr, seconds = run_cli(
            *argv, "--output", str(out), "--address", address, "--connect-timeout", "3"
        )
    assert (code, stdout) == (2, "")
    assert stderr == f"error: cannot connect to the Ray cluster at {address} (no answer within 3 s)\n"
    assert not out.exists() and seconds < 60


def test_a_run_on_an_embedded_cluster_prints_one_summary_line(tmp_path, sentiment_bundle):
    write_inputs(tmp_path / "in", 30)
    out = tmp_path / "out"
    argv = ["--model", str(sentiment_bundle), "--engine", "ray", "--input", str(tmp_path / "in" / "a.csv")]
    code, stdout, stderr, _ = run_cli(*argv, "--output", str(out), "--workers", "1")
    assert (code, stdout) == (0, ""), stderr
    assert re.fullmatch(r"Wrote 30 rows in 1 part files to \S+ \(1 blank text left unscored\); [\d,]+ rows/s\n", stderr)


@pytest.mark.xfail(
    strict=True,
    reason="Ray 2.60 (the newest release) binds its servers to every interface whatever node address it is "
    "given (checked with ss: gcs_server, raylet, workers on *); its token authentication guards them. "
    "When a release keeps them to loopback this passes, and the README's security notes must change.",
)
def test_an_embedded_cluster_listens_on_loopback_only():
    from shared.ray_engine import ray_cluster
    from tests.conftest import LOOPBACK, listening_addresses, process_tree

    with ray_cluster(None, 1):
        listening = listening_addresses(process_tree(os.getpid()))
    assert listening and {address for address, _ in listening} <= LOOPBACK, listening
