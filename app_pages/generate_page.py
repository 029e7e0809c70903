"""Generate: sample text from a language model as it is written, and see the candidates
the model weighed at each step."""

import html

import altair as alt
import pandas as pd
import streamlit as st

from app_pages.common import model_or_stop, plain
from shared.errors import UserError

REFRESH_EVERY = 8  # tokens between updates of the growing text

st.title("Generate")
model = model_or_stop("lm")
words = model.level == "word"
unit = "words" if words else "characters"
left, right = st.columns([2, 1])
with left:
    prime = st.text_area("Prime text (the model continues it)", value="The film ", height=90, key="prime")
with right:
    temperature = st.slider("Temperature", 0.1, 2.0, 0.7, 0.05, key="temperature",
                            help="Lower: safer, more repetitive; higher: more surprising.")  # fmt: skip
    length = st.slider(f"Length ({unit})", 10, 300 if words else 1000, 40 if words else 300, key="length")
    top_k = st.number_input("Top-k (0: every token)", 0, len(model.tokens), 0, key="top-k")
    seed = st.number_input("Seed", 0, 2**31 - 1, 0, key="seed", help="The same seed gives the same text.")


def shaded(prime: str, steps) -> str:
    """The prime, then each sampled token shaded by how unlikely it was (darker: more surprising)."""
    spans = [f"<span style='color: #666'>{html.escape(prime)}</span>"]
    before = prime
    for step in steps:
        apart = words and step.token != "\n" and before and not before[-1].isspace()
        token = before = f" {step.token}" if apart else step.token  # words apart, as the model joins them
        shade = int(255 - 120 * (1 - step.probability))
        title = html.escape(f"step {step.index + 1}: p = {step.probability:.3f}")
        spans.append(
            f"<span title='{title}' style='background: rgb(255, {shade}, {shade})'>{html.escape(token)}</span>"
        )
    return "<div style='white-space: pre-wrap; font-family: monospace; line-height: 1.6'>" + "".join(spans) + "</div>"


settings = (prime, temperature, length, int(top_k), int(seed), str(model.path))
if (
    st.button("Generate", type="primary", key="generate")
    or st.session_state.get("sample", {}).get("settings") != settings
):
    steps, output = [], st.empty()
    try:
        for step in model.generate(prime, length=length, temperature=temperature, top_k=int(top_k), seed=int(seed)):
            steps.append(step)
            if len(steps) % REFRESH_EVERY == 0:
                output.html(shaded(prime, steps))  # st.html: neither the prime nor the sample is read as Markdown
    except UserError as error:
        output.empty()
        st.error(plain(str(error)))
        st.stop()
    st.session_state["sample"] = {"settings": settings, "steps": steps}
    output.html(shaded(prime, steps))
else:
    steps = st.session_state["sample"]["steps"]
    st.html(shaded(prime, steps))
st.caption("Shading: the darker a token, the less likely the model found it when it was drawn.")

st.subheader("What the model weighed at each step")
rows = [
    {"step": s.index + 1, "candidate": repr(token)[1:-1], "probability": p, "chosen": token == s.token}
    for s in steps
    for token, p in s.candidates.items()
]
frame = pd.DataFrame(rows)
st.altair_chart(
    alt.Chart(frame)
    .mark_circle()
    .encode(
        x=alt.X("step:Q", title=f"{unit} generated"),
        y=alt.Y("probability:Q", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("chosen:N", scale=alt.Scale(domain=[True, False], range=["#d62728", "#9ecae1"])),
        size=alt.Size("probability:Q", legend=None),
        tooltip=["step", "candidate", alt.Tooltip("probability:Q", format=".3f"), "chosen"],
    ),
    width="stretch",
)
index = st.slider("Step", 1, len(steps), 1, key="step") - 1 if len(steps) > 1 else 0
step = steps[index]
drawn = html.escape(repr(step.token))
st.html(f"<p>Step {index + 1}: drew <code>{drawn}</code> with probability {step.probability:.3f}. Top candidates:</p>")
bars = pd.DataFrame(
    {"candidate": [repr(t)[1:-1] for t in step.candidates], "probability": list(step.candidates.values())}
)
st.altair_chart(
    alt.Chart(bars)
    .mark_bar()
    .encode(
        x=alt.X("probability:Q", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("candidate:N", sort=None),
        tooltip=["candidate", alt.Tooltip("probability:Q", format=".3f")],
    ),
    width="stretch",
)
