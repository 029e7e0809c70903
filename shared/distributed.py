"""Training beyond one process: tf.distribute strategies, the training step they need,
and local worker processes for trying a cluster on one machine.

    --strategy multi-worker   MultiWorkerMirroredStrategy over the workers that
                              TF_CONFIG lists (as Kubeflow's TFJob sets it)
    --strategy mirrored       MirroredStrategy: one process, every local GPU
    --workers N               N worker processes on 127.0.0.1, each given its TF_CONFIG

Keras 3's `model.fit` does not run under MultiWorkerMirroredStrategy (keras-team/keras
issue 20585), so epochs under a strategy run `distributed_epoch`, a custom step that
does what `fit`'s does. Every global batch of the app's own pipeline is split by rows
among the replicas, and each replica's loss is weighted by its share of the rows, so
the summed gradient is the one a single process computes for the whole batch;
clipping is applied to that summed gradient, as in one process. Dropout draws other
masks for a half batch than for the whole, so only a model without dropout trains to
the same weights as one process. A batch with fewer rows than replicas (the end of a
length bucket) goes whole to every replica, each counting it 1/replicas: the same
gradient, but Adam's sparse update of an embedding then sees its rows split in parts.

Only the chief (TF_CONFIG's chief, else worker 0) writes checkpoints, logs and the
bundle; the others train alongside it and read its checkpoint to resume.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections import deque
from dataclasses import dataclass

from shared.errors import ConfigError, UserError

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


def scope(distribution: Distribution | None):
    """The strategy's scope (variables made in it are mirrored), or nothing."""
    return distribution.strategy.scope() if distribution else contextlib.nullcontext()


# ----------------------------------------------------------------- the training step


def replica_rows(batch: tuple, replica: int, replicas: int) -> tuple:
    """This replica's contiguous share of every part (inputs, targets, weights) of a
    batch; a batch with fewer rows than replicas (the end of a length bucket) goes
    whole to every replica (a recurrent layer cannot run on no rows)."""
    import tensorflow as tf

    rows = tf.shape(batch[0])[0]
    if rows < replicas:
        return batch
    start, end = rows * replica // replicas, rows * (replica + 1) // replicas
    return tuple(part[start:end] for part in batch)


def clip_factors(clipnorm, global_clipnorm, local: list, context) -> list:
    """For each gradient, the factor by which one process would clip it, with clipnorm
    (each tensor) or global_clipnorm (all together), from this replica's parts.

    Clipping scales, so scaling every replica's part by its factor clips their sum. The
    norm of a dense gradient is that of the summed tensor. An embedding's gradient is
    IndexedSlices, one row per occurrence of a token, and its norm is that of the rows
    (TensorFlow's `clip_by_norm`): the replicas' rows together are one process's."""
    import tensorflow as tf

    sparse = [isinstance(g, tf.IndexedSlices) for g in local]
    summed = context.all_reduce(
        tf.distribute.ReduceOp.SUM,
        [tf.reduce_sum(tf.square(g.values)) if is_sparse else g for g, is_sparse in zip(local, sparse)],
    )
    squares = [total if is_sparse else tf.reduce_sum(tf.square(total)) for total, is_sparse in zip(summed, sparse)]
    limit = clipnorm or global_clipnorm
    norms = [tf.sqrt(square) for square in squares] if clipnorm else [tf.sqrt(tf.add_n(squares))] * len(squares)
    return [limit / tf.maximum(norm, limit) for norm in norms]


@contextlib.contextmanager
def unclipped(optimizer):
    """The optimizer with its clipping off for the block (the step clips the summed
    gradient itself; the optimizer would clip each replica's part before summing)."""
    saved = optimizer.clipnorm, optimizer.global_clipnorm, optimizer.clipvalue
    optimizer.clipnorm = optimizer.global_clipnorm = optimizer.clipvalue = None
    try:
        yield
    finally:
        optimizer.clipnorm, optimizer.global_clipnorm, optimizer.clipvalue = saved


def scaled(gradient, factor):
    """`gradient` (a tensor, or the IndexedSlices of an embedding) times `factor`."""
    import tensorflow as tf

    if isinstance(gradient, tf.IndexedSlices):
        return tf.IndexedSlices(gradient.values * factor, gradient.indices, gradient.dense_shape)
    return gradient * factor


