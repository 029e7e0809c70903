"""Deprecated: the training run moved to `shared.training` (see `shared.deprecation`)."""

from shared.deprecation import moved_names

__getattr__ = moved_names(
    __name__,
    {
        "train": "shared.training",
        "dataset_source": "shared.training",
        "ensure_default_model": "shared.training",
        "work_dir_for": "shared.training",
        "QUICK_EPOCHS": "shared.training",
        "train_alongside": "shared.training.run",
    },
)
