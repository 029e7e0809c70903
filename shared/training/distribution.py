"""Training beyond one process: which tf.distribute strategy a process trains under.

    --strategy multi-worker   MultiWorkerMirroredStrategy over the workers that
                              TF_CONFIG lists (as Kubeflow's TFJob sets it)
    --strategy mirrored       MirroredStrategy: one process, every local GPU
    --workers N               N worker processes on 127.0.0.1 (`shared.training.workers`)

Only the chief (TF_CONFIG's chief, else worker 0) writes checkpoints, logs and the
bundle; the others train alongside it and read its checkpoint to resume. How an epoch
runs under a strategy is `shared.training.steps`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from shared.errors import ConfigError

STRATEGIES = ("none", "mirrored", "multi-worker")
# A worker that stops answering fails the others' next all-reduce after this long
# (TFJob restarts pods; a hung job would hold its cluster forever).
COLLECTIVE_TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class Distribution:
    """How one training process takes part in a run."""

    strategy: object  # the tf.distribute strategy
    name: str  # "mirrored" or "multi-worker"
    workers: int  # processes in the run
    chief: bool  # whether this process writes the checkpoints, logs and bundle

    @property
    def replicas(self) -> int:
        return int(self.strategy.num_replicas_in_sync)


def distribution_facts(distribution: Distribution | None) -> dict:
    """What a bundle's metadata records about how it was trained."""
    if distribution is None:
        return {"strategy": "none", "workers": 1, "replicas": 1}
    return {"strategy": distribution.name, "workers": distribution.workers, "replicas": distribution.replicas}


def tf_config() -> dict:
    """$TF_CONFIG as a dict ({} when unset); a ConfigError when it is not valid JSON."""
    raw = os.environ.get("TF_CONFIG", "")
    if not raw.strip():
        return {}
    try:
        config = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ConfigError(f"TF_CONFIG: not valid JSON ({error.msg})") from None
    if not isinstance(config, dict) or not isinstance(config.get("cluster"), dict):
        raise ConfigError('TF_CONFIG: expected {"cluster": {...}, "task": {"type": ..., "index": ...}}')
    return config


def is_chief(config: dict) -> bool:
    """TF_CONFIG's chief, or worker 0 of a cluster without one."""
    task = config.get("task", {})
    if task.get("type") == "chief":
        return True
    first_worker = task.get("type", "worker") == "worker" and int(task.get("index", 0)) == 0
    return first_worker and "chief" not in config["cluster"]


def make_distribution(name: str) -> Distribution | None:
    """The strategy `name` for this process (None for "none"). Call it before any other
    TensorFlow work: collective ops are configured at start-up."""
    import tensorflow as tf

    if name == "none":
        return None
    if name == "mirrored":
        return Distribution(tf.distribute.MirroredStrategy(), name, 1, True)
    config = tf_config()
    if not config:
        raise ConfigError("--strategy multi-worker needs TF_CONFIG (or use --workers N to start local workers)")
    workers = sum(len(config["cluster"].get(kind, [])) for kind in ("chief", "worker"))
    options = tf.distribute.experimental.CommunicationOptions(timeout_seconds=COLLECTIVE_TIMEOUT_SECONDS)
    strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
    return Distribution(strategy, name, workers, is_chief(config))