def make_train_step(strategy, model):
    """A tf.function: one global batch (already split among the replicas) -> its mean loss."""
    import tensorflow as tf

    optimizer = model.optimizer
    variables = model.trainable_variables
    if not optimizer.built:
        with strategy.scope():  # its slots, mirrored, before any step (not inside one)
            optimizer.build(variables)
    if optimizer.clipvalue:
        raise ConfigError("clipping by value is not supported under a distribution strategy (clip by norm)")
    clipnorm, global_clipnorm = optimizer.clipnorm, optimizer.global_clipnorm
    clips = bool(clipnorm or global_clipnorm)

    replicas = strategy.num_replicas_in_sync

    def replica_step(batch, total_rows):
        x, y, *weights = batch
        # This replica's share of the batch's rows; a batch every replica got whole
        # (fewer rows than replicas) counts 1/replicas on each.
        share = tf.cast(tf.shape(x)[0], tf.float32) / tf.cast(total_rows, tf.float32)
        share = tf.where(total_rows < replicas, 1.0 / replicas, share)
        with tf.GradientTape() as tape:
            y_pred = model(x, training=True)
            loss = model.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=weights[0] if weights else None)
            # Keras divides a replica's mean loss by the replica count (as if the rows
            # were shared out evenly); weigh it by the replica's true share instead.
            weighted = tf.cast(loss, tf.float32) * replicas * share
        grads = list(tape.gradient(weighted, variables))
        if clips:
            # The optimizer would clip each replica's part; clip as one process clips the
            # whole (the optimizer's own clipping is off), then let it add up the parts.
            present = [index for index, g in enumerate(grads) if g is not None]
            context = tf.distribute.get_replica_context()
            factors = clip_factors(clipnorm, global_clipnorm, [grads[index] for index in present], context)
            for index, factor in zip(present, factors):
                grads[index] = scaled(grads[index], factor)
        optimizer.apply_gradients(zip(grads, variables))
        return weighted

    @tf.function(reduce_retracing=True)
    def traced_step(batch, total_rows):
        losses = strategy.run(replica_step, args=(batch, total_rows))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, losses, axis=None)

    def step(batch, total_rows):
        with unclipped(optimizer) if clips else contextlib.nullcontext():
            return traced_step(batch, total_rows)

    return step


def distributed_epoch(distribution: Distribution, model, dataset, step=None) -> dict:
    """One pass over `dataset` (global batches) under the strategy: {"loss": the mean
    training loss per example, as `fit` reports it}. `step` is a `make_train_step` to reuse."""
    strategy = distribution.strategy
    replicas = distribution.replicas
    step = step or make_train_step(strategy, model)
    loss_sum = rows_seen = 0.0
    for batch in dataset:
        batch = tuple(batch)
        rows = int(batch[0].shape[0])
        shares = strategy.experimental_distribute_values_from_function(
            lambda context, batch=batch: replica_rows(batch, context.replica_id_in_sync_group, replicas)
        )
        loss_sum += float(step(shares, rows)) * rows
        rows_seen += rows
    if model.optimizer.use_ema:
        model.optimizer.finalize_variable_values(model.trainable_variables)  # as `fit` does at its end
    return {"loss": loss_sum / max(rows_seen, 1.0)}


# ----------------------------------------------------------------- local workers


def free_ports(count: int) -> list[int]:
    """`count` TCP ports free on 127.0.0.1 now."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def local_tf_configs(workers: int) -> list[dict]:
    """The TF_CONFIG of each of `workers` processes on 127.0.0.1 (worker 0 is the chief)."""
    cluster = {"worker": [f"127.0.0.1:{port}" for port in free_ports(workers)]}
    return [{"cluster": cluster, "task": {"type": "worker", "index": index}} for index in range(workers)]


def how_it_ended(code: int) -> str:
    if code < 0:
        try:
            return f"was killed ({signal.Signals(-code).name})"
        except ValueError:
            return f"was killed (signal {-code})"
    return f"exited with status {code}"


def run_local_workers(module: str, argv: list[str], workers: int, checkpoint_hint) -> None:
    """Run `python -m module argv --strategy multi-worker` as `workers` processes on
    127.0.0.1 and wait for them. The chief's output is passed through; if any worker
    fails, the others are stopped and a UserError says which, and (`checkpoint_hint()`)
    how to go on."""
    processes = []
    tails: list[deque] = []
    readers = []
    for index, config in enumerate(local_tf_configs(workers)):
        env = {**os.environ, "TF_CONFIG": json.dumps(config)}
        process = subprocess.Popen(
            [sys.executable, "-m", module, *argv, "--strategy", "multi-worker"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        tail: deque = deque(maxlen=20)
        reader = threading.Thread(target=relay, args=(process.stdout, tail, index == 0), daemon=True)
        reader.start()
        processes.append(process)
        tails.append(tail)
        readers.append(reader)
    try:
        failed = wait_all(processes)
    finally:
        stop(processes)
        for reader in readers:
            reader.join(timeout=10)
    if failed is None:
        return
    index, code = failed
    said = next((line[len("error: ") :] for line in reversed(tails[index]) if line.startswith("error: ")), None)
    if said is not None:
        raise UserError(f"worker {index}: {said}")
    raise UserError(f"worker {index} {how_it_ended(code)}; the others were stopped. {checkpoint_hint()}")


def relay(stream, tail: deque, show: bool) -> None:
    """Keep a worker's last lines; print the chief's as they come, but for its `error:`
    line, which `run_local_workers` raises as the command's own (so it is said once)."""
    for line in stream:
        tail.append(line.rstrip("\n"))
        if show and not line.startswith("error: "):
            print(line, end="", flush=True)


def wait_all(processes: list) -> tuple[int, int] | None:
    """Wait until every process ends well (None) or one fails: (its index, its code)."""
    import time

    while True:
        codes = [process.poll() for process in processes]
        for index, code in enumerate(codes):
            if code not in (None, 0):
                return index, code
        if all(code == 0 for code in codes):
            return None
        time.sleep(0.2)


def stop(processes: list) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
