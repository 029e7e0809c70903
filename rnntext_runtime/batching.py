"""Batches of similar length, as the Python API forms them (a long text's windows, and so
its tags, can depend on which texts share its batch: the runtime batches the same way)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Texts per model call, in the runtime and the Python API alike: the NER windows of a long text
# depend on the width of its batch, so both must form the same batches.
BATCH_SIZE = 256
UNKNOWN = 1  # a lookup's id for what it does not hold (0 is padding)


def length_sorted_batches(lengths, batch_size: int) -> list[np.ndarray]:
    """Index batches, each holding examples of similar length (longest first)."""
    order = np.argsort(-np.asarray(lengths), kind="stable")
    return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]


def padded(rows: Sequence[Sequence[int]]) -> np.ndarray:
    """Right-padded int64 ids [rows, width], at least one step wide."""
    width = max(1, max(len(row) for row in rows))
    result = np.zeros((len(rows), width), dtype="int64")
    for index, row in enumerate(rows):
        result[index, : len(row)] = row
    return result
