"""Binary trees as arrays a network composes level by level, many trees at once.

A batch of trees with at most T leaves keeps each tree's node states in 2T slots:
its leaves in slots 0..T-1 (left to right), its composed nodes in slots T..2T-2 (in
post-order: children before parents), and slot 2T-1 as scratch that padding reads and
writes. A node's height is 1 + its taller child's (a leaf's is 0); all nodes of one
height are composed in one step, so a batch takes as many steps as its tallest tree is
high, not one per node:

    left, right   [B, H, W]  the slots of the children of each level's nodes
    slots         [B, H, W]  where each composed node goes (padding: the scratch slot)
    labels        [B, 2T]    each slot's class, -1 where unlabelled or padding
    roots         [B]        each tree's root slot
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from shared.deprecation import moved_names
from shared.treebank import TreeNode

NO_LABEL = -1


def binary_node(label: int, tokens: tuple[str, ...], children: tuple[TreeNode, ...] = ()) -> TreeNode:
    """A node of a tree the model composes over (`shared.treebank.TreeNode`): `label` a
    class index or NO_LABEL, and either no children (a leaf: one token) or two.

    Raises:
        ValueError: another number of children, or a leaf over other than one token.
    """
    if len(children) not in (0, 2):
        raise ValueError(f"a node has {len(children)} children; trees here are binary (0 or 2)")
    if not children and len(tokens) != 1:
        raise ValueError(f"a leaf holds one token, not {len(tokens)}")
    return TreeNode(label, tokens, children)


@dataclass(frozen=True)
class TreeBatch:
    """A batch of trees as arrays (see the module docstring)."""

    tokens: list[tuple[str, ...]]
    left: np.ndarray
    right: np.ndarray
    slots: np.ndarray
    labels: np.ndarray
    roots: np.ndarray

    @property
    def width(self) -> int:
        """T: the most leaves of a tree in the batch."""
        return max(len(tokens) for tokens in self.tokens)


def _walk(tree: TreeNode, leaves: list, composed: list) -> tuple[int, int]:
    """Number `tree`'s nodes (leaves left to right, composed nodes in post-order);
    returns (its id, its height). Ids: ("leaf", i) or ("node", k). Iterative: a tree of
    any depth."""
    from shared.treebank import post_order

    found = {}  # id(node) -> (its id, its height)
    for node in post_order(tree):
        if not node.children:
            leaves.append(node.label)
            found[id(node)] = ("leaf", len(leaves) - 1), 0
            continue
        (left, left_height), (right, right_height) = (found.pop(id(child)) for child in node.children)
        height = 1 + max(left_height, right_height)
        composed.append((left, right, height, node.label))
        found[id(node)] = ("node", len(composed) - 1), height
    return found[id(tree)]


def encode_trees(trees: list[TreeNode]) -> TreeBatch:
    """The arrays of a batch of trees (see the module docstring)."""
    walked = []
    for tree in trees:
        leaves, composed = [], []
        root, height = _walk(tree, leaves, composed)
        walked.append((leaves, composed, root, height))
    width = max(len(leaves) for leaves, *_ in walked)
    scratch = 2 * width - 1
    levels = max(height for *_, height in walked)
    per_level = max(
        (
            sum(1 for *_, h, _ in composed if h == level)
            for _, composed, _, _ in walked
            for level in range(1, levels + 1)
        ),
        default=0,
    )
    shape = (len(trees), levels, max(per_level, 1))
    left, right, slots = (np.full(shape, scratch, np.int32) for _ in range(3))
    labels = np.full((len(trees), 2 * width), NO_LABEL, np.int32)
    roots = np.zeros(len(trees), np.int32)

    def slot(node_id) -> int:
        kind, index = node_id
        return index if kind == "leaf" else width + index

    for row, (leaves, composed, root, _) in enumerate(walked):
        labels[row, : len(leaves)] = leaves
        filled = np.zeros(levels, np.int32)
        for index, (left_id, right_id, height, label) in enumerate(composed):
            column = filled[height - 1]
            filled[height - 1] += 1
            left[row, height - 1, column] = slot(left_id)
            right[row, height - 1, column] = slot(right_id)
            slots[row, height - 1, column] = width + index
            labels[row, width + index] = label
        roots[row] = slot(root)
    return TreeBatch([tree.tokens for tree in trees], left, right, slots, labels, roots)


def standardized_pieces(tokens: list[str]) -> dict[str, tuple[str, ...]]:
    """Each distinct token as the app's standardization splits it (`shared.text`):
    what a leaf of a treebank becomes, so trees and raw text share one tokenization."""
    import tensorflow as tf

    from shared.text import standardize_text

    distinct = sorted(set(tokens))
    if not distinct:
        return {}
    standardized = standardize_text(tf.constant(distinct)).numpy()
    return {token: tuple(text.decode("utf-8").split()) for token, text in zip(distinct, standardized)}


def from_treebank(root, label_of, pieces: dict[str, tuple[str, ...]]) -> TreeNode | None:
    """A treebank node (`shared.treebank.TreeNode`) as a TreeNode over standardized tokens.

    A leaf that standardizes into several pieces becomes a right-branching chain of them,
    each node of the chain with the leaf's label; one that standardizes into nothing is
    dropped (its parent becomes its sibling). A unary node is one span: it keeps its own
    label over its child's structure. A node with more than two children is a ValueError.
    `label_of` maps a treebank label to a class. Built bottom-up without recursion.
    """
    from shared.treebank import post_order

    built: dict[int, TreeNode | None] = {}
    for node in post_order(root):
        if len(node.children) > 2:
            words = " ".join(node.tokens)
            raise ValueError(f"a node with {len(node.children)} children over {words!r}: trees must be binary")
        label = label_of(node.label)
        kept = [tree for tree in (built.pop(id(child)) for child in node.children) if tree is not None]
        if len(node.children) == 1:  # a unary chain: one span, the outer label
            tree = binary_node(label, kept[0].tokens, kept[0].children) if kept else None
        elif not node.children:
            words = pieces[node.tokens[0]]
            tree = binary_node(label, (words[-1],)) if words else None
            for word in reversed(words[:-1]):
                tree = binary_node(label, (word, *tree.tokens), (binary_node(label, (word,)), tree))
        elif len(kept) == 2:
            tree = binary_node(label, kept[0].tokens + kept[1].tokens, tuple(kept))
        else:
            tree = kept[0] if kept else None
        built[id(node)] = tree
    return built[id(root)]


def encode_splits(splits: list[list[tuple[int, int, int]]], lengths: list[int]):
    """The composer's (left, right, slots, roots) for trees given as the (i, j, k) of their
    composed nodes in pre-order (a parser's output): one node per step, in reverse
    pre-order (children before parents), [B, M, 1] for at most M composed nodes.

    Pre-order numbers node m's left subtree from m + 1 and its right one from m + 1 +
    (k - i - 1), so the slots follow from the spans alone.
    """
    width = max(lengths)
    scratch = 2 * width - 1
    steps = max((len(nodes) for nodes in splits), default=0)
    left, right, slots = (np.full((len(splits), max(steps, 1), 1), scratch, np.int32) for _ in range(3))
    roots = np.zeros(len(splits), np.int32)
    for row, nodes in enumerate(splits):
        for m, (i, j, k) in enumerate(nodes):
            step = len(nodes) - 1 - m
            left[row, step, 0] = i if k - i == 1 else width + m + 1
            right[row, step, 0] = k if j - k == 1 else width + m + (k - i)
            slots[row, step, 0] = width + m
        roots[row] = width if nodes else 0
    return left[:, :steps], right[:, :steps], slots[:, :steps], roots


QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "`": "'", "\u201c": '"', "\u201d": '"'})
URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)


def token_offsets(text: str, tokens: list[str]) -> list[tuple[int, int]]:
    """Where each of the standardized `tokens` of `text` is in it: (start, end) character
    offsets, found left to right (standardization lowercases, normalises quotes, splits
    off punctuation and writes a URL as `xxurl`; a token it changed beyond that gets the
    empty span where the search stands)."""
    folded = text.lower().translate(QUOTES)
    aligned = len(folded) == len(text)  # lowercasing kept every offset (it does but for a few scripts)
    spans, position = [], 0
    for token in tokens:
        if token == "xxurl" and (match := URL.search(text, position)):
            spans.append(match.span())
            position = match.end()
            continue
        found = folded.find(token, position)
        if found < 0 or not aligned:
            spans.append((position, position))
            continue
        spans.append((found, found + len(token)))
        position = found + len(token)
    return spans


__getattr__ = moved_names(__name__, {"Tree": "shared.treebank:TreeNode"})  # one tree type; build with binary_node
