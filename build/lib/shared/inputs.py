"""Reading texts to score from files and writing results without half-written files."""

from __future__ import annotations

import contextlib
import csv
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from shared.errors import DataError
from shared.files import atomic_path

# (line or row number, the row's fields, its text)
Row = tuple[int, dict, str]


@contextlib.contextmanager
def reading_errors(path: Path):
    """Turn the errors of reading a user's text file into one-line DataErrors naming it."""
    try:
        yield
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not a file") from None
    except UnicodeDecodeError:
        with open(path, "rb") as handle:
            raise not_utf8_error(path, handle) from None
    except OSError as error:
        raise DataError(f"{path}: cannot read ({error.strerror})") from None


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


def iter_csv(path: str | Path, columns: list[str]) -> Iterator[list[str] | dict[str, str]]:
    """Stream a UTF-8 CSV (delimiter , ; tab or | read off the header): first its header, then rows.

    Raises DataError when the file is missing, not UTF-8, malformed or lacks a column.
    """
    path = Path(path)
    try:
        with reading_errors(path), open(path, encoding="utf-8-sig", newline="") as handle:
            delimiter = header_delimiter(handle.readline())
            handle.seek(0)
            reader = csv.DictReader(handle, delimiter=delimiter)
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


def lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line without its newline) of a UTF-8 text file."""
    with reading_errors(path), open(path, encoding="utf-8") as handle:
        yield from enumerate((line.rstrip("\r\n") for line in handle), start=1)


def text_rows(path: Path, text_col: str) -> Iterator[Row]:
    """One text per line."""
    for number, line in lines(path):
        yield number, {text_col: line}, line


def jsonl_rows(path: Path, text_col: str) -> Iterator[Row]:
    """One JSON string, or object with a `text_col` string, per line."""
    for number, line in lines(path):
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(f"{path}: line {number}: invalid JSON ({error.msg})") from None
        if isinstance(item, str):
            item = {text_col: item}
        if not isinstance(item, dict) or not isinstance(item.get(text_col), str):
            raise DataError(f"{path}: line {number}: expected a string or an object with a {text_col!r} string")
        yield number, item, item[text_col]


def file_rows(path: Path, text_col: str) -> Iterator[Row]:
    """Rows of a .jsonl file, or of any other file as plain text lines."""
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    return jsonl_rows(path, text_col) if path.suffix.lower() == ".jsonl" else text_rows(path, text_col)


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
    valid Unicode (a lone surrogate) or, unless `allow_empty`, blank."""
    checked = list(texts)
    for index, text in enumerate(checked):
        if not isinstance(text, str):
            raise DataError(f"text {index}: expected a string, got {type(text).__name__}")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise DataError(f"text {index}: not valid Unicode (character {error.start})") from None
        if not allow_empty and not text.strip():
            raise DataError(f"text {index}: empty text")
    return checked
