"""Sentiment: classify a review and watch the prediction evolve word by word (a sequence
model) or see the tree it was composed over (a tree model)."""

import altair as alt
import pandas as pd
import streamlit as st

from app_pages.common import model_or_stop, plain
from app_pages.reading_view import class_scale, moved_words_html, steps_chart
from app_pages.tree_view import tree_dot
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
    prediction, read = classifier.predict_with_reading(text)  # its tree, or its steps
except UserError as error:
    st.error(plain(str(error)))
    st.stop()

labels = list(prediction.probabilities)
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
            color=alt.Color("class:N", scale=class_scale(labels), legend=None),
            tooltip=["class", alt.Tooltip("probability:Q", format=".3f")],
        ),
        width="stretch",
    )

if not isinstance(read, list):  # a tree, not a list of steps
    with right:
        st.subheader("The tree the model composed, node by node")
        st.caption("Its own parser's tree; each node coloured by its label (hover for the probabilities).")
        st.graphviz_chart(tree_dot(read), width="stretch")
    nodes = pd.DataFrame([{"phrase": node.text, "label": node.label, **node.probabilities} for node in read.nodes])
    st.dataframe(nodes, hide_index=True, width="stretch")
    st.stop()

with right:
    st.subheader("How the prediction evolves as the network reads")
    st.altair_chart(steps_chart(read, prediction.label, labels), width="stretch")
st.html(moved_words_html(read, prediction.label))
