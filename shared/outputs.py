"""The files a command writes for the user: checked, all of them, before any is written
(none replaces a user's file, none can fail half-way for a path that cannot be written,
no two of one command are the same file), then written whole or not at all."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from shared.errors import OutputError

WRITTEN_BY = "written_by"  # the key that marks a report as one the evaluate verb wrote (and may replace)


def check_writable(path: Path, option: str) -> None:
    """OutputError unless a file can be created at `path`: its folder exists (or can be
    made) and takes a new file. Tried for real, with a temporary file that is removed."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give a file path for {option}")
    folder = path.parent
    existing = next(parent for parent in (folder, *folder.parents) if parent.exists() or parent == Path(parent.anchor))
    if not existing.is_dir():
        raise OutputError(f"{path}: {existing} is a file, not a folder; choose another path for {option}")
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.check-", dir=existing)
    except OSError as error:
        raise OutputError(
            f"{path}: cannot be written ({error.strerror or error}); choose another path for {option}"
        ) from None
    os.close(handle)
    os.unlink(name)


def check_distinct(outputs: dict[str, Path | None]) -> None:
    """OutputError when two of a command's outputs (option -> path; None: not asked for)
    are the same file, through a symbolic link or another spelling of its path too."""
    seen: dict[Path, str] = {}
    for option, path in outputs.items():
        if path is None:
            continue
        resolved = Path(path).resolve()
        if resolved in seen:
            raise OutputError(
                f"{path}: {seen[resolved]} and {option} name the same file; "
                "give each its own path (nothing was written)"
            )
        seen[resolved] = option


def check_new_file(path: Path, option: str = "--errors") -> None:
    """OutputError unless nothing is at `path` (a file `option` names never replaces
    one) and a file can be created there."""
    if path.exists() or path.is_symlink():
        raise OutputError(f"{path}: exists; choose another path for {option} (nothing was replaced)")
    check_writable(path, option)


def check_report_target(path: Path, option: str = "--output") -> None:
    """OutputError unless `path` is new or a report the evaluate verb wrote (a user's file
    of the same name, the default name included, is never replaced), and writable."""
    if path.is_file():
        try:
            ours = json.loads(path.read_text(encoding="utf-8")).get(WRITTEN_BY, "").endswith(".evaluate")
        except (OSError, ValueError, AttributeError):
            ours = False
        if not ours:
            raise OutputError(
                f"{path}: exists and is not an evaluation report of this project; "
                f"choose another path with {option} or move the file away (nothing was replaced)"
            )
    check_writable(path, option)


def write_csv_atomic(path: Path, columns: list[str], rows: list[dict]) -> None:
    """`rows` as a CSV file, cells made spreadsheet-safe (`shared.results.csv_cell`), written whole or not at all."""
    import csv

    from shared.files import atomic_path
    from shared.results import csv_cell

    with atomic_path(path) as temporary, open(temporary, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([csv_cell(column) for column in columns])
        writer.writerows([csv_cell(row[column]) for column in columns] for row in rows)
