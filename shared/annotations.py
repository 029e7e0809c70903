"""A file of annotation decisions: one JSON object a line, appended as each is made.

Crash-safe: each decision is one `write` of its line, then flushed and fsynced before
`append` returns, so a kill loses at most the decision being written. A line torn by a
crash (the last one, without its newline or not valid JSON) is found when the file is
next opened: its bytes move to `<file>.torn` (nothing of the user's is deleted) and the
caller is told. Two writers on one file (two browser tabs, two processes) take an
exclusive lock around read-check-append, so no source row is ever written twice.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from shared.errors import DataError

TORN_SUFFIX = ".torn"


def row_key(record: dict) -> tuple[str, int]:
    """What makes a decision unique in its file: the source file and row it labels."""
    return str(record["source"]), int(record["row"])


@dataclass(frozen=True)
class Opened:
    """An annotation file as read: its decisions in order and, when a torn last line
    was set aside, the message that says so (else None)."""

    records: list[dict]
    torn_message: str | None

    def done(self) -> set[tuple[str, int]]:
        return {row_key(record) for record in self.records}


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on `path`'s lock file (beside it) for as long as the block runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _parse(path: Path) -> tuple[list[dict], int | None]:
    """(the decisions of the file's whole lines, the byte offset where a torn last line
    starts, or None). A bad line before the last is a DataError: that is not a crash."""
    data = path.read_bytes() if path.exists() else b""
    records, start = [], 0
    lines = data.split(b"\n")
    for number, line in enumerate(lines, start=1):
        last = number == len(lines)
        if last and not line:
            break
        try:
            record = json.loads(line.decode("utf-8"))
            if not isinstance(record, dict) or "source" not in record or "row" not in record:
                raise ValueError("not a decision")
            if last:
                raise ValueError("no newline: the write did not finish")
        except ValueError:
            if last:
                return records, start
            raise DataError(
                f"{path}: line {number} is not an annotation decision (a JSON object with a source and a row)"
            ) from None
        records.append(record)
        start += len(line) + 1
    return records, None


def _set_aside(path: Path, offset: int) -> str:
    """Move the torn bytes from `offset` on to `<file>.torn` (appended) and cut them off."""
    with open(path, "r+b") as handle:
        handle.seek(offset)
        torn = handle.read()
        with open(path.with_name(path.name + TORN_SUFFIX), "ab") as aside:
            aside.write(torn + b"\n")
            aside.flush()
            os.fsync(aside.fileno())
        handle.truncate(offset)
        handle.flush()
        os.fsync(handle.fileno())
    return (
        f"{path.name}: its last line was cut off when a write was interrupted; that decision was not saved "
        f"(its {len(torn)} bytes are kept in {path.name}{TORN_SUFFIX})"
    )


def open_annotations(path: str | Path) -> Opened:
    """The decisions of the file at `path` (none if it does not exist yet), a torn last
    line set aside first."""
    path = Path(path)
    if not path.exists():
        return Opened([], None)
    with _locked(path):
        records, torn_at = _parse(path)
        message = _set_aside(path, torn_at) if torn_at is not None else None
    return Opened(records, message)


def read_annotations(path: str | Path) -> Opened:
    """The decisions of an annotation file, read without changing it (a torn last line
    is left where it is and not counted)."""
    records, torn_at = _parse(Path(path))
    message = None if torn_at is None else f"{Path(path).name}: its last line was cut off; it is not counted"
    return Opened(records, message)


def append_decision(path: str | Path, record: dict) -> bool:
    """Append `record` (JSON-ready, with `source` and `row`) as one line, flushed and
    fsynced before returning True; False, writing nothing, when its row is already in
    the file (another tab or process labelled it first)."""
    path = Path(path)
    line = (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    with _locked(path):
        records, torn_at = _parse(path)
        if torn_at is not None:
            _set_aside(path, torn_at)
        if row_key(record) in {row_key(existing) for existing in records}:
            return False
        with open(path, "ab") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
    return True


def labelled_decisions(path: str | Path) -> list[tuple[int, dict]]:
    """(line number, decision) of each labelled decision of an annotation file, read
    without changing it: skipped rows and a torn last line (a write a kill cut off) are
    left out. DataError when the file is missing or holds no labelled decision."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    records, _ = _parse(path)
    found = [(number, record) for number, record in enumerate(records, start=1) if not record.get("skipped")]
    if not found:
        raise DataError(f"{path}: no labelled decision (only skipped rows, or an empty file)")
    return found


def annotation_record(path: str | Path, decisions: int) -> dict:
    """What a bundle records of an annotation file it was trained on: name, checksum, decisions."""
    from shared.files import sha256_of

    return {"name": Path(path).name, "sha256": sha256_of(path), "decisions": decisions}
