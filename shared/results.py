"""Scored rows out: blank texts left unscored (or refused), CSV cells made spreadsheet-safe.

One rule for every app and for both the CLI and the UI: a text cell that a
spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage
return) gets a leading apostrophe; headers too. Pipelines that read the CSV as data
can opt out (`--keep-formulas`).
"""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass

from shared.errors import DataError
from shared.inputs import Row

CHUNK_ROWS = 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_formula(value):
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_cell(value, *, keep_formulas: bool = False) -> str:
    """One CSV cell: None empty, floats with 6 decimals, lists and dicts as JSON, and
    formula-like text neutralised unless `keep_formulas`."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6f}"
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    value = str(value)
    return value if keep_formulas else neutralize_formula(value)


def scored_rows(task, api, rows: Iterator[Row], *, strict: bool, source: str, chunk_rows: int = CHUNK_ROWS):
    """(row, result fields) for each row in order, scored in chunks.

    A blank text that the task cannot score (`Task.scores_blank_texts`) gets None,
    or with `strict` a DataError naming its row.
    """

    def scorable(text: str) -> bool:
        return task.scores_blank_texts or bool(text.strip())

    while chunk := list(itertools.islice(rows, chunk_rows)):
        filled = [text for _, _, text in chunk if scorable(text)]
        if strict and len(filled) < len(chunk):
            number = next(number for number, _, text in chunk if not scorable(text))
            raise DataError(f"{source}: row {number}: empty text")
        results = iter(task.results(api, filled) if filled else [])
        for _, row, text in chunk:
            yield row, (next(results) if scorable(text) else None)


def blank_note(blank: int) -> str:
    """What a summary line adds about blank texts (nothing when there were none)."""
    return f" ({blank} blank {'text' if blank == 1 else 'texts'} left unscored)" if blank else ""


@dataclass(frozen=True)
class WriteSummary:
    rows: int
    blank: int

    def describe(self, where: str) -> str:
        return f"Wrote {self.rows} rows to {where}{blank_note(self.blank)}"


def write_scored(
    task,
    api,
    columns: list[str],
    rows: Iterator[Row],
    out,
    *,
    output_format: str,
    strict: bool = False,
    keep_formulas: bool = False,
    source: str = "input",
) -> WriteSummary:
    """Score `rows` with `task`'s API and write them to the text stream `out`.

    CSV: the input `columns`, then the task's result fields (empty for a blank text).
    JSONL: each input row's object plus the result fields (null for a blank text).
    """
    fields = task.result_fields(api)
    count = blank = 0
    if output_format == "csv":
        writer = csv.writer(out)
        writer.writerow([csv_cell(name, keep_formulas=keep_formulas) for name in columns + fields])
    for row, result in scored_rows(task, api, rows, strict=strict, source=source):
        count += 1
        if result is None:
            blank += 1
            result = dict.fromkeys(fields)
        if output_format == "csv":
            values = [row.get(column, "") for column in columns] + [result[name] for name in fields]
            writer.writerow([csv_cell(value, keep_formulas=keep_formulas) for value in values])
        else:
            out.write(json.dumps({**row, **result}, ensure_ascii=False) + "\n")
    return WriteSummary(count, blank)
