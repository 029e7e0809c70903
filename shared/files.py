"""Atomic file and directory writes: readers see the old version or the new one, never half."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from shared.errors import OutputError


def sha256_of(path: str | Path, chunk_size: int = 1 << 20) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def check_replaceable(target: str | Path, marker: str | None = None, what: str = "an output of this project") -> None:
    """Raise OutputError unless writing the folder `target` can only replace our own work.

    `target` may be absent, an empty folder, or a folder holding the file `marker`
    (say, a bundle's metadata.json). Anything else, a file or a folder of other
    things, could be a user's data and is never deleted.
    """
    target = Path(target)
    if not target.exists() and not target.is_symlink():
        return
    is_folder = target.is_dir() and not target.is_symlink()
    if is_folder and (not any(target.iterdir()) or (marker is not None and (target / marker).is_file())):
        return
    raise OutputError(f"{target}: exists and is not {what}; choose another path or remove it first")


@contextlib.contextmanager
def atomic_path(
    target: str | Path, *, is_dir: bool = False, marker: str | None = None, what: str = "an output of this project"
) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success move it over `target`.

    The temporary lives in the same folder so the final rename stays on one file
    system. If the body raises (or the process dies), `target` is untouched and the
    temporary is removed (or left with a `.tmp-` name that no reader looks at).
    A directory replacing an existing one is swapped with two renames; the old
    version is deleted only after the new one is in place, and only if it is ours
    (see `check_replaceable`; `marker` and `what` are passed to it). A file target
    may replace a file, never a folder.
    """
    target = Path(target)
    if is_dir:
        check_replaceable(target, marker, what)
    elif target.is_dir():
        raise OutputError(f"{target}: is a folder; give a file path")
    target.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{target.name}.tmp-"
    if is_dir:
        tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))
    else:
        fd, name = tempfile.mkstemp(prefix=prefix, dir=target.parent)
        os.close(fd)
        tmp = Path(name)
    os.chmod(tmp, (0o777 if is_dir else 0o666) & ~_umask())
    try:
        yield tmp
        _replace(tmp, target, is_dir=is_dir)
    except BaseException:
        _remove(tmp)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _replace(tmp: Path, target: Path, *, is_dir: bool) -> None:
    if not is_dir or not target.exists():
        os.replace(tmp, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    old.rmdir()
    os.replace(target, old)
    os.replace(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def write_json_atomic(path: str | Path, data: object) -> None:
    """Write `data` as indented UTF-8 JSON, atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
