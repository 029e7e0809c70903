"""Text standardization that lives inside saved models (registered with Keras, so a
bundle that uses it loads in safe mode once this module is imported)."""

import keras

from shared.text_rules import apply_steps

PACKAGE = "rnntext"  # the package name custom layers and functions are registered under

# Lowercase, normalise quotes, split off punctuation and clitics (`n't`, `'s`).
STANDARDIZE = (
    # Control characters become spaces first: the UTF-8 lowercasing stops at a NUL.
    ("replace", r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " "),
    ("lower",),
    ("replace", "[\u2018\u2019\u02bc`]", "'"),
    ("replace", "[\u201c\u201d]", '"'),
    ("replace", r"https?://\S+|www\.\S+", " xxurl "),
    ("replace", r"n't\b", " n't"),
    ("replace", r"'(s|re|ve|ll|d|m)\b", r" '\1"),
    ("replace", r"([^\pL\pN\s'@#_])", r" \1 "),
    ("replace", r"[\s\x{00a0}\x{200b}]+", " "),
    ("strip",),
)


@keras.saving.register_keras_serializable(package=PACKAGE)
def standardize_text(texts):
    """Lowercase, normalise quotes, split off punctuation and clitics (`n't`, `'s`): STANDARDIZE."""
    return apply_steps(texts, STANDARDIZE)
