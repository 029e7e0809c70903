"""Batch scoring for the Batch page: read an upload, score it with the apps' APIs, and
write a CSV that spreadsheets open safely. Pure functions, tested without a browser."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import PurePath

import pandas as pd

from shared.errors import DataError
from shared.inputs import header_delimiter, not_utf8_error
from shared.results import csv_cell, neutralize_formula, scored_rows

MAX_UPLOAD_MB = 10
MAX_ROWS = 20_000
CHUNK_ROWS = 256


def read_uploaded_csv(data: bytes, name: str) -> pd.DataFrame:
    """All cells as strings, columns in file order; DataError when unreadable or too big."""
    if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
        raise DataError(f"{name}: {len(data) / 1e6:.1f} MB is over the {MAX_UPLOAD_MB} MB upload limit")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise not_utf8_error(name, data.split(b"\n")) from None
    if not text.strip():
        raise DataError(f"{name}: the file is empty")
    delimiter = header_delimiter(text.splitlines()[0])
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header, *rows = list(reader)
    except csv.Error as error:
        raise DataError(f"{name}: malformed CSV ({error})") from None
    if len(set(header)) != len(header):
        raise DataError(f"{name}: duplicate column names in the header")
    for number, row in enumerate(rows, start=2):
        if len(row) > len(header):
            raise DataError(f"{name}: row {number} has {len(row)} cells but the header has {len(header)}")
    return _frame(header, [row + [""] * (len(header) - len(row)) for row in rows], name)


def read_uploaded_file(name: str, data: bytes, reader: Callable):
    """`reader(path)` over an upload's bytes, saved for the moment under the upload's own
    name (so that a message names the user's file, not a temporary folder)."""
    import tempfile
    from pathlib import Path

    from shared.errors import UserError

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{download_stem(name)}{Path(name).suffix}"
        path.write_bytes(data)
        try:
            return reader(path)
        except UserError as error:
            raise type(error)(str(error).replace(str(path), name)) from None


def download_stem(upload_name: str) -> str:
    """A harmless file name stem from a user's upload name: no folders, no odd characters."""
    stem = PurePath(upload_name.replace("\\", "/")).name.rsplit(".", 1)[0]
    return re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "upload"


def pasted_lines(text: str) -> pd.DataFrame:
    """One text per non-empty pasted line, in a `text` column."""
    return _frame(["text"], [[line] for line in text.splitlines() if line.strip()], "pasted text")


def _frame(header: list[str], rows: list[list[str]], name: str) -> pd.DataFrame:
    if not rows:
        raise DataError(f"{name}: no rows to score")
    if len(rows) > MAX_ROWS:
        raise DataError(f"{name}: {len(rows):,} rows is over the {MAX_ROWS:,}-row limit; split the file")
    return pd.DataFrame(rows, columns=header, dtype=str)


def blank_texts(frame: pd.DataFrame, text_col: str) -> int:
    """How many rows of `frame` have a blank text (kept; apps that cannot score one
    leave its results empty)."""
    return sum(not str(value).strip() for value in frame[text_col].fillna(""))


def score_frame(
    frame: pd.DataFrame,
    text_col: str,
    models: list[tuple[object, object]],
    on_progress: Callable[[float], None] | None = None,
) -> pd.DataFrame:
    """`frame` with each (task, API) pair's result fields appended after its own columns,
    same rows in the same order. Blank texts get empty results, as in the CLI."""
    texts = [str(value) for value in frame[text_col].fillna("")]
    scored = frame.copy()
    total, done = len(texts) * len(models), 0
    for task, api in models:
        fields = task.result_fields(api)
        values: dict[str, list[str]] = {name: [] for name in fields}
        rows = ((number, {}, text) for number, text in enumerate(texts, start=2))
        for _, result in scored_rows(task, api, rows, strict=False, source="upload", chunk_rows=CHUNK_ROWS):
            for name in fields:
                values[name].append(csv_cell(result[name], keep_formulas=True) if result else "")
            done += 1
            if on_progress is not None and (done % CHUNK_ROWS == 0 or done == total):
                on_progress(done / total)
        for name in fields:
            column = name
            while column in scored.columns:
                column = f"{column}_"
            scored[column] = values[name]
    return scored


def safe_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV of `frame` with formula-like cells and headers (=, +, -, @ ...) neutralised,
    by the same rule as the predict CLIs (`shared.results`)."""
    safe = frame.map(neutralize_formula).rename(columns=neutralize_formula)
    return safe.to_csv(index=False).encode("utf-8")
