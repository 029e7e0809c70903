"""Sentiment data: SST trees, the airline-tweets CSVs and any user CSV, as three classes."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from shared.datasets import locate_dataset
from shared.errors import DataError
from shared.inputs import iter_csv
from shared.treebank import iter_phrases, read_trees

LABELS = ("negative", "neutral", "positive")
MONITOR = "macro_f1"  # the dev measure that model selection and early stopping follow
SST_FIVE_TO_THREE = (0, 0, 1, 2, 2)  # very neg, neg -> negative; neutral; pos, very pos -> positive


@dataclass(frozen=True)
class LabelledTexts:
    """Parallel lists of texts and class indices into LABELS."""

    texts: tuple[str, ...]
    labels: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.texts)


@dataclass(frozen=True)
class LabelledTrees(LabelledTexts):
    """Sentences with their binary trees (`shared.treebank.TreeNode`, a class on every node):
    `texts` are the trees' tokens joined by spaces, `labels` their roots' classes."""

    trees: tuple = ()

    @classmethod
    def of(cls, trees) -> LabelledTrees:
        return cls(tuple(" ".join(tree.tokens) for tree in trees), tuple(tree.label for tree in trees), tuple(trees))


@dataclass(frozen=True)
class Splits:
    train: LabelledTexts
    dev: LabelledTexts
    test: LabelledTexts | None


# ---------------------------------------------------------------- SST trees


def read_sst(path: str | Path, *, phrases: bool = False) -> LabelledTexts:
    """Read an SST file as 3-class examples: every sentence, or every unique labelled phrase."""
    texts: list[str] = []
    labels: list[int] = []
    seen: set[str] = set()
    for root in read_trees(path):
        if not phrases:
            texts.append(" ".join(root.tokens))
            labels.append(SST_FIVE_TO_THREE[root.label])
            continue
        for node in iter_phrases(root):
            text = " ".join(node.tokens)
            if text not in seen:
                seen.add(text)
                texts.append(text)
                labels.append(SST_FIVE_TO_THREE[node.label])
    return LabelledTexts(tuple(texts), tuple(labels))


def read_sst_trees(path: str | Path) -> list:
    """Every tree of an SST file over the app's standardized tokens, each node labelled
    with its 3-class sentiment (`shared.treebank.TreeNode`).

    Raises:
        DataError: a malformed or non-binary tree (naming its line), or no trees at all.
    """
    from sentiment.trees import from_treebank, standardized_pieces
    from shared.inputs import lines
    from shared.treebank import parse_tree

    roots = []
    for number, line in lines(path):
        if line.strip():
            try:
                roots.append((number, parse_tree(line)))
            except ValueError as error:
                raise DataError(f"{path}: line {number}: malformed tree ({error})") from None
    if not roots:
        raise DataError(f"{path}: no trees")

    pieces = standardized_pieces([token for _, root in roots for token in root.tokens])  # a node's tokens: its leaves
    trees = []
    for number, root in roots:
        try:
            tree = from_treebank(root, SST_FIVE_TO_THREE.__getitem__, pieces)
        except ValueError as error:
            raise DataError(f"{path}: line {number}: {error}") from None
        if tree is not None:
            trees.append(tree)
    if not trees:
        raise DataError(f"{path}: no tree has a word the model reads (every leaf is punctuation the tokenizer drops)")
    return trees


# ---------------------------------------------------------------- label maps


def parse_label_map(spec: str | None) -> dict[str, int]:
    """Parse `1-2:negative,3:neutral,4-5:positive` into raw value -> class index.

    Keys are raw label strings or integer ranges `a-b`; values are class names. With
    no spec, the class names themselves (any case) and 0/1/2 are accepted.
    """
    if spec is None or not spec.strip():
        mapping = {name: index for index, name in enumerate(LABELS)}
        mapping.update({str(index): index for index in range(len(LABELS))})
        return mapping
    mapping: dict[str, int] = {}
    for item in spec.split(","):
        key, sep, target = item.strip().rpartition(":")
        target = target.strip().lower()
        if not sep or not key.strip():
            raise DataError(f"label map entry {item.strip()!r} must look like RAW:CLASS or A-B:CLASS")
        if target not in LABELS:
            raise DataError(f"label map entry {item.strip()!r}: class must be one of {', '.join(LABELS)}")
        for raw in _expand_key(key.strip()):
            mapping[raw] = LABELS.index(target)
    return mapping


def _expand_key(key: str) -> list[str]:
    match = re.fullmatch(r"(-?\d+)\s*-\s*(-?\d+)", key)
    if not match:
        return [key.lower()]
    low, high = int(match.group(1)), int(match.group(2))
    if low > high:
        raise DataError(f"label map range {key!r} is empty")
    return [str(value) for value in range(low, high + 1)]


def map_label(raw, mapping: dict[str, int]) -> int | None:
    """Class index for a raw label (`'4'`, `4.0`, `' Positive '`), or None if unmapped."""
    if isinstance(raw, float) and not math.isnan(raw) and raw.is_integer():
        raw = int(raw)
    key = str(raw).strip()
    if re.fullmatch(r"-?\d+\.0+", key):
        key = key.split(".")[0]
    return mapping.get(key.lower(), mapping.get(key))


# ---------------------------------------------------------------- CSV files


def read_labelled_csv(path: str | Path, text_col: str, label_col: str, label_map: dict[str, int]) -> LabelledTexts:
    """Read texts and labels from a CSV; empty texts and unmapped labels are errors."""
    rows = iter_csv(path, [text_col, label_col])
    next(rows)
    texts, labels = [], []
    for number, row in enumerate(rows, start=2):
        text = row.get(text_col) or ""
        if not text.strip():
            raise DataError(f"{path}: row {number}, column {text_col!r}: empty text")
        raw = (row.get(label_col) or "").strip()
        if not raw:
            raise DataError(f"{path}: row {number}, column {label_col!r}: empty label")
        label = map_label(raw, label_map)
        if label is None:
            raise DataError(
                f"{path}: row {number}, column {label_col!r}: unknown label {raw!r} "
                f"(known: {', '.join(sorted(label_map))}; use --label-map)"
            )
        texts.append(text)
        labels.append(label)
    if not texts:
        raise DataError(f"{path}: no data rows")
    return LabelledTexts(tuple(texts), tuple(labels))


# ---------------------------------------------------------------- named datasets

DATASETS = ("sst", "airline-tweets")


def load_named_dataset(name: str, *, phrases: bool = False) -> Splits:
    """Train/dev/test splits of a registered dataset; `phrases` adds SST's subtrees to train."""
    folder = locate_dataset(name)
    if name == "sst":
        return Splits(
            read_sst(folder / "train.txt", phrases=phrases) if phrases else with_trees(folder / "train.txt"),
            with_trees(folder / "dev.txt"),
            with_trees(folder / "test.txt"),
        )
    if name == "airline-tweets":
        mapping = parse_label_map(None)
        return Splits(
            *(
                read_labelled_csv(folder / f"{split}.csv", "text", "label", mapping)
                for split in ("train", "dev", "test")
            )
        )
    raise DataError(f"dataset {name!r} is not a sentiment dataset; choose one of {', '.join(DATASETS)}")


