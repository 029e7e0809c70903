"""The default models `make start` trains behind the UI, one at a time: their queue and
the running training's progress.

The launcher (`app_pages.launch`) trains them and keeps this status in a small JSON
file that it names to the UI server in $RNNTEXT_DEFAULTS_STATUS; the pages read it
to show each model's progress and to load the model when it lands.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from shared.errors import UserError
from shared.files import write_json_atomic

STATUS_VARIABLE = "RNNTEXT_DEFAULTS_STATUS"


@dataclass
class DefaultsStatus:
    """Which default models are queued, which one trains now and how far it is."""

    queue: list[str]  # task names, in the order they train
    pid: int = field(default_factory=os.getpid)  # the launcher's: a status without it is stale
    current: str | None = None
    epoch: int = 0  # epochs finished by the current training
    epochs: int = 0  # at most this many (early stopping may end it sooner)
    monitor: str = ""  # the dev metric the current training follows
    dev_score: float | None = None  # after the last finished epoch
    epoch_seconds: list[float] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # task -> why

    def state_of(self, task: str) -> str | None:
        """ "training", "queued", "done", "failed", or None for a task not in the queue."""
        if task == self.current:
            return "training"
        if task in self.failed:
            return "failed"
        if task in self.done:
            return "done"
        return "queued" if task in self.queue else None

    def minutes_left(self) -> float | None:
        """At most this many minutes until the current training ends (epochs left times
        the mean epoch so far); None before its first epoch."""
        if not self.epoch_seconds:
            return None
        mean = sum(self.epoch_seconds) / len(self.epoch_seconds)
        return mean * max(self.epochs - self.epoch, 0) / 60

    def ahead_of(self, task: str) -> list[str]:
        """The queued or training tasks that train before `task`."""
        before = self.queue[: self.queue.index(task)] if task in self.queue else []
        return [name for name in before if self.state_of(name) in ("training", "queued")]


def read_status(path: str | Path | None = None) -> DefaultsStatus | None:
    """The status at `path` (default: the file $RNNTEXT_DEFAULTS_STATUS names), or None
    when there is none (the UI was not started by `make start`, or it has ended)."""
    path = path or os.environ.get(STATUS_VARIABLE)
    if not path:
        return None
    try:
        status = DefaultsStatus(**json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    return status if _alive(status.pid) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        pass
    return True


def write_status(path: str | Path, status: DefaultsStatus) -> None:
    write_json_atomic(path, asdict(status))


def train_queue(
    status: DefaultsStatus, path: Path, train_one: Callable[[str, Callable[[dict], None]], object], say=print
) -> DefaultsStatus:
    """Train each task of `status.queue` in turn with `train_one(task, on_epoch)`,
    keeping the status file at `path` up to date after every step and epoch. A task
    that fails with a user's error (its data cannot be found) is recorded and skipped."""
    from shared.datasets import get_spec
    from shared.tasks import get_task, title_of

    write_status(path, status)
    for name in status.queue:
        task = get_task(name)
        status.current, status.monitor = name, task.monitor
        status.epoch, status.epochs, status.dev_score, status.epoch_seconds = 0, 0, None, []  # known from epoch 1
        write_status(path, status)

        def on_epoch(record: dict) -> None:
            status.epoch, status.epochs = record["epoch"], record["epochs"]
            status.dev_score = record.get(f"dev_{status.monitor}")
            status.epoch_seconds.append(record["seconds"])
            write_status(path, status)

        started = time.time()
        try:
            train_one(name, on_epoch)
        except UserError as error:
            status.failed[name] = f"{error}. The dataset: {get_spec(task.default_dataset).source}."
            say(f"- {title_of(task.name)}: not trained ({status.failed[name]})", flush=True)
        else:
            status.done.append(name)
            say(
                f"{title_of(task.name)} ready after {(time.time() - started) / 60:.1f} min; its page shows it now.",
                flush=True,
            )
        status.current = None
        write_status(path, status)
    return status
