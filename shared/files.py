"""Atomic file and directory writes: readers see the old version or the new one, never half."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from shared.errors import OutputError
from shared.faults import kill_point


def sha256_of(path: str | Path, chunk_size: int = 1 << 20) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class FolderKind:
    """A kind of folder this project writes and may later replace.

    Attributes:
        what: how messages name it ("a model bundle").
        marker: a file every such folder holds, or None for a kind that may only
            replace an empty folder.
        members: every name such a folder may hold at its top level (the marker
            included); a folder holding anything else holds a user's files.
    """

    what: str
    marker: str | None = None
    members: frozenset[str] = frozenset()


ANY_OUTPUT = FolderKind("an output of this project")


def _ours(name: str, kind: FolderKind) -> bool:
    """A member of `kind`, or the temporary of one of our atomic writes of a member."""
    if name in kind.members:
        return True
    return name.startswith(".") and any(name.startswith(f".{member}.tmp-") for member in kind.members)


def check_replaceable(target: str | Path, kind: FolderKind = ANY_OUTPUT) -> None:
    """Raise OutputError unless writing the folder `target` can only replace our own work.

    `target` may be absent, an empty folder, or a folder of `kind`: it holds
    `kind.marker` and nothing but `kind.members`. Anything else, a file or a folder
    with other things in it, could be a user's data and is never deleted.
    """
    target = Path(target)
    if not target.exists() and not target.is_symlink():
        return
    if target.is_dir() and not target.is_symlink():
        names = [entry.name for entry in target.iterdir()]
        if not names:
            return
        if kind.marker is not None and (target / kind.marker).is_file():
            foreign = sorted(name for name in names if not _ours(name, kind))
            if not foreign:
                return
            raise OutputError(
                f"{target}: holds {foreign[0]!r}, which is not part of {kind.what}; "
                "move it away or choose another path (nothing was replaced)"
            )
    raise OutputError(f"{target}: exists and is not {kind.what}; choose another path or remove it first")


def recover_swapped(target: str | Path) -> None:
    """Undo a folder swap cut short between its two renames (see `_replace`).

    If `target` is missing but a `.NAME.old-*` folder beside it holds the version
    that was being replaced, it is renamed back to `target`. If `target` exists,
    such leftovers are versions it already replaced, and are removed.
    """
    target = Path(target)
    if not target.parent.is_dir():
        return
    leftovers = sorted(target.parent.glob(f".{target.name}.old-*"), key=lambda path: path.stat().st_mtime)
    if not target.exists() and not target.is_symlink() and leftovers:
        os.replace(leftovers.pop(), target)
    for old in leftovers:
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def atomic_path(target: str | Path, *, is_dir: bool = False, kind: FolderKind = ANY_OUTPUT) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success move it over `target`.

    The temporary lives in the same folder so the final rename stays on one file
    system. If the body raises (or the process dies), `target` is untouched and the
    temporary is removed (or left with a `.tmp-` name that no reader looks at).
    A directory replacing an existing one is swapped with two renames; the old
    version is deleted only after the new one is in place, and only if it is of
    `kind` (see `check_replaceable`). A swap cut short by a crash is recovered
    first (`recover_swapped`). A file target may replace a file, never a folder.
    """
    target = Path(target)
    if is_dir:
        recover_swapped(target)
        check_replaceable(target, kind)
    elif target.is_dir():
        raise OutputError(f"{target}: is a folder; give a file path")
    prefix = f".{target.name}.tmp-"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if is_dir:
            tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))
        else:
            fd, name = tempfile.mkstemp(prefix=prefix, dir=target.parent)
            os.close(fd)
            tmp = Path(name)
    except OSError as error:
        raise OutputError(f"{target}: cannot be written ({error.strerror or error})") from None
    os.chmod(tmp, (0o777 if is_dir else 0o666) & ~_umask())
    try:
        yield tmp
        kill_point("before-rename")
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
    kill_point("between-renames")
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
