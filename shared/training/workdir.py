"""A training run's folders beside its bundle: the work folder (checkpoint, logs, what the
app prepared), its layout, and the lock that lets one training at a time write a bundle."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from shared.errors import TrainingBusyError, UserError
from shared.files import FolderKind, check_replaceable

CHECKPOINT_DIR = "checkpoint"
LOGS_DIR = "logs"
LAST_MODEL = "last.keras"
BEST_WEIGHTS = "best.weights.h5"
STATE_FILE = "state.json"
RUN_FILE = "TRAINING"
HISTORY_CSV = "training.csv"
PREPARED_DIR = "prepared"  # what an app derives from the data and needs again to resume (a vocabulary)
STAGES_DIR = "stages"  # a folder per stage trained before the run's own model (shared.tasks.Stage)
CHECKPOINT = FolderKind("a training checkpoint", STATE_FILE, frozenset({LAST_MODEL, BEST_WEIGHTS, STATE_FILE}))
WORK_FOLDER = FolderKind(
    "a training work folder", RUN_FILE, frozenset({RUN_FILE, CHECKPOINT_DIR, LOGS_DIR, PREPARED_DIR, STAGES_DIR})
)


def work_dir_for(out: str | Path) -> Path:
    """The training work folder of bundle `out`: checkpoints and logs, beside it."""
    out = Path(out)
    return out.with_name(out.name + ".training")


def start_work_dir(work_dir: str | Path, resume: bool) -> Path:
    """Create a fresh work folder, or check that a resumable one exists."""
    work_dir = Path(work_dir)
    if resume:
        if not has_checkpoint(work_dir) and not any(has_checkpoint(stage) for stage in stage_dirs(work_dir)):
            raise UserError(f"nothing to resume: no checkpoint in {work_dir / CHECKPOINT_DIR}")
        return work_dir
    if work_dir.exists():
        check_replaceable(work_dir, WORK_FOLDER)
        shutil.rmtree(work_dir)
    (work_dir / PREPARED_DIR).mkdir(parents=True)
    (work_dir / RUN_FILE).write_text("training work folder; removed when the run ends\n", encoding="utf-8")
    return work_dir


def has_checkpoint(folder: Path) -> bool:
    """Whether the training loop's folder `folder` holds a checkpoint to resume from."""
    return (Path(folder) / CHECKPOINT_DIR / STATE_FILE).is_file()


def stage_dirs(work_dir: Path) -> list[Path]:
    """The folders of the stages a run trains before its own model."""
    folder = Path(work_dir) / STAGES_DIR
    return sorted(path for path in folder.iterdir() if path.is_dir()) if folder.is_dir() else []


def remove_work_dir(work_dir: str | Path) -> None:
    """Delete a finished run's work folder (its logs were copied into the bundle)."""
    shutil.rmtree(work_dir, ignore_errors=True)


def _lock_path(out: Path) -> Path:
    return out.with_name(f".{out.name}.training.lock")


@contextlib.contextmanager
def training_lock(out: str | Path):
    """Hold, for the block, the right to train bundle `out`: one training at a time.

    The lock is an OS file lock (flock) on a hidden file beside `out`, so it holds
    across threads (two UI visitors) and processes (a CLI and the UI), and the OS
    releases it when a process dies. The file is removed when the block ends.

    Raises:
        TrainingBusyError: another training holds it.
    """
    import fcntl

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(_lock_path(out), "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise TrainingBusyError(f"{out}: another training is writing this model; wait until it ends") from None
        try:
            yield
        finally:
            # Removed while still held: a process that opened it before waits on this
            # file and fails as busy; one that opens it later makes a new one.
            _lock_path(out).unlink(missing_ok=True)
            fcntl.flock(handle, fcntl.LOCK_UN)


def training_running(out: str | Path) -> bool:
    """Whether some training holds `training_lock(out)` now."""
    if not _lock_path(Path(out)).is_file():
        return False
    try:
        with training_lock(out):
            return False
    except TrainingBusyError:
        return True