def with_trees(path: Path) -> LabelledTexts:
    """An SST file's sentences as `read_sst` gives them, with their trees (which a tree
    model's evaluation reads: gold trees, every phrase)."""
    data = read_sst(path)
    trees = read_sst_trees(path)
    return LabelledTrees(data.texts, data.labels, tuple(trees)) if len(trees) == len(data) else data


def load_tree_dataset(name: str) -> Splits:
    """Train/dev/test trees of a registered treebank (SST)."""
    if name != "sst":
        raise DataError(f"dataset {name!r} has no trees; a tree model trains on sst")
    folder = locate_dataset(name)
    return Splits(*(LabelledTrees.of(read_sst_trees(folder / f"{split}.txt")) for split in ("train", "dev", "test")))


def holdout_split(data: LabelledTexts, fraction: float, seed: int) -> tuple[LabelledTexts, LabelledTexts]:
    """Split off a stratified `fraction` of `data` (at least one per class when possible)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    labels = np.asarray(data.labels)
    held = []
    for label in np.unique(labels):
        indices = np.flatnonzero(labels == label)
        rng.shuffle(indices)
        count = int(round(len(indices) * fraction))
        held.extend(indices[: max(count, 1) if len(indices) > 1 else 0])
    held_set = set(int(index) for index in held)
    if not held_set or len(held_set) == len(data):
        raise DataError(f"too few rows ({len(data)}) to hold out a dev set; pass --dev-csv")

    def pick(keep: bool) -> LabelledTexts:
        chosen = [i for i in range(len(data)) if (i in held_set) != keep]
        return LabelledTexts(tuple(data.texts[i] for i in chosen), tuple(data.labels[i] for i in chosen))

    return pick(True), pick(False)
