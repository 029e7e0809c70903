"""An exported model's text rules, run in plain Python.

The exporter writes the rules as data (`rules.json`): regular-expression steps already
translated from TensorFlow's RE2 syntax to Python's (character classes spelled out
from the tables of the TensorFlow that trained the model), and TensorFlow's
lowercasing table. So the runtime reads text as the model's own graph does, whatever
Unicode version this Python has.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# absl's ASCII whitespace: what TensorFlow's string split and strip treat as spaces.
ASCII_SPACE = " \t\n\v\f\r"
_ASCII_WORDS = re.compile(f"[^{re.escape(ASCII_SPACE)}]+")
_SIGMA = "\u03a3"


class Lowercase:
    """TensorFlow's UTF-8 lowercasing (ICU's): a code-point table, Greek final sigma by
    context, and the string's end at its first NUL (ICU reads a C string)."""

    def __init__(self, table: dict[str, str]):
        self._table = str.maketrans({key: value for key, value in table.items() if key != _SIGMA})
        self._sigma = _SIGMA in table

    def __call__(self, text: str) -> str:
        text = text.split("\x00", 1)[0]
        if not self._sigma or _SIGMA not in text:
            return text.translate(self._table)
        # Capital sigma lowers to final sigma at a word's end (Unicode's Final_Sigma
        # context, as ICU and Python both apply it): read each one's form off Python's
        # lowercasing of the whole text, the rest from the table.
        pieces = text.split(_SIGMA)
        whole = text.lower()
        result, position = [], 0
        for index, piece in enumerate(pieces):
            result.append(piece.translate(self._table))
            position += len(piece.lower())
            if index < len(pieces) - 1:
                result.append(whole[position])
                position += 1
        return "".join(result)


def compile_steps(steps: Sequence[dict], lowercase: Lowercase) -> Callable[[str], str]:
    """A text -> text function running `steps` (each {"op": "replace", "pattern", "rewrite"},
    {"op": "lower"} or {"op": "strip"}) in order."""
    functions = []
    for step in steps:
        if step["op"] == "replace":
            pattern, rewrite = re.compile(step["pattern"]), step["rewrite"]
            functions.append(lambda text, pattern=pattern, rewrite=rewrite: pattern.sub(rewrite, text))
        elif step["op"] == "lower":
            functions.append(lowercase)
        elif step["op"] == "strip":
            functions.append(lambda text: text.strip(ASCII_SPACE))
        else:
            raise ValueError(f"unknown text step {step['op']!r}")

    def run(text: str) -> str:
        for function in functions:
            text = function(text)
        return text

    return run


def split_whitespace(text: str) -> list[str]:
    """TensorFlow's `tf.strings.split` without a separator: runs of ASCII whitespace."""
    return _ASCII_WORDS.findall(text)


@dataclass(frozen=True)
class Token:
    """A token of a text: `text == original[start:end]`."""

    text: str
    start: int
    end: int


def align(text: str, pieces: Sequence[str]) -> list[Token]:
    """Tokens with offsets: each piece is found in `text` after the previous one."""
    tokens, position = [], 0
    for piece in pieces:
        start = text.find(piece, position)
        if start < 0:
            raise AssertionError(f"token {piece!r} not found in text after offset {position}")
        position = start + len(piece)
        tokens.append(Token(piece, start, position))
    return tokens
