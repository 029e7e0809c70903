"""How a sequence model read a text, word by word: its probabilities after each token
(a line chart) and the words that moved its prediction most (escaped HTML)."""

from __future__ import annotations

import html

import altair as alt
import pandas as pd

from app_pages.tree_view import CLASS_COLORS
from sentiment.classifier import largest_moves


def class_scale(labels: list[str]) -> alt.Scale:
    """The classes' colours, as every sentiment chart shows them."""
    return alt.Scale(domain=labels, range=[CLASS_COLORS.get(label, "#1f77b4") for label in labels])


def steps_chart(steps, label: str, labels: list[str]):
    """Each class's probability after each token read; the tokens that moved `label` most marked."""
    moves = largest_moves(steps, label)
    rows = [
        {"step": s.index + 1, "token": s.token, "class": name, "probability": s.probabilities[name]}
        for s in steps
        for name in labels
    ]
    frame = pd.DataFrame(rows)
    base = alt.Chart(frame).encode(
        x=alt.X("step:Q", title="tokens read", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("probability:Q", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("class:N", scale=class_scale(labels)),
        tooltip=["step", "token", "class", alt.Tooltip("probability:Q", format=".3f")],
    )
    marked = frame[frame["step"].isin([index + 1 for index in moves]) & (frame["class"] == label)]
    points = alt.Chart(marked).mark_point(size=120, filled=True, color="black").encode(x="step:Q", y="probability:Q")
    return base.mark_line(point=True) + points


def moved_words_html(steps, label: str) -> str:
    """The text's tokens, the ones that moved P(`label`) most in green (up) or red (down);
    every word escaped (for st.html: the user's words are never read as Markdown)."""
    moves = largest_moves(steps, label)
    pieces = []
    for step in steps:
        token = html.escape(step.token)
        if step.index in moves:
            change = moves[step.index]
            color = "#c8f7c5" if change > 0 else "#f7c5c5"
            title = html.escape(f"P({label}) {change:+.2f}")
            pieces.append(f'<span title="{title}" style="background: {color}; padding: 0 0.2em; '
                          f'border-radius: 0.2em"><b>{token}</b></span>')  # fmt: skip
        else:
            pieces.append(token)
    return f"<p>Words that moved P({html.escape(label)}) most (green up, red down): {' '.join(pieces)}</p>"
