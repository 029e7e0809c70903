"""Raw text -> CoNLL-like tokens with character offsets.

One definition of tokenization, written with TensorFlow's RE2 string ops so the
exported SavedModel tokenizes exactly as the Python API does. Punctuation is split
off; `U.S.`, `Mr.`, `Hewlett-Packard`, `AT&T`, `O'Neill`, `3.5`, `1996-08-22`, URLs
and e-mail addresses stay whole; clitics split as in CoNLL (`Germany 's`, `do n't`).
Every token is a contiguous slice of the input, so offsets are found by scanning.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from rnntext_runtime.text import Token, align
from shared.inputs import check_texts
from shared.text_rules import apply_steps

# Control characters count as whitespace; \x1e and \x1f serve as markers below.
_SPACE = r"\s\x00-\x1f\x7f\x{85}\x{a0}\x{1680}\x{2000}-\x{200b}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}"
_WORD_CHAR = r"[\pL\pN\pM]"
_CLITIC = r"(?i:n['’]t|['’](?:s|re|ve|ll|d|m))"
_ABBREVIATIONS = (
    "Mr|Mrs|Ms|Dr|Prof|St|Mt|Ft|Jr|Sr|Inc|Corp|Ltd|Co|Bros|Gen|Gov|Sen|Rep|Lt|Col|Sgt|Capt|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|vs|etc|No"
)
_TOKEN = "|".join(
    (
        rf"(?:https?://|www\.)[^{_SPACE}]+",  # URL
        r"[\pL\pN._%+-]+@[\pL\pN-]+(?:\.[\pL\pN-]+)+",  # e-mail address
        r"(?:\pL\.){2,}(?:-[\pL\pN]+)*",  # U.S., U.S.-led
        rf"(?:{_ABBREVIATIONS})\.",  # Mr., Inc.
        r"\pN+(?:[.,:/-]\pN+)+",  # 3.5, 1,000, 12:30, 1996-08-22
        rf"{_WORD_CHAR}+(?:[-'’&]{_WORD_CHAR}+)*",  # words, Hewlett-Packard, O'Neill, AT&T
        rf"[^{_SPACE}]",  # any other character on its own
    )
)
# Step 1 marks clitics glued to a word: "Germany's" -> "Germany\x1f's\x1e".
_CLITIC_GLUED = rf"({_WORD_CHAR})({_CLITIC})([^\pL\pN\pM]|$)"
# Step 2 ends every token with \x1f; a marked clitic is group 1, other tokens group 2.
_SCAN = rf"({_CLITIC})\x1e|({_TOKEN})|[{_SPACE}]+"
SEPARATOR = "\x1f"
# The text steps (`shared.text_rules`) after which the tokens lie between SEPARATORs.
TOKENIZE = (("replace", _CLITIC_GLUED, "\\1\x1f\\2\x1e\\3"), ("replace", _SCAN, "\\1\\2\x1f"))


def split_tokens(texts):
    """A batch of strings (tf.string, shape [batch]) -> tf.RaggedTensor of tokens."""
    import tensorflow as tf

    pieces = tf.strings.split(apply_steps(texts, TOKENIZE), sep=SEPARATOR)
    return tf.ragged.boolean_mask(pieces, tf.strings.length(pieces) > 0)


@functools.cache
def _compiled_split_tokens():
    """`split_tokens` traced once as a graph (eager string ops cost ~10x more per call)."""
    import tensorflow as tf

    return tf.function(split_tokens, input_signature=[tf.TensorSpec([None], tf.string)])


def tokenize_batch(texts: Sequence[str]) -> list[list[Token]]:
    """Tokens with character offsets for each text."""
    import tensorflow as tf

    texts = check_texts(texts, allow_empty=True)
    if not texts:
        return []
    rows = _compiled_split_tokens()(tf.constant(texts, dtype=tf.string)).to_list()
    return [align(text, [piece.decode("utf-8") for piece in row]) for text, row in zip(texts, rows)]


def tokenize(text: str) -> list[Token]:
    """Tokens of one text with character offsets: `text[t.start:t.end] == t.text`."""
    return tokenize_batch([text])[0]
