"""Sentiment: classify a review and watch the prediction evolve word by word (a sequence
model) or see the tree it was composed over (a tree model)."""

import html

import altair as alt
import pandas as pd
import streamlit as st

from app_pages.common import model_or_stop
from app_pages.tree_view import CLASS_COLORS, tree_dot
from sentiment.classifier import largest_moves
from shared.errors import UserError

EXAMPLES = {
    "Mixed": "It isn't a bad film, but the second half drags and the ending never quite comes alive.",
    "Positive": "A gorgeous, witty, seductive movie with a terrific lead performance.",
    "Negative": "The plot is dull, the jokes fall flat and the acting is even worse.",
    "Neutral": "The film runs two hours and was shot in Toronto last spring.",
}

st.title("Sentiment")
classifier = model_or_stop("sentiment")
example = st.selectbox("Example reviews", list(EXAMPLES), key="example")
text = st.text_area("Review", value=EXAMPLES[example], height=120, key="review")

if not text.strip():
    st.warning("Type a review to classify.")
    st.stop()
try:
    if classifier.architecture == "tree":
        tree = classifier.predict_tree(text)
        prediction, steps = classifier.predict(text), None
    else:
        prediction, steps = classifier.predict_with_steps(text)
except UserError as error:
    st.error(str(error))
    st.stop()

labels = list(prediction.probabilities)
scale = alt.Scale(domain=labels, range=[CLASS_COLORS.get(label, "#1f77b4") for label in labels])
left, right = st.columns([1, 2])
with left:
    st.metric("Prediction", prediction.label, f"{prediction.probabilities[prediction.label]:.0%} confident")
    bars = pd.DataFrame({"class": labels, "probability": [prediction.probabilities[label] for label in labels]})
    st.altair_chart(
        alt.Chart(bars)
        .mark_bar()
        .encode(
            x=alt.X("probability:Q", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("class:N", sort=labels),
            color=alt.Color("class:N", scale=scale, legend=None),
            tooltip=["class", alt.Tooltip("probability:Q", format=".3f")],
        ),
        width="stretch",
    )

if steps is None:
    with right:
        st.subheader("The tree the model composed, node by node")
        st.caption("Its own parser's tree; each node coloured by its label (hover for the probabilities).")
        st.graphviz_chart(tree_dot(tree), width="stretch")
    nodes = pd.DataFrame([{"phrase": node.text, "label": node.label, **node.probabilities} for node in tree.nodes])
    st.dataframe(nodes, hide_index=True, width="stretch")
    st.stop()

moves = largest_moves(steps, prediction.label)
with right:
    st.subheader("How the prediction evolves as the network reads")
    rows = [
        {"step": s.index + 1, "token": s.token, "class": label, "probability": s.probabilities[label]}
        for s in steps
        for label in labels
    ]
    frame = pd.DataFrame(rows)
    base = alt.Chart(frame).encode(
        x=alt.X("step:Q", title="tokens read", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("probability:Q", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("class:N", scale=scale),
        tooltip=["step", "token", "class", alt.Tooltip("probability:Q", format=".3f")],
    )
    marked = frame[frame["step"].isin([index + 1 for index in moves]) & (frame["class"] == prediction.label)]
    points = alt.Chart(marked).mark_point(size=120, filled=True, color="black").encode(x="step:Q", y="probability:Q")
    st.altair_chart(base.mark_line(point=True) + points, width="stretch")

pieces = []
for step in steps:
    token = html.escape(step.token)
    if step.index in moves:
        change = moves[step.index]
        color = "#c8f7c5" if change > 0 else "#f7c5c5"
        title = html.escape(f"P({prediction.label}) {change:+.2f}")
        pieces.append(f'<span title="{title}" style="background: {color}; padding: 0 0.2em; border-radius: 0.2em">'
                      f"<b>{token}</b></span>")  # fmt: skip
    else:
        pieces.append(token)
# st.html, not st.markdown: the user's words are never read as Markdown.
st.html(f"<p>Words that moved P({html.escape(prediction.label)}) most (green up, red down): {' '.join(pieces)}</p>")
