"""PTB-style labelled trees, one per line, as the Stanford Sentiment Treebank writes them:
`(3 (2 The) (4 (3 gorgeous) (2 film)))`, a label on every node, words at the leaves."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from shared.errors import DataError
from shared.inputs import lines

_PTB_UNESCAPE = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "``": '"', "''": '"'}


@dataclass(frozen=True)
class TreeNode:
    """A node of a labelled tree: its label (0-4 as SST writes them; a model's class
    index once read for one), the words it spans, its children (none: a leaf). The one
    tree type: a treebank's trees and the trees a tree model composes over alike."""

    label: int
    tokens: tuple[str, ...]
    children: tuple[TreeNode, ...] = ()


def parse_tree(line: str) -> TreeNode:
    """Parse one PTB-style line such as `(3 (2 The) (4 film))`.

    A leaf's word is everything up to its closing bracket, so a word holding a
    non-breaking space (`8 1\\/2`) stays one token. Escapes are undone.
    """
    node, end = _parse_node(line, _skip_space(line, 0))
    if _skip_space(line, end) != len(line):
        raise ValueError(f"unexpected text after the tree at character {end}")
    return node


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


_LABEL = re.compile(r"\(([0-4]) ")


def _parse_node(text: str, pos: int) -> tuple[TreeNode, int]:
    """The tree that starts at `pos` and where it ends. Iterative, with a stack of the
    open nodes, so no depth of nesting (SST sets none) reaches Python's recursion limit."""
    open_nodes: list[tuple[int, list[TreeNode]]] = []  # (label, children so far)
    while True:
        if pos >= len(text) or text[pos] != "(":
            raise ValueError(f"expected '(' at character {pos}")
        match = _LABEL.match(text, pos)
        if not match:
            raise ValueError(f"expected a label 0-4 at character {pos + 1}")
        label, pos = int(match.group(1)), match.end()
        if pos < len(text) and text[pos] == "(":
            open_nodes.append((label, []))
            continue
        close = text.find(")", pos)
        if close < 0 or not text[pos:close].strip():
            raise ValueError(f"empty or unterminated leaf at character {pos}")
        node, pos = TreeNode(label, (_unescape(text[pos:close]),), ()), close + 1
        while True:  # close every node this one completes
            if not open_nodes:
                return node, pos
            open_nodes[-1][1].append(node)
            pos = _skip_space(text, pos)
            if pos < len(text) and text[pos] == "(":
                break  # the open node's next child
            if pos >= len(text) or text[pos] != ")":
                raise ValueError(f"expected ')' at character {pos}")
            label, children = open_nodes.pop()
            tokens = tuple(token for child in children for token in child.tokens)
            node, pos = TreeNode(label, tokens, tuple(children)), pos + 1


def _unescape(word: str) -> str:
    word = _PTB_UNESCAPE.get(word, word)
    return word.replace("\\/", "/").replace("\\*", "*").replace("\u00a0", " ")


def iter_phrases(node: TreeNode):
    """Yield every labelled subtree of `node`, root first (pre-order, left first)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def post_order(root) -> list:
    """Every node under `root` (anything with `children`), children before their parent,
    left first: the order to build a tree bottom-up without recursion."""
    order, stack = [], [root]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(node.children)
    return order[::-1]


def read_trees(path: str | Path) -> Iterator[TreeNode]:
    """The tree of every non-blank line of `path`; a malformed one is a DataError naming its line."""
    for number, line in lines(path):
        if not line.strip():
            continue
        try:
            yield parse_tree(line)
        except ValueError as error:
            raise DataError(f"{path}: line {number}: malformed tree ({error})") from None
