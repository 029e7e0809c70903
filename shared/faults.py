"""Named kill points for the crash tests: the one place where product code dies on purpose.

A test names a point in a child process's $RNNTEXT_TEST_KILL_AT; when that process
reaches the point it kills itself with SIGKILL, as a power cut or the OOM killer
would, and the test checks what is left on disk. With $RNNTEXT_TEST_KILL_ONCE naming a
file, only the first process to reach the point dies (the file records that one did).
Unset, as always outside the tests, a point does nothing.

The points:
    before-rename      shared.files: an atomic write, complete, not yet moved into place
    between-renames    shared.files: a folder swap, the old version moved aside, the new not in
    scoring-worker     shared.part_files: a part written (by a Ray worker), not yet moved into place
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

KILL_AT = "RNNTEXT_TEST_KILL_AT"
KILL_ONCE = "RNNTEXT_TEST_KILL_ONCE"
POINTS = ("before-rename", "between-renames", "scoring-worker")


def kill_point(name: str) -> None:
    """Die here (SIGKILL) if the tests asked for point `name`; else do nothing."""
    if name not in POINTS:
        raise ValueError(f"unknown kill point {name!r}")
    if os.environ.get(KILL_AT) != name:
        return
    if once := os.environ.get(KILL_ONCE):
        try:
            Path(once).touch(exist_ok=False)
        except FileExistsError:
            return
    os.kill(os.getpid(), signal.SIGKILL)
