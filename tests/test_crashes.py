"""Crashes lose at most one epoch and never a saved file: real processes, real SIGKILL.

Each test starts a CLI (or a small script) as a subprocess, waits until it is at the
moment under test (an epoch checkpointed, a bundle or export half-written, a
prediction file half-streamed), kills it with SIGKILL and checks what is on disk.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import REVIEWS_ARGS, ROOT, run_module

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")]


def start(*args: str, kill_at: str | None = None) -> subprocess.Popen:
    """Start `python args...` from the project root, its output discarded; `kill_at` names
    a fault-injection point where the process kills itself (shared.files)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if kill_at is not None:
        env["RNNTEXT_TEST_KILL_AT"] = kill_at
    return subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def kill_when(process: subprocess.Popen, ready, timeout: float = 240) -> None:
    """SIGKILL `process` as soon as `ready()` is true; fail if it ends or times out first."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert process.poll() is None, "the process ended before the moment to kill it"
        assert time.monotonic() < deadline, "timed out waiting for the moment to kill"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def staging_folders(parent: Path, name: str) -> list[Path]:
    return [p for p in parent.iterdir() if p.name.startswith(f".{name}.tmp-")]


def full_and_resumed(common: list[str], folder: Path, epochs: int) -> tuple[dict, dict]:
    """Train with `python common...` into folder/full; start it again into folder/crashed,
    SIGKILL it once two epochs are checkpointed and resume it; both bundles' metadata."""
    full = run_module(*common[1:], "--out", str(folder / "full"))
    assert full.returncode == 0, full.stderr
    state = folder / "crashed.training" / "checkpoint" / "state.json"

    def two_epochs_checkpointed() -> bool:
        try:
            return json.loads(state.read_text())["epoch"] >= 1
        except (OSError, ValueError):
            return False

    kill_when(start(*common, "--out", str(folder / "crashed")), two_epochs_checkpointed)
    assert not (folder / "crashed").exists()
    resumed_run = run_module(*common[1:], "--out", str(folder / "crashed"), "--resume")
    assert resumed_run.returncode == 0, resumed_run.stderr
    full_meta, resumed_meta = (json.loads((folder / n / "metadata.json").read_text()) for n in ("full", "crashed"))
    assert resumed_meta["training"]["resumed"]
    assert resumed_meta["training"]["epochs_run"] == full_meta["training"]["epochs_run"] == epochs
    assert resumed_meta["training"]["best_epoch"] == full_meta["training"]["best_epoch"]
    return full_meta, resumed_meta


def test_training_killed_mid_run_resumes_to_the_same_result(tmp_path, tiny_config_file):
    common = ["-m", "sentiment.train", *REVIEWS_ARGS, "--config", str(tiny_config_file), "--seed", "5"]
    full_meta, resumed_meta = full_and_resumed(
        [*common, "--training.epochs", "5", "--training.patience", "5"], tmp_path, epochs=5
    )
    for key in ("accuracy", "macro_f1"):
        assert resumed_meta["metrics"]["dev"][key] == pytest.approx(full_meta["metrics"]["dev"][key], abs=1e-6)
    from sentiment import SentimentClassifier

    texts = ["a gorgeous, witty film", "dull and far too long", "it was fine I guess"]
    full_p, resumed_p = (SentimentClassifier.load(tmp_path / n).predict_proba(texts) for n in ("full", "crashed"))
    np.testing.assert_allclose(resumed_p, full_p, atol=1e-5)


def test_language_model_training_killed_mid_run_resumes_to_the_same_result(tmp_path, lm_text, tiny_lm_config_file):
    common = ["-m", "lm.train", "--text", str(lm_text / "train.txt"), "--config", str(tiny_lm_config_file)]
    common += ["--seed", "5", "--training.epochs", "5", "--training.patience", "5"]
    full_meta, resumed_meta = full_and_resumed(common, tmp_path, epochs=5)
    full_bits, resumed_bits = (meta["metrics"]["dev"]["bits_per_char"] for meta in (full_meta, resumed_meta))
    assert resumed_bits == pytest.approx(full_bits, abs=1e-4)
    from lm import LanguageModel

    full_lm, resumed_lm = (LanguageModel.load(tmp_path / n) for n in ("full", "crashed"))
    assert resumed_lm.sample("Omar", 40, seed=3) == full_lm.sample("Omar", 40, seed=3)


