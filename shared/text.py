"""Text standardization that lives inside saved models (registered with Keras, so a
bundle that uses it loads in safe mode once this module is imported)."""

import keras
import tensorflow as tf

PACKAGE = "rnntext"  # the package name custom layers and functions are registered under


@keras.saving.register_keras_serializable(package=PACKAGE)
def standardize_text(texts):
    """Lowercase, normalise quotes, split off punctuation and clitics (`n't`, `'s`)."""
    # Control characters become spaces first: the UTF-8 lowercasing stops at a NUL.
    texts = tf.strings.regex_replace(texts, r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ")
    texts = tf.strings.lower(texts, encoding="utf-8")
    texts = tf.strings.regex_replace(texts, "[\u2018\u2019\u02bc`]", "'")
    texts = tf.strings.regex_replace(texts, "[\u201c\u201d]", '"')
    texts = tf.strings.regex_replace(texts, r"https?://\S+|www\.\S+", " xxurl ")
    texts = tf.strings.regex_replace(texts, r"n't\b", " n't")
    texts = tf.strings.regex_replace(texts, r"'(s|re|ve|ll|d|m)\b", r" '\1")
    texts = tf.strings.regex_replace(texts, r"([^\pL\pN\s'@#_])", r" \1 ")
    texts = tf.strings.regex_replace(texts, r"[\s\x{00a0}\x{200b}]+", " ")
    return tf.strings.strip(texts)
