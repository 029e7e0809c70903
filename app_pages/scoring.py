"""Batch scoring for the Batch page: read an upload, score it with the apps' APIs, and
write a CSV that spreadsheets open safely. Pure functions, tested without a browser."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import asdict
from pathlib import PurePath

import pandas as pd

from shared.errors import DataError
from shared.inputs import header_delimiter, neutralize_formula, not_utf8_error

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


def score_frame(
    frame: pd.DataFrame,
    text_col: str,
    classifier=None,
    tagger=None,
    on_progress: Callable[[float], None] | None = None,
) -> pd.DataFrame:
    """`frame` with the apps' results appended after its own columns, same rows in the same
    order. Empty texts get empty results."""
    texts = [str(value) for value in frame[text_col].fillna("")]
    results: dict[str, list] = {}
    if classifier is not None:
        results = {"sentiment": [""] * len(texts), **{f"p_{label}": [""] * len(texts) for label in classifier.labels}}
    if tagger is not None:
        results["entities"] = ["[]"] * len(texts)
    filled = [index for index, text in enumerate(texts) if text.strip()]
    for start in range(0, len(filled), CHUNK_ROWS):
        chunk = filled[start : start + CHUNK_ROWS]
        batch = [texts[index] for index in chunk]
        if classifier is not None:
            for index, prediction in zip(chunk, classifier.predict(batch)):
                results["sentiment"][index] = prediction.label
                for label, probability in prediction.probabilities.items():
                    results[f"p_{label}"][index] = f"{probability:.4f}"
        if tagger is not None:
            for index, entities in zip(chunk, tagger.predict_batch(batch)):
                results["entities"][index] = json.dumps([asdict(e) for e in entities], ensure_ascii=False)
        if on_progress is not None:
            on_progress(min(1.0, (start + len(chunk)) / len(filled)))
    scored = frame.copy()
    for column, values in results.items():
        name = column
        while name in scored.columns:
            name = f"{name}_"
        scored[name] = values
    return scored


def safe_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV of `frame` with formula-like cells (=, +, -, @ ...) neutralised."""
    return frame.map(neutralize_formula).to_csv(index=False).encode("utf-8")
