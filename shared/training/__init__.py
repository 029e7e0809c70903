"""Training, one package for every app (`shared.tasks.Task.prepare` supplies the model).

    run           a run: output check, lock, work folder, seed, the loop, dev/test scores,
                  metadata and the bundle (`train`); `ensure_default_model`
    loop          the epoch loop: early stopping, checkpoints, exact resume, logs
    steps         how an epoch runs, chosen once: Keras `fit` in one process, or the
                  custom step under a tf.distribute strategy
    distribution  the strategies (`--strategy`) and TF_CONFIG
    workers       `--workers N`: local worker processes and their supervisor
    workdir       the work folder's layout and the one-training-at-a-time lock

Nothing here imports TensorFlow at import time.
"""

from shared.training.loop import LoopSettings, TrainingState, set_seed, train_loop, training_summary
from shared.training.run import QUICK_EPOCHS, dataset_source, ensure_default_model, train
from shared.training.workdir import (
    CHECKPOINT_DIR,
    HISTORY_CSV,
    PREPARED_DIR,
    STATE_FILE,
    remove_work_dir,
    start_work_dir,
    training_lock,
    training_running,
    work_dir_for,
)

__all__ = [
    "CHECKPOINT_DIR",
    "HISTORY_CSV",
    "PREPARED_DIR",
    "QUICK_EPOCHS",
    "STATE_FILE",
    "LoopSettings",
    "TrainingState",
    "dataset_source",
    "ensure_default_model",
    "remove_work_dir",
    "set_seed",
    "start_work_dir",
    "train",
    "train_loop",
    "training_lock",
    "training_running",
    "training_summary",
    "work_dir_for",
]
