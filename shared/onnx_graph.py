"""ONNX graphs written from a Keras network's weights, for `export --format onnx`.

Why by hand rather than tf2onnx: tf2onnx turns a Keras LSTM that reads a mask into an
ONNX Loop of single steps (tensorflow-onnx #1871; the masked-LSTM rewrite, PR #2030,
is unmerged), which loses the fused recurrent op that makes single texts fast. Our
networks are short stacks of known layers, so each layer maps onto standard ops here:
Gather, LSTM/GRU/RNN with `sequence_lens` for the right-padded mask, Conv, MatMul.
"""

from __future__ import annotations

import numpy as np

from shared.errors import UnsupportedError

OPSET = 17
FLOAT = "float32"


class GraphBuilder:
    """Nodes and initializers of one ONNX graph, with names made unique."""

    def __init__(self):
        self.nodes, self.initializers, self._count = [], [], 0

    def name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def constant(self, value, hint: str = "const") -> str:
        from onnx import numpy_helper

        name = self.name(hint)
        self.initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, op_type: str, inputs: list[str], outputs: int | list[str] = 1, **attributes) -> str | list[str]:
        """Add a node; returns its output name (or names, when `outputs` is a count > 1 or a list)."""
        from onnx import helper

        names = outputs if isinstance(outputs, list) else [self.name(op_type.lower()) for _ in range(outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, names, **attributes))
        return names if isinstance(outputs, list) or outputs > 1 else names[0]

    def model(self, inputs: list, outputs: list, name: str):
        """The finished ModelProto (checked) with `inputs` and `outputs` as value infos."""
        import onnx
        from onnx import helper

        graph = helper.make_graph(self.nodes, name, inputs, outputs, self.initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="rnntext")
        onnx.checker.check_model(model)
        return model


def tensor_info(name: str, elem_type: str, shape: list):
    """A graph input or output: `elem_type` "int64" or "float32", symbolic dims as strings."""
    from onnx import TensorProto, helper

    kinds = {"int64": TensorProto.INT64, "float32": TensorProto.FLOAT}
    return helper.make_tensor_value_info(name, kinds[elem_type], shape)


def _reorder_gates(matrix: np.ndarray, order: list[int], gates: int) -> np.ndarray:
    """Keras's gate blocks (last axis) in ONNX's order."""
    blocks = np.split(matrix, gates, axis=-1)
    return np.concatenate([blocks[i] for i in order], axis=-1)


# Keras (i, f, c, o) -> ONNX (i, o, f, c); GRU (z, r, h) in both.
_GATES = {"LSTM": (4, [0, 3, 1, 2]), "GRU": (3, [0, 1, 2]), "SimpleRNN": (1, [0])}
_ONNX_OP = {"LSTM": "LSTM", "GRU": "GRU", "SimpleRNN": "RNN"}


def _direction_weights(layer) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One Keras recurrent layer's (W [gates*h, in], R [gates*h, h], B [2*gates*h]) in ONNX layout."""
    kind = type(layer).__name__
    gates, order = _GATES[kind]
    cell = layer.cell
    expected = {"activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True}
    for key, value in expected.items():
        if key in cell.get_config() and cell.get_config()[key] != value:
            raise UnsupportedError(f"layer {layer.name}: {key}={cell.get_config()[key]!r} has no ONNX export")
    if kind == "GRU" and not cell.reset_after:
        raise UnsupportedError(f"layer {layer.name}: a GRU with reset_after=False has no ONNX export")
    kernel, recurrent, bias = (np.asarray(w, dtype=FLOAT) for w in layer.get_weights())
    w = _reorder_gates(kernel, order, gates).T
    r = _reorder_gates(recurrent, order, gates).T
    if kind == "GRU":  # reset_after: bias [2, 3h] = input bias, recurrent bias
        b = np.concatenate([_reorder_gates(bias[0], order, gates), _reorder_gates(bias[1], order, gates)])
    else:
        b = np.concatenate([_reorder_gates(bias, order, gates), np.zeros_like(bias)])
    return w, r, b


def recurrent(builder: GraphBuilder, layer, x: str, lengths: str, *, sequences: bool) -> str:
    """A Keras recurrent layer (LSTM, GRU, SimpleRNN, or Bidirectional over one) on a
    time-major input [time, batch, in]: its outputs [time, batch, units * directions]
    when `sequences`, else its last states [batch, units * directions]."""
    kind = type(layer).__name__
    if kind == "Bidirectional":
        if layer.merge_mode != "concat":
            raise UnsupportedError(f"layer {layer.name}: merge_mode {layer.merge_mode!r} has no ONNX export")
        directions = [layer.forward_layer, layer.backward_layer]
    else:
        directions = [layer]
    inner = type(directions[0]).__name__
    if inner not in _GATES:
        raise UnsupportedError(f"layer {layer.name}: a {inner} has no ONNX export")
    weights = [_direction_weights(direction) for direction in directions]
    units = directions[0].units
    w, r, b = (builder.constant(np.stack(parts)) for parts in zip(*weights))
    attributes = {"hidden_size": units, "direction": "bidirectional" if len(directions) == 2 else "forward"}
    if inner == "GRU":
        attributes["linear_before_reset"] = 1
    if inner == "SimpleRNN":
        attributes["activations"] = ["Tanh"] * len(directions)
    outputs = builder.op(_ONNX_OP[inner], [x, w, r, b, lengths], 2, **attributes)
    y, y_h = outputs[0], outputs[1]  # y [time, dirs, batch, units], y_h [dirs, batch, units]
    if sequences:
        y = builder.op("Transpose", [y], perm=[0, 2, 1, 3])
        return builder.op("Reshape", [y, builder.constant(np.array([0, 0, -1], dtype="int64"))])
    y_h = builder.op("Transpose", [y_h], perm=[1, 0, 2])
    return builder.op("Reshape", [y_h, builder.constant(np.array([0, -1], dtype="int64"))])


def dense(builder: GraphBuilder, layer, x: str) -> str:
    """A Keras Dense layer (its activation: linear or softmax) on the last axis."""
    activation = layer.get_config()["activation"]
    if activation not in ("linear", "softmax"):
        raise UnsupportedError(f"layer {layer.name}: activation {activation!r} has no ONNX export")
    kernel, bias = (np.asarray(w, dtype=FLOAT) for w in layer.get_weights())
    y = builder.op("Add", [builder.op("MatMul", [x, builder.constant(kernel)]), builder.constant(bias)])
    return builder.op("Softmax", [y], axis=-1) if activation == "softmax" else y


def embedding(builder: GraphBuilder, layer, ids: str) -> str:
    """A Keras Embedding layer: rows of its matrix for `ids`."""
    return builder.op("Gather", [builder.constant(np.asarray(layer.get_weights()[0], dtype=FLOAT)), ids], axis=0)


def sequence_lengths(builder: GraphBuilder, ids: str) -> tuple[str, str]:
    """(lengths [batch] int32, keep [batch, time] float) of right-padded ids (0 = padding)."""
    keep = builder.op("Cast", [builder.op("Greater", [ids, builder.constant(np.array(0, dtype="int64"))])], to=1)
    lengths = builder.op("Cast", [builder.op("ReduceSum", [keep, builder.constant(np.array([1]))], keepdims=0)], to=6)
    return lengths, keep


def time_major(builder: GraphBuilder, x: str) -> str:
    return builder.op("Transpose", [x], perm=[1, 0, 2])
