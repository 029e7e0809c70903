"""Deprecated: `lm.inference` (see `shared.deprecation`)."""

from shared.deprecation import moved_names

__getattr__ = moved_names(
    __name__,
    dict.fromkeys(
        ("chunk_scorer", "row_bits", "stream_bits", "sampler", "choose_next", "CHUNK", "STREAMS"), "lm.inference"
    ),
)
