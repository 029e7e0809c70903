"""Reading texts to score: one reader per file format (CSV, JSONL, Parquet, plain text),
for the predict verb's local engine and its Ray engine alike, on the local disk or any
file system pyarrow reads; and writing results without half-written files."""

from __future__ import annotations

import contextlib
import csv
import fnmatch
import glob
import io
import itertools
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from shared.errors import DataError
from shared.files import atomic_path

# (line or row number, the row's fields, its text)
Row = tuple[int, dict, str]


# Opens a file's bytes for reading: `open(path, "rb")` for a local file, a pyarrow
# file system's input stream for any other.
OpenBytes = Callable[[], BinaryIO]


def local_bytes(path: str | Path) -> OpenBytes:
    return lambda: open(path, "rb")


@contextlib.contextmanager
def reading_errors(path: str | Path, open_bytes: OpenBytes | None = None):
    """Turn the errors of reading a user's text file into one-line DataErrors naming it."""
    try:
        yield
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not a file") from None
    except UnicodeDecodeError:
        with (open_bytes or local_bytes(path))() as handle:
            raise not_utf8_error(path, handle) from None
    except OSError as error:
        raise DataError(f"{path}: cannot read ({error.strerror or error})") from None


def not_utf8_error(name: str | Path, byte_lines: Iterable[bytes]) -> DataError:
    """A DataError naming the line and byte of the first non-UTF-8 byte in `byte_lines`."""
    for number, line in enumerate(byte_lines, start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as error:
            return DataError(
                f"{name}: line {number}: not UTF-8 text (byte {error.start + 1} of the line); save the file as UTF-8"
            )
    return DataError(f"{name}: not UTF-8 text; save the file as UTF-8")


@contextlib.contextmanager
def open_text(path: str | Path, open_bytes: OpenBytes | None = None, *, newline: str | None = None):
    """The UTF-8 text of a file (a byte order mark skipped), its reading errors as DataErrors."""
    with (
        reading_errors(path, open_bytes),
        (open_bytes or local_bytes(path))() as raw,
        io.TextIOWrapper(raw, encoding="utf-8-sig", newline=newline) as handle,
    ):
        yield handle


def iter_csv(
    path: str | Path, columns: list[str], open_bytes: OpenBytes | None = None
) -> Iterator[list[str] | dict[str, str]]:
    """Stream a UTF-8 CSV (delimiter , ; tab or | read off the header): first its header, then rows.

    Raises DataError when the file is missing, not UTF-8, malformed or lacks a column.
    """
    try:
        with open_text(path, open_bytes, newline="") as handle:
            header_line = handle.readline()
            reader = csv.DictReader(itertools.chain([header_line], handle), delimiter=header_delimiter(header_line))
            header = reader.fieldnames or []
            missing = [column for column in columns if column not in header]
            if missing:
                raise DataError(missing_column_message(path, missing[0], header))
            yield list(header)
            yield from reader
    except csv.Error as error:
        raise DataError(f"{path}: malformed CSV ({error})") from None


def missing_column_message(name: str | Path, column: str, header: list[str]) -> str:
    """Which column is missing and which there are (with a hint when the delimiter looks wrong)."""
    message = f"{name}: no column {column!r}; columns are: {', '.join(header) or '(none)'}"
    if len(header) == 1 and column in header[0]:
        message += " (is the file delimited by , ; tab or |?)"
    return message


def header_delimiter(header: str) -> str:
    """The delimiter among , ; tab | that the header line uses most (comma if none)."""
    delimiter = max(",;\t|", key=header.count)
    return delimiter if header.count(delimiter) else ","


def lines(path: str | Path, open_bytes: OpenBytes | None = None) -> Iterator[tuple[int, str]]:
    """(line number, line without its newline) of a UTF-8 text file."""
    with open_text(path, open_bytes) as handle:
        yield from enumerate((line.rstrip("\r\n") for line in handle), start=1)


DOCSTART = "-DOCSTART-"  # CoNLL's document separator line


def column_blocks(path: str | Path, open_bytes: OpenBytes | None = None) -> Iterator[list[tuple[int, list[str]]]]:
    """The sentences of a CoNLL-style column file, each as the (line number, fields) of its
    token lines: blank lines end a sentence, `-DOCSTART-` lines separate documents."""
    current = []
    for number, line in lines(path, open_bytes):
        fields = line.split()
        if not fields or fields[0] == DOCSTART:
            if current:
                yield current
            current = []
            continue
        current.append((number, fields))
    if current:
        yield current


def text_rows(path: str | Path, text_col: str, open_bytes: OpenBytes | None = None) -> Iterator[Row]:
    """One text per line."""
    for number, line in lines(path, open_bytes):
        yield number, {text_col: line}, line


def jsonl_rows(path: str | Path, text_col: str, open_bytes: OpenBytes | None = None) -> Iterator[Row]:
    """One JSON string, or object with a `text_col` string, per line."""
    for number, line in lines(path, open_bytes):
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(f"{path}: line {number}: invalid JSON ({error.msg})") from None
        if isinstance(item, str):
            item = {text_col: item}
        if not isinstance(item, dict) or not isinstance(item.get(text_col), str):
            raise DataError(f"{path}: line {number}: expected a string or an object with a {text_col!r} string")
        yield number, item, item[text_col]


def csv_rows(path: str | Path, text_col: str, open_bytes: OpenBytes | None = None) -> tuple[list[str], Iterator[Row]]:
    """The header and (row number, row, text) of a CSV; row 2 is the first after the header."""
    rows = iter_csv(path, [text_col], open_bytes)
    columns = next(rows)
    numbered = ((number, row, row[text_col] or "") for number, row in enumerate(rows, start=2))
    return columns, numbered


FILE_KINDS = {".csv": "csv", ".jsonl": "jsonl", ".parquet": "parquet", ".pq": "parquet"}  # else plain text


def file_kind(path: str | Path) -> str:
    """ "csv", "jsonl", "parquet" or "text", from the file name's suffix."""
    return FILE_KINDS.get(PurePosixPath(str(path)).suffix.lower(), "text")


def parquet_rows(open_file: Callable[[], object], name: str, text_col: str, chunk_rows: int = 1024):
    """The columns and (1-based row number, row, text) of a Parquet file, streamed by record batch."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with reading_errors(name, open_file):
        try:
            parquet = pq.ParquetFile(open_file())
        except pa.ArrowInvalid as error:
            raise DataError(f"{name}: not a Parquet file ({error})") from None
    schema = parquet.schema_arrow
    if text_col not in schema.names:
        raise DataError(missing_column_message(name, text_col, schema.names))
    kind = schema.field(text_col).type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        raise DataError(f"{name}: column {text_col!r} holds {kind}, not text")

    def rows() -> Iterator[Row]:
        number = 0
        with reading_errors(name, open_file):
            for batch in parquet.iter_batches(batch_size=chunk_rows):
                for row in batch.to_pylist():
                    number += 1
                    yield number, row, row[text_col] or ""

    return list(schema.names), rows()


def format_rows(name: str, kind: str, text_col: str, open_bytes: OpenBytes, open_file=None, chunk_rows: int = 1024):
    """The columns to carry over and the rows of one input file of `kind` (see `file_kind`).

    Args:
        name: how messages name the file.
        open_bytes: opens its bytes as a stream; `open_file` as a seekable file (Parquet).
    """
    if kind == "parquet":
        return parquet_rows(open_file or open_bytes, name, text_col, chunk_rows)
    if kind == "csv":
        return csv_rows(name, text_col, open_bytes)
    return [text_col], (jsonl_rows if kind == "jsonl" else text_rows)(name, text_col, open_bytes)


def file_rows(path: Path, text_col: str) -> Iterator[Row]:
    """Rows of a .jsonl file, or of any other file as plain text lines."""
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    return jsonl_rows(path, text_col) if path.suffix.lower() == ".jsonl" else text_rows(path, text_col)


def read_rows(path: Path, text_col: str) -> tuple[list[str], Iterator[Row]]:
    """The columns to carry over and the rows of a local .csv, .jsonl, .parquet or plain text file."""
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty")
    return format_rows(str(path), file_kind(path), text_col, local_bytes(path))


# ----------------------------------------------------------------- any file system (pyarrow)


def filesystem_and_path(location: str):
    """(pyarrow file system, path in it) of a local path or a URI such as s3://bucket/key."""
    from pyarrow import fs

    if "://" in location:
        try:
            return fs.FileSystem.from_uri(location)
        except (ValueError, OSError) as error:
            raise DataError(f"{location}: cannot open this location ({error})") from None
    return fs.LocalFileSystem(), str(Path(location).expanduser().absolute())


def display_name(filesystem, path: str) -> str:
    """How messages and the `source_file` column name a file: a local path as is, else a URI."""
    kind = filesystem.type_name
    return path if kind == "local" else f"{kind}://{path}"


def input_files(location: str) -> tuple[object, list[str]]:
    """The file system and the sorted files that `location` names: a file, a folder
    (every file in it whose name does not start with _ or .), or a glob."""
    from pyarrow import fs

    filesystem, path = filesystem_and_path(location)
    if glob.has_magic(path):
        if filesystem.type_name == "local":
            found = [name for name in glob.glob(path, recursive=True) if os.path.isfile(name)]
        else:
            base = path[: min(path.find(char) for char in "*?[" if char in path)].rsplit("/", 1)[0]
            selector = fs.FileSelector(base, recursive="**" in path or path.count("/") > base.count("/") + 1)
            found = [
                info.path
                for info in filesystem.get_file_info(selector)
                if info.type == fs.FileType.File and fnmatch.fnmatch(info.path, path)
            ]
        if not found:
            raise DataError(f"{location}: no file matches")
        return filesystem, sorted(found)
    info = filesystem.get_file_info(path)
    if info.type == fs.FileType.File:
        return filesystem, [path]
    if info.type == fs.FileType.Directory:
        found = [
            entry.path
            for entry in filesystem.get_file_info(fs.FileSelector(path, recursive=True))
            if entry.type == fs.FileType.File and not entry.base_name.startswith(("_", "."))
        ]
        if not found:
            raise DataError(f"{location}: folder holds no input files")
        return filesystem, sorted(found)
    raise DataError(f"{location}: file not found")


def source_rows(filesystem, path: str, text_col: str, chunk_rows: int) -> Iterator[Row]:
    """The rows of one input file on `filesystem`, numbered as the local engine numbers them."""
    return format_rows(
        display_name(filesystem, path),
        file_kind(path),
        text_col,
        lambda: filesystem.open_input_stream(path),
        lambda: filesystem.open_input_file(path),
        chunk_rows,
    )[1]


def check_inputs(filesystem, files: list[str], text_col: str) -> None:
    """Read the start of every input file, so a missing text column or a file that is
    not what its name says fails here, in one line, before any work starts."""
    for path in files:
        next(iter(source_rows(filesystem, path, text_col, chunk_rows=1)), None)


def argument_rows(texts: list[str], text_col: str) -> Iterator[Row]:
    return ((index, {text_col: text}, text) for index, text in enumerate(texts, start=1))


@contextlib.contextmanager
def output_stream(path: Path | None):
    """Standard output, or a temporary file renamed to `path` only when the block succeeds."""
    if path is None:
        yield sys.stdout
        return
    with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as out:
        yield out


def check_texts(texts, *, allow_empty: bool = False) -> list[str]:
    """`texts` as a list, or a DataError naming the first that is not a string, not
    valid Unicode (a lone surrogate) or, unless `allow_empty`, blank (the runtime's own check)."""
    from rnntext_runtime.inputs import InputError
    from rnntext_runtime.inputs import check_texts as check

    try:
        return check(texts, allow_empty=allow_empty)
    except InputError as error:
        raise DataError(str(error)) from None
