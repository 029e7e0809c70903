"""Text rules as data: steps TensorFlow runs inside a model (RE2 patterns), and the same
steps translated for `rnntext_runtime` (Python `re` patterns) when a model is exported.

A step is `("replace", re2_pattern, rewrite)`, `("lower",)` (UTF-8 lowercasing) or
`("strip",)` (ASCII whitespace at both ends).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

Step = tuple[str, ...]

# The Unicode properties the patterns use; their members are read off TensorFlow's RE2.
PROPERTIES = ("L", "N", "M", "Lu", "Ll", "P", "S")
RE2_SPACE = "\t\n\f\r "  # RE2's \s
ASCII_WORD = "0-9A-Za-z_"  # RE2's \w, which its \b is about
_ASCII_BOUNDARY = f"(?:(?<=[{ASCII_WORD}])(?![{ASCII_WORD}])|(?<![{ASCII_WORD}])(?=[{ASCII_WORD}]))"
_ESCAPE = re.compile(r"\\(?:p\{(\w+)\}|p(\w)|x\{([0-9a-fA-F]+)\}|x([0-9a-fA-F]{2})|(.))", re.DOTALL)


def apply_steps(texts, steps: Sequence[Step]):
    """Run `steps` on a tf.string tensor (the model's own text handling)."""
    import tensorflow as tf

    for op, *arguments in steps:
        if op == "replace":
            texts = tf.strings.regex_replace(texts, *arguments)
        elif op == "lower":
            texts = tf.strings.lower(texts, encoding="utf-8")
        elif op == "strip":
            texts = tf.strings.strip(texts)
        else:
            raise ValueError(f"unknown text step {op!r}")
    return texts


def _class_item(low: int, high: int) -> str:
    def char(code: int) -> str:
        return chr(code) if chr(code).isalnum() else f"\\U{code:08x}"

    return char(low) if low == high else f"{char(low)}-{char(high)}"


def _ranges(codes: list[int]) -> str:
    """Code points (ascending) -> the inside of a Python character class."""
    items, start = [], None
    for index, code in enumerate(codes):
        start = code if start is None else start
        if index + 1 == len(codes) or codes[index + 1] != code + 1:
            items.append(_class_item(start, code))
            start = None
    return "".join(items)


@functools.cache
def unicode_tables() -> dict:
    """This TensorFlow's view of Unicode: each property in PROPERTIES as the inside of a
    Python character class, and its UTF-8 lowercasing of each code point it changes."""
    import numpy as np
    import tensorflow as tf

    codes = [code for code in range(0x110000) if not 0xD800 <= code < 0xE000]
    chars = tf.constant([chr(code) for code in codes])
    classes = {}
    for name in PROPERTIES:
        pattern = rf"\p{{{name}}}" if len(name) > 1 else rf"\p{name}"
        found = np.flatnonzero(tf.strings.regex_full_match(chars, pattern).numpy())
        classes[name] = _ranges([codes[i] for i in found])
    lowered = tf.strings.lower(chars, encoding="utf-8").numpy()
    lowercase = {
        chr(code): value.decode("utf-8")
        for code, value in zip(codes, lowered)
        if code != 0 and value.decode("utf-8") != chr(code)
    }
    return {"classes": classes, "lowercase": lowercase}


def python_pattern(pattern: str, classes: dict[str, str] | None = None) -> str:
    """An RE2 pattern of this project as a Python `re` pattern that matches the same:
    Unicode properties spelled out (from `classes`, by default this TensorFlow's tables),
    RE2's ASCII `\\s` and `\\b`, `$` as the text's end. Raises ValueError on RE2 syntax
    it does not translate."""
    out, index, in_class = [], 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            match = _ESCAPE.match(pattern, index)
            long_name, short_name, braced_hex, short_hex, other = match.groups()
            if long_name or short_name:
                classes = unicode_tables()["classes"] if classes is None else classes
                members = classes[long_name or short_name]
                out.append(members if in_class else f"[{members}]")
            elif braced_hex or short_hex:
                out.append(f"\\U{int(braced_hex or short_hex, 16):08x}")
            elif other == "s":
                out.append(RE2_SPACE if in_class else f"[{RE2_SPACE}]")
            elif other == "S" and not in_class:
                out.append(f"[^{RE2_SPACE}]")
            elif other == "b" and not in_class:
                out.append(_ASCII_BOUNDARY)
            elif other.isalnum():
                raise ValueError(f"no translation for \\{other} in {pattern!r}")
            else:
                out.append("\\" + other)
            index = match.end()
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class and out[-1] not in ("[", "[^"):
            in_class = False
        elif char == "^" and in_class and out[-1] == "[":
            out[-1] = "[^"
            index += 1
            continue
        elif char == "$" and not in_class:
            char = r"\Z"
        out.append(char)
        index += 1
    return "".join(out)


def python_rewrite(rewrite: str) -> str:
    """An RE2 rewrite (`\\1`..`\\9`, `\\\\`) as a Python `re.sub` template (`\\g<1>`: Python
    would read `\\12` as group 12)."""
    return re.sub(r"\\(\d|\\)", lambda m: "\\\\" if m[1] == "\\" else f"\\g<{m[1]}>", rewrite)


def steps_for_runtime(steps: Sequence[Step]) -> list[dict]:
    """`steps` as `rnntext_runtime.text.compile_steps` reads them (JSON-ready)."""
    result = []
    for op, *arguments in steps:
        if op == "replace":
            pattern, rewrite = arguments
            result.append(
                {
                    "op": op,
                    "re2": pattern,
                    "pattern": python_pattern(pattern),
                    "rewrite": python_rewrite(rewrite),
                }
            )
        else:
            result.append({"op": op})
    return result
