"""A tree model's reading of a text as a Graphviz graph (rendered in the browser by
Streamlit's `graphviz_chart`; no system binary): each node coloured by its label, its
probabilities on hover, the words at the leaves, as the treebank's own live demo shows it."""

from __future__ import annotations

CLASS_COLORS = {"negative": "#d62728", "neutral": "#7f7f7f", "positive": "#2ca02c"}
MARKS = {"negative": "\u2212", "neutral": "0", "positive": "+"}


def dot_string(text: str) -> str:
    """`text` as a DOT quoted string: backslashes and quotes escaped, line breaks as spaces."""
    flat = " ".join(text.split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def tree_dot(tree) -> str:
    """The DOT source of a `sentiment.classifier.TreePrediction`."""
    lines = [
        "digraph tree {",
        '  node [style=filled, fontcolor=white, fontname="sans-serif"];',
        "  edge [arrowhead=none];",
    ]
    for index, node in enumerate(tree.nodes):
        hover = ", ".join(f"{label} {p:.2f}" for label, p in node.probabilities.items())
        color = CLASS_COLORS.get(node.label, "#1f77b4")
        if node.children:
            label, shape = MARKS.get(node.label, node.label), "circle"
        else:
            label, shape = node.text, "box"
        attributes = f"label={dot_string(label)}, shape={shape}, fillcolor={dot_string(color)}"
        lines.append(f"  n{index} [{attributes}, tooltip={dot_string(f'{node.text}: {hover}')}];")
        lines += [f"  n{index} -> n{child};" for child in node.children]
    lines.append("}")
    return "\n".join(lines)
