"""Unlabelled text for language models: read in pieces, counted, encoded to token-id files.

A corpus is a set of plain-text files, a column of CSV files, or the texts of a
registered dataset's split. It is read in pieces of about a million characters
that end at a line break or a space, so a file larger than memory (or one line of
100 MB) streams through. Training text is encoded once into a memory-mapped array
of token ids on disk, which the training loop reads window by window.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shared.errors import DataError
from shared.inputs import iter_csv, reading_errors

PIECE_CHARS = 1 << 20
MAX_DEV_TOKENS = 1_000_000
DEV_SHARE = 20  # without a dev corpus, the last 1/DEV_SHARE of the text (at most MAX_DEV_TOKENS) is dev


@dataclass(frozen=True)
class TextCorpus:
    """Text read in pieces: files (plain text, or the `text_col` column of CSV files), or texts in memory.

    Texts in memory and CSV cells are lines of the corpus: each ends with a line break.
    """

    name: str
    files: tuple[Path, ...] = ()
    text_col: str | None = None
    texts: tuple[str, ...] | None = None
    start: int = 0  # the characters [start, stop) of the whole text make the corpus
    stop: int | None = None

    def pieces(self) -> Iterator[str]:
        """The corpus as consecutive pieces of at most about PIECE_CHARS characters."""
        position = 0
        for piece in self._all_pieces():
            begin, end = position, position + len(piece)
            position = end
            if end <= self.start:
                continue
            if self.stop is not None and begin >= self.stop:
                return
            yield piece[max(self.start - begin, 0) : None if self.stop is None else self.stop - begin]

    def _all_pieces(self) -> Iterator[str]:
        if self.texts is not None:
            yield from _join_lines(self.texts)
            return
        for path in self.files:
            if self.text_col is None:
                yield from _file_pieces(path)
            else:
                yield from _join_lines(_csv_cells(path, self.text_col))


@dataclass(frozen=True)
class TextSplits:
    train: TextCorpus
    dev: TextCorpus | None  # None: held out from the end of train
    test: TextCorpus | None


def _join_lines(lines) -> Iterator[str]:
    batch, size = [], 0
    for line in lines:
        batch.append(line.replace("\r\n", "\n").replace("\r", "\n"))
        size += len(line) + 1
        if size >= PIECE_CHARS:
            yield "\n".join(batch) + "\n"
            batch, size = [], 0
    if batch:
        yield "\n".join(batch) + "\n"


def _csv_cells(path: Path, text_col: str) -> Iterator[str]:
    rows = iter_csv(path, [text_col])
    next(rows)
    for row in rows:
        yield row[text_col] or ""


def _file_pieces(path: Path) -> Iterator[str]:
    """A UTF-8 text file in pieces that end at a line break or a space where there is one."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found" if not path.exists() else f"{path}: is a folder, not a file")
    carry = ""
    with reading_errors(path), open(path, encoding="utf-8") as handle:
        while True:
            block = handle.read(PIECE_CHARS)
            if not block:
                break
            if "\x00" in block:
                raise DataError(f"{path}: looks like a binary file (it holds NUL characters), not text")
            text = carry + block
            cut = max(text.rfind("\n"), text.rfind(" ")) + 1
            if cut == 0:  # no break at all in this piece: cut anywhere rather than grow without bound
                cut = len(text)
            yield text[:cut]
            carry = text[cut:]
    if carry:
        yield carry


def token_counts(corpus: TextCorpus, level: str) -> tuple[collections.Counter, int]:
    """(count of every token, number of characters) over the corpus."""
    from lm.model import split_tokens

    counts: collections.Counter = collections.Counter()
    characters = 0
    for piece in corpus.pieces():
        characters += len(piece)
        if level == "char":
            counts.update(piece)
        else:
            counts.update(token.decode("utf-8") for token in split_tokens([piece], level).flat_values.numpy())
    return counts, characters


def choose_vocabulary(counts: collections.Counter, size: int, min_count: int, boundary: str) -> list[str]:
    """The `size` most frequent tokens seen at least `min_count` times (ties by token), the boundary always."""
    kept = sorted((token for token, count in counts.items() if count >= min_count), key=lambda t: (-counts[t], t))
    kept = [token for token in kept if token != boundary][: size - 1]
    return [boundary, *kept]


def id_dtype(id_count: int) -> np.dtype:
    """The smallest unsigned integer type that holds the ids 0 .. id_count - 1 (token id
    files are the largest thing training keeps on disk, so 16 bits where they fit)."""
    return np.dtype(np.uint16 if id_count <= 1 << 16 else np.uint32)


def encode_pieces(pieces, lookup, level: str) -> Iterator[np.ndarray]:
    """Token ids of each piece, in order (as the lookup gives them: 64-bit)."""
    from lm.model import split_tokens

    for piece in pieces:
        yield lookup(split_tokens([piece], level)).flat_values.numpy()


def write_ids(
    path: Path, chunks: Iterator[np.ndarray], total: int, id_count: int, *, reverse: bool = False
) -> np.ndarray:
    """Write `total` ids (each below `id_count`) from `chunks` to a .npy file at `path`
    (last to first with `reverse`), in `id_dtype(id_count)`; returns the file memory-mapped."""
    dtype = id_dtype(id_count)
    ids = np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=(total,))
    position = 0
    for chunk in chunks:
        if position + len(chunk) > total:
            break
        if len(chunk) and not 0 <= chunk.min() <= chunk.max() < id_count:  # a cast would wrap silently
            raise ValueError(f"token ids outside 0..{id_count - 1}: {chunk.min()}..{chunk.max()}")
        chunk = chunk.astype(dtype)
        if reverse:
            ids[total - position - len(chunk) : total - position] = chunk[::-1]
        else:
            ids[position : position + len(chunk)] = chunk
        position += len(chunk)
    if position != total:
        raise DataError("the text changed while it was read; train again on a file that is not being written")
    ids.flush()
    del ids
    return np.load(path, mmap_mode="r")


def dev_size(total: int) -> int:
    """How many tokens at the end of a training text without a dev corpus are held out as dev."""
    return min(max(total // DEV_SHARE, 1), MAX_DEV_TOKENS)


def stream_windows(ids: np.ndarray, streams: int, length: int, offset: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Inputs and next-token targets as `streams` parallel rows, and the number of windows.

    Row r is a contiguous stretch of `ids` starting at `offset + r * row_length`; window w
    of every row is columns [w * length, (w + 1) * length). Views, not copies.
    """
    row_length = (len(ids) - 1 - offset) // streams // length * length
    if row_length < length:
        return ids[:0].reshape(0, 0), ids[:0].reshape(0, 0), 0
    inputs = ids[offset : offset + streams * row_length].reshape(streams, row_length)
    targets = ids[offset + 1 : offset + 1 + streams * row_length].reshape(streams, row_length)
    return inputs, targets, row_length // length
