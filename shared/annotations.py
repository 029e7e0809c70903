"""A file of annotation decisions: one JSON object a line, appended as each is made.

Crash-safe: each decision is one `write` of its line, then flushed and fsynced before
`append` returns, so a kill loses at most the decision being written. A line torn by a
crash (the last one, without its newline or not valid JSON) is found when the file is
next opened: its bytes move to `<file>.torn` (nothing of the user's is deleted) and the
caller is told. Two writers on one file (two browser tabs, two processes) take an
exclusive lock around read-check-append, so no source row is ever written twice.
"""

from __future__ import annotations

import codecs
import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from shared.errors import DataError
from shared.selection import text_key

TORN_SUFFIX = ".torn"


@dataclass(frozen=True)
class Opened:
    """An annotation file as read: its decisions in order and, when a last line that is
    not a decision was set aside or left out, the message that says so (else None)."""

    records: list[dict]
    torn_message: str | None

    def done(self) -> set[str]:
        """The `text_key` of every decided text (labelled or skipped)."""
        return {text_key(record["text"]) for record in self.records}


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


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _entity_problem(entity, text: str) -> str | None:
    if not isinstance(entity, dict):
        return "an entity is not a JSON object"
    if not isinstance(entity.get("label"), str):
        return "an entity needs a label (a string)"
    start, end = entity.get("start"), entity.get("end")
    if not _is_int(start) or not _is_int(end):
        return f"the entity {entity.get('label')!r} needs integer start and end offsets (got {start!r}, {end!r})"
    if not 0 <= start < end <= len(text):
        return f"the entity {entity['label']!r} [{start}:{end}] is not inside its text of {len(text)} characters"
    return None


