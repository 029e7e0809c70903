"""rnntext: explore the sentiment classifier and the entity tagger in the browser.

Run with `streamlit run streamlit_app.py` (or `make start`, which trains the default
models first when there are none).
"""

import streamlit as st

import shared  # noqa: F401  (quiets TensorFlow's start-up logging before it is imported)

st.set_page_config(page_title="rnntext", layout="wide")
pages = [
    st.Page("app_pages/sentiment.py", title="Sentiment", icon=":material/chat:", default=True),
    st.Page("app_pages/entities.py", title="Entities", icon=":material/label:"),
    st.Page("app_pages/batch.py", title="Batch", icon=":material/table_view:"),
    st.Page("app_pages/models.py", title="Models", icon=":material/monitoring:"),
]
st.navigation(pages).run()
