"""Deprecated: distributed training moved into `shared.training` (distribution, steps,
workers; see `shared.deprecation`)."""

from shared.deprecation import moved_names

_DISTRIBUTION = ("STRATEGIES", "COLLECTIVE_TIMEOUT_SECONDS", "Distribution", "distribution_facts", "tf_config")
_DISTRIBUTION += ("is_chief", "make_distribution")
_STEPS = ("replica_rows", "clip_factors", "unclipped", "scaled", "make_train_step", "distributed_epoch")
_WORKERS = ("free_ports", "local_tf_configs", "how_it_ended", "run_local_workers", "relay", "wait_all", "stop")

__getattr__ = moved_names(
    __name__,
    {
        **dict.fromkeys(_DISTRIBUTION, "shared.training.distribution"),
        **dict.fromkeys(_STEPS, "shared.training.steps"),
        **dict.fromkeys(_WORKERS, "shared.training.workers"),
    },
)
