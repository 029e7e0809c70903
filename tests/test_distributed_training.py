"""Training under tf.distribute: the custom step, real worker processes on 127.0.0.1."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections import deque
from pathlib import Path

import numpy as np
import pytest

from shared.errors import ConfigError
from shared.verbs.train import LOCAL_WORKERS_WARNING
from tests.conftest import REVIEWS_ARGS, ROOT

pytestmark = pytest.mark.slow

# No dropout anywhere: dropout draws other masks for half a batch than for the whole,
# and then no two set-ups train to the same weights.
EXACT_CONFIG = {
    "model": {"embedding_dim": 8, "units": 8, "vocabulary_size": 300, "max_length": 40, "embedding_dropout": 0.0,
              "dropout": 0.0},
    # A small clip norm, so that clipping (of the summed gradient, as in one process) is tested too.
    "training": {"epochs": 3, "batch_size": 6, "patience": 3, "clip_norm": 0.05},
}  # fmt: skip


@pytest.fixture(scope="module")
def exact_config(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("config") / "exact.json"
    path.write_text(json.dumps(EXACT_CONFIG))
    return path


@pytest.fixture(scope="module")
def one_process_bundle(tmp_path_factory, exact_config) -> Path:
    from sentiment.train import main

    out = tmp_path_factory.mktemp("one") / "model"
    assert main([*REVIEWS_ARGS, "--config", str(exact_config), "--out", str(out), "--seed", "3"]) == 0
    return out


def weights(bundle: Path) -> list[np.ndarray]:
    from sentiment import SentimentClassifier

    return SentimentClassifier.load(bundle).model.get_layer("classifier").get_weights()


def assert_same_weights(first: Path, second: Path) -> None:
    for left, right in zip(weights(first), weights(second), strict=True):
        np.testing.assert_allclose(left, right, rtol=1e-4, atol=1e-5)


def training_facts(bundle: Path) -> dict:
    return json.loads((bundle / "metadata.json").read_text())["training"]


def run_python(*args: str) -> subprocess.CompletedProcess:
    """`python ARGS` in the project, its output captured."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


# The train verb under a MirroredStrategy over two logical CPU devices, so the step
# splits rows between two replicas and clips their summed gradient (a CPU machine
# has one device, and `--strategy mirrored` then runs one replica).
TWO_REPLICAS = """
import sys
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from shared.config import load_config
from shared.training.distribution import Distribution
from shared.training import train
from shared.verbs.train import train_arguments
from shared.tasks import get_app

app = get_app("sentiment")
task = app.task
args, overrides = train_arguments(app, None).parse_known_args(sys.argv[1:])
config = load_config(task.config_class, args.config, [*app.files.config_overrides(args), *overrides])
source = app.files.read_training_files(args, config, args.seed)
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
train(task, source, config, args.out, seed=args.seed, distribution=Distribution(strategy, "mirrored", 1, True))
"""


def test_the_distributed_step_over_two_replicas_trains_as_fit_does(tmp_path, exact_config, one_process_bundle):
    out = tmp_path / "mirrored"
    argv = [*REVIEWS_ARGS, "--config", str(exact_config), "--out", str(out), "--seed", "3"]
    done = run_python("-c", TWO_REPLICAS, *argv)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "(2 replicas)" in done.stdout
    assert_same_weights(one_process_bundle, out)
    facts = training_facts(out)
    assert (facts["strategy"], facts["workers"], facts["replicas"]) == ("mirrored", 1, 2)
    assert training_facts(one_process_bundle)["strategy"] == "none"


def test_the_mirrored_strategy_of_the_train_verb_runs_on_this_machine(tmp_path, exact_config, one_process_bundle):
    from sentiment.train import main

    out = tmp_path / "mirrored"
    argv = [*REVIEWS_ARGS, "--config", str(exact_config), "--out", str(out), "--seed", "3", "--strategy", "mirrored"]
    assert main(argv) == 0
    assert_same_weights(one_process_bundle, out)
    assert (training_facts(out)["strategy"], training_facts(out)["replicas"]) == ("mirrored", 1)


def train_command(out: Path, config: Path, *extra: str) -> list[str]:
    args = [*REVIEWS_ARGS, "--config", str(config), "--out", str(out), "--seed", "3"]
    return [sys.executable, "-m", "sentiment.train", *args, *extra]


