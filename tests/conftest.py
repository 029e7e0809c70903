"""Shared fixtures: tiny sentiment and NER bundles trained once per test session."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import shared

# Two test workers share the machine's cores: TensorFlow in each runs an op on one thread
# (the subprocesses tests start keep TensorFlow's defaults).
shared.import_tensorflow_quietly().config.threading.set_intra_op_parallelism_threads(1)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# A sentiment or NER ModelConfig built directly without the pretrained vectors (the default),
# for tests that size their own tiny embedding.
NO_VECTORS = {"vectors": "none", "vectors_vocabulary": 0}

TINY_CONFIG = {
    "model": {"embedding_dim": 8, "units": 8, "vocabulary_size": 300, "max_length": 40},
    "training": {"epochs": 2, "batch_size": 8, "patience": 2},
}
REVIEWS_ARGS = [
    "--csv", str(FIXTURES / "reviews.csv"),
    "--text-col", "review",
    "--label-col", "stars",
    "--label-map", "1-2:negative,3:neutral,4-5:positive",
]  # fmt: skip


def trained_once(tmp_path_factory, worker_id: str, name: str, train) -> Path:
    """The folder `train(out)` writes, trained once for the whole run: the first test worker
    to ask trains it into a folder the run's workers share while a file lock keeps the others
    waiting; they reuse it. (Bundles are written whole or not at all: a folder there is done.)"""
    from filelock import FileLock

    root = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        root = root.parent  # the run's own folder, above each worker's
    out = root / "trained-once" / name
    with FileLock(str(root / f"trained-once-{name}.lock")):
        if not out.exists():
            train(out)
    return out


@pytest.fixture(scope="session")
def tiny_config_file(tmp_path_factory) -> Path:
    import json

    path = tmp_path_factory.mktemp("config") / "tiny.json"
    path.write_text(json.dumps(TINY_CONFIG))
    return path


@pytest.fixture(scope="session")
def sentiment_bundle(tmp_path_factory, worker_id, tiny_config_file) -> Path:
    """A tiny sentiment bundle trained on the committed reviews fixture."""
    from sentiment.train import main

    def train(out: Path) -> None:
        assert main([*REVIEWS_ARGS, "--config", str(tiny_config_file), "--out", str(out), "--seed", "1"]) == 0

    return trained_once(tmp_path_factory, worker_id, "sentiment", train)


SST_FIXTURES = FIXTURES / "sst"
TREE_ARGS = [
    "--trees", str(SST_FIXTURES / "train.txt"),
    "--dev-trees", str(SST_FIXTURES / "dev.txt"),
    "--test-trees", str(SST_FIXTURES / "test.txt"),
]  # fmt: skip
TINY_TREE_MODEL = [
    "--model.architecture", "tree", "--model.cell", "lstm", "--model.parser.dim", "8",
    "--model.parser.units", "8", "--model.parser.hidden", "8", "--model.parser.char_filters", "4",
    "--training.batch_size", "4", "--training.parser_epochs", "3",
]  # fmt: skip


@pytest.fixture(scope="session")
def tree_bundle(tmp_path_factory, worker_id, tiny_config_file) -> Path:
    """A tiny tree-model bundle (Tree-LSTM and its parser) trained on the committed SST-format trees."""
    from sentiment.train import main

    def train(out: Path) -> None:
        args = [*TREE_ARGS, "--config", str(tiny_config_file), *TINY_TREE_MODEL, "--out", str(out), "--seed", "1"]
        assert main(args) == 0

    return trained_once(tmp_path_factory, worker_id, "sentiment-tree", train)


@pytest.fixture(scope="session")
def sentiment_classifier(sentiment_bundle):
    from sentiment import SentimentClassifier

    return SentimentClassifier.load(sentiment_bundle)


NER_FIXTURES = FIXTURES / "ner"
TINY_NER_CONFIG = {
    "model": {"word_dim": 16, "char_dim": 8, "char_filters": 8, "units": 16, "dropout": 0.1, "word_dropout": 0.0},
    "training": {"epochs": 8, "batch_size": 8, "learning_rate": 0.01, "patience": 8},
}
NER_ARGS = [
    "--train", str(NER_FIXTURES / "train.txt"),
    "--dev", str(NER_FIXTURES / "dev.txt"),
    "--test", str(NER_FIXTURES / "test.txt"),
]  # fmt: skip


@pytest.fixture(scope="session")
def tiny_ner_config_file(tmp_path_factory) -> Path:
    import json

    path = tmp_path_factory.mktemp("config") / "tiny-ner.json"
    path.write_text(json.dumps(TINY_NER_CONFIG))
    return path


@pytest.fixture(scope="session")
def ner_bundle(tmp_path_factory, worker_id, tiny_ner_config_file) -> Path:
    """A tiny NER bundle (CRF output) trained on the committed template sentences."""
    from ner.train import main

    def train(out: Path) -> None:
        assert main([*NER_ARGS, "--config", str(tiny_ner_config_file), "--out", str(out), "--seed", "1"]) == 0

    return trained_once(tmp_path_factory, worker_id, "ner", train)


@pytest.fixture(scope="session")
def entity_tagger(ner_bundle):
    from ner import EntityTagger

    return EntityTagger.load(ner_bundle)


def run_module(module: str, *args: str, cwd: Path | None = None):
    """Run `python -m module args` in a subprocess and return the CompletedProcess."""
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
        timeout=300,
    )


def run_python(script: str, timeout: int = 300):
    """Run a Python `script` in a fresh process from the project root (for what needs one: a
    package made missing, an import refused) and return the CompletedProcess."""
    import subprocess

    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def run_in_process(capfd, module: str, *args: str):
    """`python -m module args` run in this process, as `run_cli` runs it (TensorFlow already
    imported): a CompletedProcess of its exit status and what it wrote to file descriptors 1
    and 2. For the messages of a verb; `run_module` where a fresh process matters."""
    import importlib
    import subprocess

    from shared.cli import run_cli

    capfd.readouterr()  # what came before is not this command's
    status = run_cli(importlib.import_module(module).main, list(args))
    out, err = capfd.readouterr()
    return subprocess.CompletedProcess([module, *args], status, out, err)


TINY_LM_CONFIG = {
    "model": {"embedding_dim": 8, "units": 32, "dropout": 0.0},
    "training": {"epochs": 4, "batch_size": 8, "bptt": 24, "learning_rate": 0.01, "patience": 4},
}
LM_NAMES = ("Astrid", "Omar", "Lena", "Tomasz", "Keiko", "Rafael")
LM_PLACES = ("Oslo", "Madrid", "Lisbon", "Vienna", "Kyoto", "Lima")
LM_VERBS = ("flew to", "drove to", "walked around", "wrote about")


def template_text(lines: int, seed: int = 0) -> str:
    """Invented sentences from templates, one per line: regular enough for a tiny model."""
    import random

    rng = random.Random(seed)
    return "".join(
        f"{rng.choice(LM_NAMES)} {rng.choice(LM_VERBS)} {rng.choice(LM_PLACES)} on day {rng.randint(1, 9)}.\n"
        for _ in range(lines)
    )


@pytest.fixture(scope="session")
def lm_text(tmp_path_factory) -> Path:
    """About 30 KB of template sentences (train) and a dev file beside it."""
    folder = tmp_path_factory.mktemp("lm-text")
    (folder / "train.txt").write_text(template_text(900, seed=0), encoding="utf-8")
    (folder / "dev.txt").write_text(template_text(100, seed=1), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def tiny_lm_config_file(tmp_path_factory) -> Path:
    import json

    path = tmp_path_factory.mktemp("config") / "tiny-lm.json"
    path.write_text(json.dumps(TINY_LM_CONFIG))
    return path


@pytest.fixture(scope="session")
def lm_bundle(tmp_path_factory, worker_id, lm_text, tiny_lm_config_file) -> Path:
    """A tiny character language model trained on the template sentences."""
    from lm.train import main

    def train(out: Path) -> None:
        args = ["--text", str(lm_text / "train.txt"), "--dev-text", str(lm_text / "dev.txt")]
        assert main([*args, "--config", str(tiny_lm_config_file), "--out", str(out), "--seed", "1"]) == 0

    return trained_once(tmp_path_factory, worker_id, "lm", train)


@pytest.fixture(scope="session")
def language_model(lm_bundle):
    from lm import LanguageModel

    return LanguageModel.load(lm_bundle)


def process_tree(pid: int) -> set[int]:
    """`pid` and every process below it."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, grown = {pid}, True
    while grown:
        below = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= below
        grown = bool(below)
    return tree


def _address(hex_address: str) -> str:
    """/proc/net/tcp's hex address (IPv4, or IPv6 as four little-endian words) as text."""
    import ipaddress

    raw = bytes.fromhex(hex_address)
    if len(raw) == 4:
        return str(ipaddress.IPv4Address(raw[::-1]))
    return str(ipaddress.IPv6Address(b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))))


def listening_addresses(pids: set[int]) -> set[tuple[str, int]]:
    """(address, port) of every TCP socket the processes `pids` listen on."""
    inodes = set()
    for pid in pids:
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[len("socket:[") : -1])
        except OSError:
            continue
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and inode in inodes:  # 0A: LISTEN
                address, port = local.split(":")
                found.add((_address(address), int(port, 16)))
    return found


LOOPBACK = {"127.0.0.1", "::1"}


def inotify_instances(pids: set[int]) -> int:
    """How many inotify instances (file watchers) the processes `pids` hold open."""
    count = 0
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                count += os.readlink(f"/proc/{pid}/fd/{fd}") == "anon_inode:inotify"
            except OSError:
                continue
    return count
