"""A sequence model's numeric core as ONNX (token ids -> class probabilities) and the
rules that turn text into those ids, for `export --format onnx` and `rnntext_runtime`."""

from __future__ import annotations

import numpy as np

from sentiment.sequence.model import CLASSIFIER, VECTORIZER, MaskedPooling
from shared import onnx_graph as g
from shared.errors import UnsupportedError
from shared.layers import CALIBRATION
from shared.text import STANDARDIZE, standardize_text
from shared.text_rules import steps_for_runtime

RECURRENT = ("LSTM", "GRU", "SimpleRNN", "Bidirectional")


def _pooling(builder: g.GraphBuilder, layer: MaskedPooling, x: str, keep: str) -> str:
    """MaskedPooling over a time-major [time, batch, units] input; `keep` [batch, time]."""
    keep = builder.op("Unsqueeze", [builder.op("Transpose", [keep], perm=[1, 0]), builder.constant(np.array([2]))])
    if layer.mode == "mean":
        total = builder.op("ReduceSum", [builder.op("Mul", [x, keep]), builder.constant(np.array([0]))], keepdims=0)
        count = builder.op("ReduceSum", [keep, builder.constant(np.array([0]))], keepdims=0)
        return builder.op("Div", [total, builder.op("Max", [count, builder.constant(np.array(1.0, dtype="float32"))])])
    # Masked steps sink far below any output; a row with no step kept pools to 0, as in Keras.
    sunk = builder.op("Sub", [keep, builder.constant(np.array(1.0, dtype="float32"))])
    shifted = builder.op("Add", [x, builder.op("Mul", [sunk, builder.constant(np.array(1e30, dtype="float32"))])])
    pooled = builder.op("ReduceMax", [shifted], axes=[0], keepdims=0)
    any_kept = builder.op("ReduceMax", [keep], axes=[0], keepdims=0)
    return builder.op("Mul", [pooled, any_kept])


def _temperature(builder: g.GraphBuilder, probabilities: str, temperature: float) -> str:
    """`shared.layers.Temperature`: softmax(log(max(p, EPSILON)) / T)."""
    from shared.calibration import EPSILON

    floor = builder.op("Max", [probabilities, builder.constant(np.array(EPSILON, dtype="float32"))])
    logits = builder.op("Div", [builder.op("Log", [floor]), builder.constant(np.array(temperature, dtype="float32"))])
    return builder.op("Softmax", [logits], axis=-1)


def core_graph(classifier, temperature: float | None):
    """The classifier sub-model (token ids [batch, time] -> probabilities) as an ONNX model."""
    builder = g.GraphBuilder()
    lengths, keep = g.sequence_lengths(builder, "token_ids")
    x, time_major = None, True
    for layer in classifier.layers:
        kind = type(layer).__name__
        if kind in ("InputLayer", "Dropout"):
            continue
        if kind == "Embedding":
            x = g.time_major(builder, g.embedding(builder, layer, "token_ids"))
        elif kind in RECURRENT:
            sequences = (layer.forward_layer if kind == "Bidirectional" else layer).return_sequences
            x, time_major = g.recurrent(builder, layer, x, lengths, sequences=sequences), sequences
        elif isinstance(layer, MaskedPooling) and time_major:
            x, time_major = _pooling(builder, layer, x, keep), False
        elif kind == "Dense" and not time_major:
            x = g.dense(builder, layer, x)
        else:
            raise UnsupportedError(f"layer {layer.name} ({kind}) has no ONNX export")
    if temperature:
        x = _temperature(builder, x, temperature)
    builder.op("Identity", [x], ["probabilities"])
    return builder.model(
        [g.tensor_info("token_ids", "int64", ["batch", "time"])],
        [g.tensor_info("probabilities", "float32", ["batch", classifier.output.shape[-1]])],
        "sentiment",
    )


def portable(api) -> tuple[object, dict]:
    """(the ONNX core, the rules of the runtime) of a sequence `SentimentClassifier`."""
    model = api.model
    vectorizer = model.get_layer(VECTORIZER)
    config = vectorizer.get_config()
    if config["split"] != "whitespace" or config["standardize"] is not standardize_text:
        raise UnsupportedError("this model's text handling (its vectorizer) has no ONNX export")
    temperature = model.get_layer(CALIBRATION).temperature if api.temperature else None
    core = core_graph(model.get_layer(CLASSIFIER), temperature)  # first: refuses a layer it cannot write
    rules = {
        "labels": list(api.labels),
        "standardize": steps_for_runtime(STANDARDIZE),
        "split": "ascii_whitespace",
        "vocabulary": vectorizer.get_vocabulary(),
        "max_length": model.get_layer("truncate").max_length,
    }
    return core, rules
