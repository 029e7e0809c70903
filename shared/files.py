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


def sha256_of(path: str | Path, chunk_size: int = 1 << 20) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def atomic_path(target: str | Path, *, is_dir: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success move it over `target`.

    The temporary lives in the same folder so the final rename stays on one file
    system. If the body raises (or the process dies), `target` is untouched and the
    temporary is removed (or left with a `.tmp-` name that no reader looks at).
    A directory replacing an existing one is swapped with two renames; the old
    version is deleted only after the new one is in place.
    """
    target = Path(target)
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
