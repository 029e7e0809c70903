"""How one epoch of training runs: the step runner, chosen once per run.

`OneProcess` runs Keras `fit` for one epoch in this process (the default). `UnderStrategy`
runs a custom step under a tf.distribute strategy, because Keras 3's `model.fit` does
not run under MultiWorkerMirroredStrategy (keras-team/keras issue 20585); it does what
`fit`'s step does. Every global batch of the app's own pipeline is split by rows among
the replicas, and each replica's loss is weighted by its share of the rows, so the
summed gradient is the one a single process computes for the whole batch; clipping is
applied to that summed gradient, as in one process. Dropout draws other masks for a
half batch than for the whole, so only a model without dropout trains to the same
weights as one process. A batch with fewer rows than replicas (the end of a length
bucket) goes whole to every replica, each counting it 1/replicas: the same gradient,
but Adam's sparse update of an embedding then sees its rows split in parts.

An app whose loss is not a Keras loss (the tagger's CRF) wraps its model in a
`keras.Model` whose `compute_loss` returns it, divided by the replica count as Keras's
own losses are: the one hook both step runners call.
"""

from __future__ import annotations

import contextlib
import sys
import warnings

from shared.deprecation import moved_names
from shared.errors import ConfigError
from shared.training.distribution import Distribution, distribution_facts


class OneProcess:
    """Keras `fit`, one epoch a call, in this process: the default step runner."""

    chief = True

    def __init__(self):
        self.verbose = 1 if sys.stdout.isatty() else 2

    def scope(self):
        return contextlib.nullcontext()

    def facts(self) -> dict:
        return distribution_facts(None)

    def start(self, model) -> None:
        """Ready `model` for `run_epoch` (nothing to do for `fit`)."""

    def run_epoch(self, model, dataset) -> tuple[dict, str | None]:
        """(the epoch's training losses, a progress line to print or None: `fit` shows its own)."""
        with warnings.catch_warnings():
            # Each epoch is one pass over a finite dataset; Keras warns when it ends.
            warnings.filterwarnings("ignore", message=".*ran out of data.*")
            fit = model.fit(dataset, epochs=1, shuffle=False, verbose=self.verbose)
        return {key: values[-1] for key, values in fit.history.items()}, None

    def final_model(self, model, load_last):
        """The model whose weights the bundle takes (the best are loaded into it next)."""
        return model


class UnderStrategy:
    """The custom step under a tf.distribute strategy (see the module docstring)."""

    def __init__(self, distribution: Distribution):
        self.distribution = distribution
        self.chief = distribution.chief
        self.step = None

    def scope(self):
        return self.distribution.strategy.scope()

    def facts(self) -> dict:
        return distribution_facts(self.distribution)

    def start(self, model) -> None:
        self.step = make_train_step(self.distribution.strategy, model)

    def run_epoch(self, model, dataset) -> tuple[dict, str | None]:
        losses = distributed_epoch(self.distribution, model, dataset, self.step)
        return losses, f"  loss {losses['loss']:.4f} ({self.distribution.replicas} replicas)"

    def final_model(self, model, load_last):
        # The bundle gets a model of its own, outside the strategy: the last checkpoint's.
        return load_last()


def step_runner(distribution: Distribution | None) -> OneProcess | UnderStrategy:
    """The step runner of a run under `distribution` (None: one process)."""
    return OneProcess() if distribution is None else UnderStrategy(distribution)


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


__getattr__ = moved_names(
    __name__, {"step_strategy": "shared.training.steps:step_runner"}
)  # a strategy is tf.distribute's