SLOW_SAVE = """
import sys, time
from pathlib import Path
from shared.bundle import save_bundle

class SlowModel:
    def save(self, path):
        Path(path).write_bytes(b"half a model")
        Path(sys.argv[2]).touch()
        time.sleep(120)

save_bundle(sys.argv[1], SlowModel(), {"task": "sentiment", "labels": ["negative", "neutral", "positive"]})
"""


def test_killed_while_saving_a_bundle_keeps_the_previous_one(sentiment_bundle, tmp_path):
    from sentiment import SentimentClassifier
    from shared.bundle import find_bundles

    models = tmp_path / "models"
    target = models / "sentiment"
    shutil.copytree(sentiment_bundle, target)
    before = snapshot(target)
    halfway = tmp_path / "halfway"
    kill_when(start("-c", SLOW_SAVE, str(target), str(halfway)), halfway.exists)
    assert snapshot(target) == before
    assert staging_folders(models, "sentiment"), "the kill should have hit the half-written staging folder"
    assert [entry.path for entry in find_bundles(models)] == [target]
    assert SentimentClassifier.load(target).predict("fine").label


def test_killed_while_exporting_keeps_the_previous_export(sentiment_bundle, tmp_path):
    """Killed with the new SavedModel fully written to its staging folder, just before
    the rename (fault injection through RNNTEXT_TEST_KILL_AT)."""
    out = tmp_path / "export"
    first = run_module("sentiment.export", "--model", str(sentiment_bundle), "--out", str(out))
    assert first.returncode == 0, first.stderr
    before = snapshot(out)
    process = start(
        "-m", "sentiment.export", "--model", str(sentiment_bundle), "--out", str(out), kill_at="before-rename"
    )
    assert process.wait(timeout=240) == -signal.SIGKILL
    (staging,) = staging_folders(tmp_path, "export")
    assert (staging / "saved_model.pb").stat().st_size > 0, "the kill should come after the export was written"
    assert snapshot(out) == before


RESAVE = """
import sys
from sentiment import SentimentClassifier
from shared.bundle import save_bundle

api = SentimentClassifier.load(sys.argv[1])
save_bundle(sys.argv[1], api.model, api.metadata)
"""


@pytest.mark.parametrize("recovered_by", ["find_bundles", "load", "save"])
def test_killed_between_the_two_renames_the_bundle_comes_back(sentiment_bundle, tmp_path, recovered_by):
    """A save replacing a bundle moves the old one aside, then the new one in: killed in
    between, only a hidden `.NAME.old-*` holds it, and the next look or save restores it."""
    from sentiment import SentimentClassifier
    from shared.bundle import find_bundles, save_bundle

    models = tmp_path / "models"
    target = models / "sentiment"
    shutil.copytree(sentiment_bundle, target)
    before = snapshot(target)
    assert start("-c", RESAVE, str(target), kill_at="between-renames").wait(timeout=240) == -signal.SIGKILL
    assert not target.exists() and list(models.glob(".sentiment.old-*"))
    if recovered_by == "find_bundles":
        assert [entry.path for entry in find_bundles(models)] == [target]
        assert snapshot(target) == before
    elif recovered_by == "load":
        assert SentimentClassifier.load(target).predict("fine").label
        assert snapshot(target) == before
    else:
        api = SentimentClassifier.load(sentiment_bundle)
        save_bundle(target, api.model, api.metadata)
        assert SentimentClassifier.load(target).predict("fine").label
    assert not list(models.glob(".sentiment.old-*"))


def test_killed_batch_prediction_leaves_no_output_and_a_rerun_completes(sentiment_bundle, tmp_path):
    source = tmp_path / "reviews.txt"
    texts = [f"review {i}: the flight was {'great' if i % 3 else 'late again'}" for i in range(60_000)]
    source.write_text("\n".join(texts) + "\n")
    output = tmp_path / "scored.csv"
    args = ["-m", "sentiment.predict", "--model", str(sentiment_bundle), "--input", str(source)]
    args += ["--output", str(output)]

    def first_chunk_written() -> bool:
        return any(p.stat().st_size > 0 for p in tmp_path.glob(".scored.csv.tmp-*"))

    kill_when(start(*args), first_chunk_written)
    assert not output.exists()
    rerun = run_module(*args[1:])
    assert rerun.returncode == 0, rerun.stderr
    with open(output, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["text"] for row in rows] == texts
