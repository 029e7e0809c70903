"""Batch: score a CSV (or pasted lines) with the sentiment classifier and/or the tagger."""

import streamlit as st

from app_pages.common import available_models, default_trainings_banner, load_model, plain
from app_pages.scoring import (
    MAX_ROWS,
    MAX_UPLOAD_MB,
    blank_texts,
    download_stem,
    pasted_lines,
    read_uploaded_csv,
    safe_csv_bytes,
    score_frame,
)
from shared.errors import UserError
from shared.tasks import get_task, title_of

st.title("Batch")
st.caption(
    f"Up to {MAX_UPLOAD_MB} MB and {MAX_ROWS:,} rows. The download keeps your columns first and every row in order."
)

default_trainings_banner()
available = available_models()
if not available:
    st.info("No trained models yet: open the Sentiment or Entities page to train one.")
    st.stop()

source = st.radio("Input", ["Upload a CSV", "Paste lines"], horizontal=True, key="source")
try:
    if source == "Upload a CSV":
        upload = st.file_uploader("CSV file", type=["csv"], max_upload_size=MAX_UPLOAD_MB, key="upload")
        if upload is None:
            st.stop()
        frame = read_uploaded_csv(upload.getvalue(), upload.name)
        file_name = download_stem(upload.name)
    else:
        pasted = st.text_area("One text per line", height=160, key="pasted")
        if not pasted.strip():
            st.stop()
        frame = pasted_lines(pasted)
        file_name = "pasted"
except UserError as error:
    st.error(plain(str(error)))
    st.stop()

columns = list(frame.columns)
default = columns.index("text") if "text" in columns else 0
text_col = st.selectbox("Text column", columns, index=default, key="text_col")
titles = {name: title_of(name) for name in available}
apps = st.multiselect("Apps", list(titles.values()), default=list(titles.values()), key="apps")
if not apps:
    st.warning("Choose at least one app.")
    st.stop()

if st.button("Score", type="primary", key="score"):
    models = [
        (get_task(name), load_model(name, str(entry.path))) for name, entry in available.items() if titles[name] in apps
    ]
    bar = st.progress(0.0, text=f"Scoring {len(frame):,} rows...")
    try:
        scored = score_frame(
            frame,
            text_col,
            models,
            on_progress=lambda done: bar.progress(done, text=f"Scoring {len(frame):,} rows... {done:.0%}"),
        )
    except UserError as error:
        st.error(plain(str(error)))
        st.stop()
    bar.progress(1.0, text=f"Scored {len(scored):,} rows")
    st.session_state["scored"] = (scored, file_name, blank_texts(frame, text_col))

if "scored" in st.session_state:
    scored, name, blank = st.session_state["scored"]
    if blank:
        texts = "text" if blank == 1 else "texts"
        st.caption(f"{blank:,} blank {texts} kept; an app that cannot score a blank text leaves its results empty.")
    st.dataframe(scored.head(50), hide_index=True, width="stretch")
    st.download_button(
        "Download scored CSV",
        safe_csv_bytes(scored),
        file_name=f"{name}-scored.csv",
        mime="text/csv",
        key="download",
        on_click="ignore",  # a download changes nothing on the page: no rerun (its table was drawn twice meanwhile)
    )
