"""The output folder of a scoring run that writes part files: how a run claims it, writes
each part, and marks it finished, so that a crash never leaves output that looks whole.

    OUT/_SCORING.json      what is being scored (written first: marks the folder as ours)
    OUT/part-F-R.csv       input file F's block from row R (or .jsonl)
    OUT/_SUCCESS           written last, once every part is in place (as Spark and Hadoop do)

A part is written to a temporary name then moved into place, so a retried block
replaces its own part. A run killed mid-way leaves no `_SUCCESS`; the next run into the
same folder clears that unfinished output and scores everything again, so its output has
every row once. A folder with `_SUCCESS` is never replaced, nor one holding a file this
project did not write.
"""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Callable

from shared.errors import OutputError
from shared.faults import kill_point

MANIFEST = "_SCORING.json"
SUCCESS = "_SUCCESS"


def part_name(file_index: int, first_row: int, output_format: str) -> str:
    """The part of input file `file_index` whose block starts at row `first_row`."""
    return f"part-{file_index:05d}-{first_row:010d}.{output_format}"


def write_part(filesystem, folder: str, name: str, write: Callable[[io.TextIOBase], object]):
    """Run `write(text stream)` into a temporary file in `folder`, then move it into place
    as `name` (replacing an earlier attempt's); returns what `write` returned."""
    temporary = f"{folder}/.{name}.tmp-{os.getpid()}-{time.monotonic_ns()}"
    with filesystem.open_output_stream(temporary) as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as out:
        written = write(out)
    kill_point("scoring-worker")
    filesystem.move(temporary, f"{folder}/{name}")
    return written


def write_manifest(filesystem, folder: str, manifest: dict) -> None:
    """Claim `folder` for a run (the first file a run writes)."""
    write_text(filesystem, f"{folder}/{MANIFEST}", json.dumps(manifest, indent=2) + "\n")


def is_our_member(name: str) -> bool:
    return name in (MANIFEST, SUCCESS) or name.startswith(("part-", ".part-"))


def check_output(filesystem, folder: str, location: str) -> None:
    """OutputError unless `folder` is absent or empty, or the unfinished output of an
    earlier run (it holds our manifest and no `_SUCCESS`). Reads only."""
    from pyarrow import fs

    info = filesystem.get_file_info(folder)
    if info.type == fs.FileType.NotFound:
        return
    if info.type != fs.FileType.Directory:
        raise OutputError(f"{location}: exists and is not a folder; give a folder for the part files")
    names = {entry.base_name for entry in filesystem.get_file_info(fs.FileSelector(folder))}
    if not names:
        return
    if SUCCESS in names:
        raise OutputError(
            f"{location}: already holds a finished scoring output ({SUCCESS}); choose another --output or remove it"
        )
    foreign = sorted(name for name in names if not is_our_member(name))
    if MANIFEST not in names or foreign:
        shown = foreign[0] if foreign else sorted(names)[0]
        raise OutputError(
            f"{location}: holds {shown!r}, which this project did not write; choose an empty or new folder"
        )


def prepare_output(filesystem, folder: str, location: str) -> bool:
    """Make `folder` ready for a run (see `check_output`): created, or an earlier run's
    unfinished output cleared. Returns whether the folder was created."""
    from pyarrow import fs

    check_output(filesystem, folder, location)
    if filesystem.get_file_info(folder).type == fs.FileType.NotFound:
        filesystem.create_dir(folder, recursive=True)
        return True
    clear_output(filesystem, folder, remove=False)
    return False


def clear_output(filesystem, folder: str, *, remove: bool) -> None:
    """Delete what a run wrote in `folder` (every file in it is ours: `check_output`
    saw to that), and the folder itself with `remove`."""
    from pyarrow import fs

    for entry in filesystem.get_file_info(fs.FileSelector(folder)):
        if is_our_member(entry.base_name):
            filesystem.delete_file(entry.path)
    if remove and not filesystem.get_file_info(fs.FileSelector(folder)):
        filesystem.delete_dir(folder)


def commit_output(filesystem, folder: str, written: list[str], summary: dict) -> None:
    """Remove what no finished block wrote (parts of failed attempts, temporaries),
    record the summary in the manifest, then write `_SUCCESS`."""
    from pyarrow import fs

    keep = set(written) | {MANIFEST}
    for entry in filesystem.get_file_info(fs.FileSelector(folder)):
        if entry.base_name not in keep:
            filesystem.delete_file(entry.path)
    write_manifest(filesystem, folder, summary)
    write_text(filesystem, f"{folder}/{SUCCESS}", "")


def write_text(filesystem, path: str, text: str) -> None:
    with filesystem.open_output_stream(path) as out:
        out.write(text.encode("utf-8"))
