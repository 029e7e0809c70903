"""A tagger's numeric core as ONNX (word, casing and character ids -> tag scores, and the
CRF's transition scores) and the rules that turn text into those ids, for
`export --format onnx` and `rnntext_runtime`."""

from __future__ import annotations

import numpy as np

from ner.model import CASING_RULES, CASINGS, CONTEXT, WINDOW, WORD_KEY
from ner.tokenizer import SEPARATOR, TOKENIZE
from shared import onnx_graph as g
from shared.errors import UnsupportedError
from shared.text_rules import python_pattern, steps_for_runtime


def _char_cnn(builder: g.GraphBuilder, layer, char_ids: str) -> str:
    """`shared.layers.CharCNN` on distinct tokens: char ids [tokens, chars] -> features [tokens, filters]."""
    keep = builder.op(
        "Unsqueeze", [builder.op("Greater", [char_ids, builder.constant(np.array(0))]), builder.constant(np.array([1]))]
    )  # [tokens, 1, chars]
    zero = builder.constant(np.array(0.0, dtype="float32"))
    vectors = builder.op("Transpose", [g.embedding(builder, layer.embedding, char_ids)], perm=[0, 2, 1])
    vectors = builder.op("Where", [keep, vectors, zero])  # [tokens, dim, chars], zero on padding
    kernel, bias = (np.asarray(w, dtype="float32") for w in layer.convolution.get_weights())
    left = (kernel.shape[0] - 1) // 2  # "same" padding as TensorFlow places it: the odd one on the right
    features = builder.op(
        "Conv",
        [vectors, builder.constant(kernel.transpose(2, 1, 0)), builder.constant(bias)],
        pads=[left, kernel.shape[0] - 1 - left],
    )
    features = builder.op("Where", [keep, builder.op("Relu", [features]), zero])
    return builder.op("ReduceMax", [features], axes=[2], keepdims=0)


def core_graph(tagger):
    """The tagger's network (ids -> `emissions` [batch, time, tags]) and its chain
    (`transitions`, `start`, `end`, IOB2 constraints applied) as an ONNX model."""
    names = {layer.name for layer in tagger.layers}
    if names & {"char_lm_forward", "char_lm_backward"}:
        raise UnsupportedError(
            "a tagger with character-LM features (--char-lm) exports as a SavedModel only (no --format onnx)"
        )
    builder = g.GraphBuilder()
    lengths, _ = g.sequence_lengths(builder, "word_ids")
    features = [
        g.embedding(builder, tagger.get_layer("word_embedding"), "word_ids"),
        g.embedding(builder, tagger.get_layer("casing_embedding"), "casing_ids"),
        # Each distinct token's characters go through the CNN once (row 0: the padding token).
        builder.op("Gather", [_char_cnn(builder, tagger.get_layer("char_cnn"), "char_ids"), "token_rows"], axis=0),
    ]
    x = g.time_major(builder, builder.op("Concat", features, axis=-1))
    index = 1
    while f"birnn_{index}" in names:
        x = g.recurrent(builder, tagger.get_layer(f"birnn_{index}"), x, lengths, sequences=True)
        index += 1
    scores = g.dense(builder, tagger.get_layer("tag_scores"), g.time_major(builder, x))
    crf_layer = tagger.get_layer("crf")
    if not crf_layer.learn_transitions:
        scores = builder.op("LogSoftmax", [scores], axis=-1)
    builder.op("Identity", [scores], ["emissions"])
    chain = [np.asarray(value, dtype="float32") for value in crf_layer.chain()]
    for name, value in zip(("transitions", "start", "end"), chain):
        builder.op("Identity", [builder.constant(value)], [name])
    tags = len(crf_layer.tags)
    return builder.model(
        [
            g.tensor_info("word_ids", "int64", ["batch", "time"]),
            g.tensor_info("casing_ids", "int64", ["batch", "time"]),
            g.tensor_info("token_rows", "int64", ["batch", "time"]),
            g.tensor_info("char_ids", "int64", ["tokens", "chars"]),
        ],
        [
            g.tensor_info("emissions", "float32", ["batch", "time", tags]),
            g.tensor_info("transitions", "float32", [tags, tags]),
            g.tensor_info("start", "float32", [tags]),
            g.tensor_info("end", "float32", [tags]),
        ],
        "ner",
    )


def portable(api) -> tuple[object, dict]:
    """(the ONNX core, the rules of the runtime) of an `EntityTagger`."""
    tagger = api.model
    core = core_graph(tagger)  # first: a tagger it cannot write is refused before any other work
    rules = {
        "tags": list(api.tags),
        "tokenize": steps_for_runtime(TOKENIZE),
        "separator": SEPARATOR,
        "word_key": steps_for_runtime(WORD_KEY),
        "words": tagger.get_layer("words").get_vocabulary()[2:],
        "characters": tagger.get_layer("characters").get_vocabulary()[2:],
        "casing": [[python_pattern(pattern), index] for pattern, index in CASING_RULES],
        "casing_other": len(CASINGS) - 1,
        "max_word_chars": tagger.get_layer("split_characters").max_chars,
        "crf": tagger.get_layer("crf").learn_transitions,
        "window": WINDOW,
        "context": CONTEXT,
        "calibration": api.calibration,
    }
    return core, rules
