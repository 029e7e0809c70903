"""Processes of an embedded Ray cluster end with the command that started it, however
the command ends.

`ray.shutdown()` stops the cluster when the command finishes or fails, but a command
killed from outside (SIGKILL, the OOM killer, a closed terminal) runs no clean-up, and
Ray's worker processes (`ray::MapWorker...`) then outlive it. So the command marks its
cluster: an environment variable with a run id, set before `ray.init`, which every
process Ray starts inherits. A watcher in a session of its own (a process-group kill
does not reach it) waits for the command to end and then kills every process that
carries the mark; the command sweeps the same way itself after a clean shutdown.

Run as `python shared/reaper.py PID RUN_ID` (the watcher).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

MARK = "RNNTEXT_RAY_RUN"  # the environment variable that marks a run's Ray processes
POLL_SECONDS = 0.5


def processes_with(variable: str, value: str) -> list[int]:
    """The ids of the live processes (but this one) whose environment holds variable=value."""
    wanted = f"{variable}={value}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environment = (entry / "environ").read_bytes()
        except OSError:  # gone, or not ours to read
            continue
        if wanted in environment.split(b"\0"):
            found.append(int(entry.name))
    return found


def sweep(run_id: str) -> None:
    """SIGKILL every process marked with `run_id`."""
    for pid in processes_with(MARK, run_id):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def _alive(pid: int, started: str) -> bool:
    """Whether process `pid` is the one that started at `started` (its /proc stat start time)."""
    try:
        return _start_time(pid) == started
    except OSError:
        return False


def _start_time(pid: int) -> str:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return fields[19]  # field 22 of stat, counted after the command name


def watch(pid: int, run_id: str) -> None:
    """Wait for process `pid` to end, then kill what its run left."""
    started = _start_time(pid)
    while _alive(pid, started):
        time.sleep(POLL_SECONDS)
    sweep(run_id)


@contextlib.contextmanager
def reaped_cluster() -> Iterator[str]:
    """Mark the processes started inside the block (MARK in this process's environment
    while it runs) and start the watcher; on the way out, kill what is left and stop the
    watcher. Yields the run id. Linux only (/proc); elsewhere the block runs unmarked."""
    if not Path("/proc/self/environ").exists():
        yield ""
        return
    run_id = uuid.uuid4().hex
    environment = {key: value for key, value in os.environ.items() if key != MARK}
    watcher = subprocess.Popen(
        [sys.executable, __file__, str(os.getpid()), run_id],  # standard library only: runs from anywhere
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # out of reach of a kill of the command's process group
    )
    previous = os.environ.get(MARK)
    os.environ[MARK] = run_id
    try:
        yield run_id
    finally:
        if previous is None:
            os.environ.pop(MARK, None)
        else:
            os.environ[MARK] = previous
        sweep(run_id)
        watcher.kill()
        watcher.wait()


if __name__ == "__main__":
    watch(int(sys.argv[1]), sys.argv[2])
