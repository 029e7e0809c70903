"""rnntext: explore the sentiment classifier, the entity tagger and the language model in the browser.

Run with `streamlit run streamlit_app.py` (or `make start`, which trains the default
models first when there are none).
"""

import streamlit as st

import shared  # noqa: F401  (quiets TensorFlow's start-up logging before it is imported)
from app_pages.common import keep_tensorflow_kernels

keep_tensorflow_kernels()
st.set_page_config(page_title="rnntext", layout="wide")
pages = [
    st.Page("app_pages/sentiment_page.py", title="Sentiment", icon=":material/chat:", default=True),
    st.Page("app_pages/entities_page.py", title="Entities", icon=":material/label:", url_path="entities"),
    st.Page("app_pages/generate_page.py", title="Generate", icon=":material/edit_note:", url_path="generate"),
    st.Page("app_pages/batch_page.py", title="Batch", icon=":material/table_view:", url_path="batch"),
    st.Page("app_pages/models_page.py", title="Models", icon=":material/monitoring:", url_path="models"),
    st.Page("app_pages/errors_page.py", title="Errors", icon=":material/rule:", url_path="errors"),
    st.Page("app_pages/annotate_page.py", title="Annotate", icon=":material/edit:", url_path="annotate"),
]
# Page files end in _page so that none shadows the `sentiment`, `ner` or `lm` package.
st.navigation(pages).run()
