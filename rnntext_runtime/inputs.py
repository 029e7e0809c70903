"""What the runtime raises, and its check of the texts it is given."""

from __future__ import annotations

from collections.abc import Sequence


class RuntimeModelError(Exception):
    """The folder is not a model this runtime reads."""


class InputError(ValueError):
    """A text the model cannot take (not a string, not valid Unicode, blank)."""


def check_texts(texts: Sequence[str], *, allow_empty: bool = False) -> list[str]:
    """`texts` as a list, or an InputError naming the first bad one (as the Python API's DataError)."""
    checked = list(texts)
    for index, text in enumerate(checked):
        if not isinstance(text, str):
            raise InputError(f"text {index}: expected a string, got {type(text).__name__}")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise InputError(f"text {index}: not valid Unicode (character {error.start})") from None
        if not allow_empty and not text.strip():
            raise InputError(f"text {index}: empty text")
    return checked
