"""Entities: tag a text and see its entities highlighted inline, with a table."""

import pandas as pd
import streamlit as st

from app_pages.common import model_or_stop, plain
from app_pages.spans_view import highlight_html
from shared.errors import UserError

EXAMPLE = (
    "Angela Merkel met Emmanuel Macron in Paris on Monday, while shares of Volkswagen "
    "fell 3% in Frankfurt after the U.S. Department of Justice opened an inquiry."
)

st.title("Entities")
tagger = model_or_stop("ner")
text = st.text_area("Text", value=EXAMPLE, height=120, key="text")
if not text.strip():
    st.warning("Type a text to tag.")
    st.stop()
try:
    entities = tagger.predict(text)
except UserError as error:
    st.error(plain(str(error)))
    st.stop()

# st.html, not st.markdown: after a blank line in the user's text Markdown would read
# the rest as Markdown (live links, images fetched from outside).
st.html(highlight_html(text, entities))
if entities:
    table = pd.DataFrame(
        [{"label": e.label, "text": e.text, "start": e.start, "end": e.end, "confidence": e.score} for e in entities]
    )
    st.dataframe(table, hide_index=True, width="stretch")
else:
    st.caption("No entities found.")
st.caption(f"Labels: {', '.join(tagger.labels)}")