def decision_record(
    task: str, item: dict, source: dict, model: str, answered: tuple[str, object] | None, *, accepted: bool
) -> dict:
    """The record of one decision on a queue `item` (its row, text and the model's guess):
    its task, where the text came from (`source`: the file's name and SHA-256), the model,
    the answer under its field (`answered`: ("label", "positive"), ("entities", [...]);
    None: skipped), whether the guess was accepted as it was, and when."""
    record = {
        "task": task,
        "source": source["name"],
        "source_sha256": source["sha256"],
        "row": item["row"],
        "text": item["text"],
        "model": model,
        "guess": item["guess"],
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if answered is None:
        return {**record, "skipped": True}
    field, answer = answered
    return {**record, field: answer, "accepted": accepted}


def decision_problem(record) -> str | None:
    """What makes `record` not a decision of an annotation file, or None: a JSON object
    with the source (a name) and row (an integer) it came from, its text, its task,
    and unless skipped its answer: a label, or a list of entities with character offsets."""
    if not isinstance(record, dict):
        return "not a JSON object"
    for key, check, what in (
        ("source", lambda v: isinstance(v, str), "a string"),
        ("row", _is_int, "an integer"),
        ("text", lambda v: isinstance(v, str) and v.strip(), "a text that is not blank"),
    ):
        if not check(record.get(key)):
            return f"{key!r} must be {what} (got {record.get(key)!r})"
    if "task" in record and not isinstance(record["task"], str):
        return f"'task' must be a string (got {record['task']!r})"
    if record.get("skipped") is True:
        return None
    if "skipped" in record and record["skipped"] is not False:
        return f"'skipped' must be true or false (got {record['skipped']!r})"
    if "entities" in record:
        if not isinstance(record["entities"], list):
            return f"'entities' must be a list (empty for none; got {record['entities']!r})"
        return next(filter(None, (_entity_problem(e, record["text"]) for e in record["entities"])), None)
    if not isinstance(record.get("label"), str):
        return f"'label' must be a string (got {record.get('label')!r})"
    return None


def _encoding_error(path: Path, data: bytes) -> DataError | None:
    """A DataError naming the line of the first byte that is not UTF-8, or None."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return DataError(
            f"{path}: line {line}: not UTF-8 text (an annotation file is UTF-8 JSON Lines); save it as UTF-8"
        )
    return None


def _parse(path: Path, size: int | None = None) -> tuple[list[dict], int | None]:
    """(the decisions of the file, the byte offset where a last line that is not a
    decision starts, or None). A last line without its newline that is a whole decision
    is kept (editors often leave the newline off); one that is not is a write cut short.
    A bad line before the last is a DataError naming it: that is not a crash to repair.
    A UTF-8 byte order mark is skipped. `size`: read only the file's first `size` bytes
    (the file as it was when a bundle recorded it: decisions are only ever appended)."""
    data = path.read_bytes()[:size] if path.exists() else b""
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    if (error := _encoding_error(path, data[bom:])) is not None:
        raise error
    records, start = [], bom
    lines = data[bom:].split(b"\n")
    for number, line in enumerate(lines, start=1):
        last = number == len(lines)
        if last and not line:
            break
        try:
            record = json.loads(line.decode("utf-8"))
            problem = decision_problem(record)
        except ValueError:
            record, problem = None, "not valid JSON"
        if problem is not None:
            if last:
                return records, start
            raise DataError(f"{path}: line {number} is not an annotation decision: {problem}")
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
        f"{path.name}: its last line was not a whole decision (a write cut short, or an edit); it was not saved "
        f"(its {len(torn)} bytes are kept in {path.name}{TORN_SUFFIX})"
    )


def _check_task(path: Path, records: list[dict], task: str | None) -> None:
    """DataError unless every decision of `records` that names its task names `task`."""
    if task is None:
        return
    for number, record in enumerate(records, start=1):
        if record.get("task", task) != task:
            raise DataError(
                f"{path}: line {number} is a {record['task']} decision, not {task}: an annotation file holds "
                "one task's decisions; choose another file for this task"
            )


def open_annotations(path: str | Path, task: str | None = None) -> Opened:
    """The decisions of the file at `path` (none if it does not exist yet), a torn last
    line set aside first; DataError when they are another task's than `task`."""
    path = Path(path)
    if not path.exists():
        return Opened([], None)
    with _locked(path):
        records, torn_at = _parse(path)
        _check_task(path, records, task)
        message = _set_aside(path, torn_at) if torn_at is not None else None
    return Opened(records, message)


def read_annotations(path: str | Path, task: str | None = None, size: int | None = None) -> Opened:
    """The decisions of an annotation file (its first `size` bytes when given), read
    without changing it (a last line that is not a whole decision is left where it is,
    not counted, and said in the message)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    records, torn_at = _parse(path, size)
    _check_task(path, records, task)
    message = None if torn_at is None else f"{path}: its last line is not a whole decision; it is left out"
    return Opened(records, message)


def append_decision(path: str | Path, record: dict) -> bool:
    """Append `record` (a decision, see `decision_problem`) as one line, flushed and
    fsynced before returning True; False, writing nothing, when its text is already
    decided in the file (another tab or process labelled it first). DataError when the
    file holds another task's decisions."""
    path = Path(path)
    if (problem := decision_problem(record)) is not None:
        raise ValueError(f"not a decision: {problem}")
    line = (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    with _locked(path):
        records, torn_at = _parse(path)
        _check_task(path, records, record.get("task"))
        if torn_at is not None:
            _set_aside(path, torn_at)
        if text_key(record["text"]) in Opened(records, None).done():
            return False
        with open(path, "ab") as handle:
            if handle.tell() and not _ends_with_newline(path):
                line = b"\n" + line  # the last decision's newline was left off (by an editor)
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
    return True


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"


def labelled_decisions(path: str | Path, task: str, size: int | None = None) -> list[tuple[int, dict]]:
    """(line number, decision) of each labelled decision of an annotation file of
    `task`, read without changing it: skipped rows are left out, and so is a last line
    that is not a whole decision (said as a warning on stderr). DataError when the file
    is missing, of another task, or holds no labelled decision."""
    import sys

    path = Path(path)
    opened = read_annotations(path, task, size)
    if opened.torn_message:
        print(f"warning: {opened.torn_message}", file=sys.stderr)
    found = [(number, record) for number, record in enumerate(opened.records, start=1) if not record.get("skipped")]
    if not found:
        raise DataError(f"{path}: no labelled decision (only skipped rows, or an empty file)")
    return found


def annotation_record(path: str | Path, decisions: int, size: int | None = None) -> dict:
    """What a bundle records of an annotation file it was trained on: its name, resolved
    path (stored relative to the bundle, `shared.training.run.paths_relative_to`), size,
    checksum and number of labelled decisions. The file may grow afterwards (decisions
    are only appended): its first `bytes` bytes are the version trained on (`size`:
    the first that many bytes were read, else all)."""
    import hashlib

    data = Path(path).read_bytes()[:size]
    return {
        "name": Path(path).name,
        "path": str(Path(path).resolve()),
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "decisions": decisions,
    }


def recorded_version_problem(record: dict, path: Path) -> str | None:
    """Why the annotation file at `path` no longer holds the version `record`
    (`annotation_record`) describes, or None when its first `bytes` bytes still do."""
    import hashlib

    if not path.is_file():
        return f"{path}: file not found"
    head = path.read_bytes()[: record.get("bytes")]
    if hashlib.sha256(head).hexdigest() != record["sha256"]:
        return f"{path}: its decisions changed since the model was trained on them (the checksums differ)"
    return None