def test_two_local_workers_train_the_same_weights_as_one_process(tmp_path, exact_config, one_process_bundle):
    out = tmp_path / "two"
    done = run_python(*train_command(out, exact_config, "--workers", "2")[1:])
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Saved" in done.stdout and "(2 replicas)" in done.stdout
    assert done.stderr.splitlines()[0] == LOCAL_WORKERS_WARNING  # TensorFlow's servers bind every interface
    assert_same_weights(one_process_bundle, out)
    facts = training_facts(out)
    assert (facts["strategy"], facts["workers"], facts["replicas"]) == ("multi-worker", 2, 2)
    assert not (tmp_path / "two.training").exists()


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def worker_index(pid: int) -> int | None:
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return None
    for item in environ:
        if item.startswith(b"TF_CONFIG="):
            return json.loads(item[len(b"TF_CONFIG=") :])["task"]["index"]
    return None


def test_killing_a_worker_stops_the_run_with_a_clear_error_and_it_resumes(tmp_path):
    config = tmp_path / "long.json"
    config.write_text(json.dumps({**EXACT_CONFIG, "training": {"epochs": 4, "batch_size": 6, "patience": 4}}))
    out = tmp_path / "model"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.Popen(
        train_command(out, config, "--workers", "2"),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    state = tmp_path / "model.training" / "checkpoint" / "state.json"
    deadline = time.monotonic() + 300
    while not state.is_file() and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert state.is_file(), "no epoch finished"
    second = next(pid for pid in children(run.pid) if worker_index(pid) == 1)
    os.kill(second, signal.SIGKILL)
    stdout, stderr = run.communicate(timeout=120)

    assert run.returncode == 2
    assert stderr.strip().splitlines()[-1] == (
        f"error: worker 1 was killed (SIGKILL); the others were stopped. The last finished epoch is saved in "
        f"{tmp_path / 'model.training' / 'checkpoint'}: rerun the same command with --resume."
    )
    assert "Traceback" not in stderr
    assert not out.exists()
    finished_epochs = json.loads(state.read_text())["epoch"] + 1

    resumed = subprocess.run(
        train_command(out, config, "--workers", "2", "--resume"), cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    assert f"Resuming after epoch {finished_epochs}" in resumed.stdout
    facts = training_facts(out)
    assert facts["resumed"] and facts["epochs_run"] == 4 and facts["workers"] == 2


def test_bad_distribution_settings_are_config_errors(tmp_path, monkeypatch):
    from sentiment.train import main

    argv = [*REVIEWS_ARGS, "--out", str(tmp_path / "m")]
    with pytest.raises(ConfigError, match="give 2 or more"):
        main([*argv, "--workers", "1"])
    with pytest.raises(ConfigError, match="leave out --strategy and TF_CONFIG"):
        main([*argv, "--workers", "2", "--strategy", "mirrored"])
    with pytest.raises(ConfigError, match="needs TF_CONFIG"):
        main([*argv, "--strategy", "multi-worker"])
    monkeypatch.setenv("TF_CONFIG", "{not json")
    with pytest.raises(ConfigError, match="TF_CONFIG: not valid JSON"):
        main([*argv, "--strategy", "multi-worker"])
    assert not (tmp_path / "m").exists()


def test_the_chief_is_tf_configs_chief_or_else_worker_0():
    import tensorflow as tf

    from shared.training.distribution import is_chief
    from shared.training.steps import replica_rows

    workers = {"worker": ["a:1", "b:2"]}
    assert is_chief({"cluster": workers, "task": {"type": "worker", "index": 0}})
    assert not is_chief({"cluster": workers, "task": {"type": "worker", "index": 1}})
    with_chief = {"chief": ["c:3"], **workers}
    assert is_chief({"cluster": with_chief, "task": {"type": "chief", "index": 0}})
    assert not is_chief({"cluster": with_chief, "task": {"type": "worker", "index": 0}})
    batch = (tf.range(5), tf.range(5) * 10)
    shares = [replica_rows(batch, replica, 2) for replica in range(2)]
    assert [part.numpy().tolist() for part in shares[0]] == [[0, 1], [0, 10]]
    assert [part.numpy().tolist() for part in shares[1]] == [[2, 3, 4], [20, 30, 40]]


def test_bad_data_with_local_workers_is_said_once_before_any_worker_starts(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("review,label\ngood,positive\nbad,negative\n", encoding="utf-8")
    done = run_python("-m", "sentiment.train", "--csv", str(data), "--out", str(tmp_path / "m"), "--workers", "2")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"error: {data}: no column 'text'; columns are: review, label\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["data.csv"]


def test_the_chiefs_error_line_is_kept_for_the_command_to_say_once():
    from shared.training.workers import relay

    tail: deque = deque(maxlen=5)
    with contextlib.redirect_stdout(io.StringIO()) as shown:
        relay(iter(["Epoch 1/3\n", "error: data.csv: row 3: empty text\n"]), tail, show=True)
    assert shown.getvalue() == "Epoch 1/3\n" and tail[-1] == "error: data.csv: row 3: empty text"
