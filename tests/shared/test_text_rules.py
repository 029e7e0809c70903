"""The runtime's Python text rules read text exactly as the model's TensorFlow graph does."""

import json
import random
import re

import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from ner.model import CASING_RULES, WORD_KEY, casing_ids, normalize_words
from ner.tokenizer import SEPARATOR, TOKENIZE, split_tokens
from rnntext_runtime.text import Lowercase, compile_steps, split_whitespace
from shared.text import STANDARDIZE, standardize_text
from shared.text_rules import python_pattern, steps_for_runtime, unicode_tables
from tests.conftest import FIXTURES

TORTURE = json.loads((FIXTURES / "unicode_torture.json").read_text())
# Characters the rules treat specially, for random texts that hit them often.
PICKY = list(
    "aAbZ sS'\u2019`\u02bcnNtT.,-:/@#_&%+0123456789\t\n\x0b\x0c\r\x00\x1e\x1f\x85\xa0\u200b\u2003\u3000"
    "\u03a3\u03c3\u03c2\u039f\u0130\u0131\u017f\u212a\u00c5\u0301\U0001f44d\u00df\u201c\u201d"
) + ["n't", "'s", "http://x.y/z", "www.a.b", "U.S.", "Mr.", "don't", "\u039f\u0394\u039f\u03a3", "1,000", "a@b.cd"]


@pytest.fixture(scope="module")
def rules():
    tables = unicode_tables()
    lowercase = Lowercase(tables["lowercase"])
    return {
        name: compile_steps(steps_for_runtime(steps), lowercase)
        for name, steps in (("standardize", STANDARDIZE), ("tokenize", TOKENIZE), ("word_key", WORD_KEY))
    } | {"casing": [(re.compile(python_pattern(p)), i) for p, i in CASING_RULES]}


def random_texts(count: int, seed: int) -> list[str]:
    """Texts of the picky characters mixed with code points drawn from all of Unicode."""
    rng = random.Random(seed)
    texts = []
    while len(texts) < count:
        text = "".join(rng.choice(PICKY) for _ in range(rng.randint(0, 24)))
        text += "".join(chr(rng.randint(1, 0x10FFFF)) for _ in range(rng.randint(0, 6)))
        if not any(0xD800 <= ord(char) < 0xE000 for char in text):
            texts.append(text)
    return texts


def tensorflow_strings(tensor) -> list:
    values = tensor.to_list() if isinstance(tensor, tf.RaggedTensor) else tensor.numpy().tolist()
    decode = lambda value: value.decode("utf-8") if isinstance(value, bytes) else [decode(v) for v in value]  # noqa: E731
    return [decode(value) for value in values]


def python_tokens(rules, text: str) -> list[str]:
    return [piece for piece in rules["tokenize"](text).split(SEPARATOR) if piece]


def python_casing(rules, token: str) -> int:
    return next((index for pattern, index in rules["casing"] if pattern.fullmatch(token)), 8)


def check_same(rules, texts: list[str]) -> None:
    standardized = tensorflow_strings(standardize_text(tf.constant(texts)))
    assert [rules["standardize"](text) for text in texts] == standardized
    words = tensorflow_strings(tf.strings.split(tf.constant(standardized)))
    assert [split_whitespace(text) for text in standardized] == words
    tokens = tensorflow_strings(split_tokens(tf.constant(texts)))
    assert [python_tokens(rules, text) for text in texts] == tokens
    flat = [token for row in tokens for token in row] + texts
    assert [rules["word_key"](token) for token in flat] == tensorflow_strings(normalize_words(tf.constant(flat)))
    assert [python_casing(rules, token) for token in flat] == casing_ids(tf.constant(flat)).numpy().tolist()


def test_the_torture_set_reads_the_same(rules):
    check_same(rules, TORTURE)


def test_ten_thousand_random_texts_read_the_same(rules):
    check_same(rules, random_texts(10_000, seed=0))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(PICKY) | st.characters(exclude_categories=["Cs"]), max_size=30).map("".join),
        min_size=1,
    )
)
def test_any_texts_read_the_same(rules, texts):
    check_same(rules, texts)


def test_lowercasing_is_tensorflows_table_with_final_sigma_and_the_end_at_nul():
    lowercase = Lowercase(unicode_tables()["lowercase"])
    assert lowercase("\u039f\u0394\u039f\u03a3 \u03a3\u039f") == "\u03bf\u03b4\u03bf\u03c2 \u03c3\u03bf"
    assert lowercase("AB\x00CD") == "ab"
    # Vithkuqi capitals (Unicode 14): Python 3.11 lowercases them, this TensorFlow does not.
    assert lowercase("\U00010570") == "\U00010570" != "\U00010570".lower()


@pytest.mark.parametrize(
    ("pattern", "python"),
    [
        (r"a\sb", "a[\t\n\f\r ]b"),
        (r"[^\s']", "[^\t\n\f\r ']"),
        (r"x$", r"x\Z"),
        (r"\x{00a0}\x1e", r"\U000000a0\U0000001e"),
        (r"[\]a]", r"[\]a]"),
    ],
)
def test_re2_syntax_becomes_pythons(pattern, python):
    assert python_pattern(pattern, {}) == python


def test_re2s_word_boundary_is_ascii():
    boundary = re.compile(python_pattern(r"n't\b", {}))
    assert boundary.search("don't!") and boundary.search("don't") and not boundary.search("don'ta")
    assert boundary.search("don'té")  # é is no word character to RE2


def test_unknown_re2_syntax_is_refused():
    with pytest.raises(ValueError, match=r"no translation for \\d"):
        python_pattern(r"\d+", {})


def test_re2_rewrites_become_python_templates():
    from shared.text_rules import python_rewrite

    assert re.sub("(a)(b)", python_rewrite(r"\2\1\\"), "ab") == "ba\\"
    assert re.sub("(a)", python_rewrite(r"\10"), "a") == "a0"  # RE2's \1 then 0; Python's \10 is group 10
