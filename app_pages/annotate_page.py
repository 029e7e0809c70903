"""Annotate: label your own texts with the model's help. The texts come in the order the
model is least sure of them, its guess pre-filled; each decision is saved at once to
data/annotations/<name>.jsonl (reopening continues where it stopped), and a model can
be retrained with the annotations in the background."""

import hashlib
import html
from collections import Counter
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages.annotation import (
    annotation_path,
    decision,
    entities_from_table,
    free_folder,
    progress,
    queue,
    retrain,
)
from app_pages.common import (
    available_models,
    choose_bundle,
    load_model,
    models_dir,
    plain,
    training_jobs,
    training_progress,
)
from app_pages.scoring import MAX_UPLOAD_MB, download_stem, read_uploaded_csv, read_uploaded_file
from app_pages.spans_view import highlight_html
from rnntext_runtime.ner import Entity
from shared.annotations import append_decision, open_annotations
from shared.errors import DataError, UserError
from shared.selection import rankings
from shared.tasks import apps_with, get_app, title_of

DATA_DIR = Path("data")
UPLOAD = "Upload a file"


def data_files() -> list[Path]:
    """The .csv, .txt and .jsonl files under data/ that are not annotation files."""
    if not DATA_DIR.is_dir():
        return []
    found = [path for suffix in ("csv", "txt", "jsonl") for path in DATA_DIR.rglob(f"*.{suffix}")]
    return sorted(path for path in found if "annotations" not in path.relative_to(DATA_DIR).parts)


def file_rows(name: str, data: bytes, text_col: str) -> list:
    """The rows (`shared.inputs.Row`) of a file's bytes, read as the predict verb reads files."""
    from shared.inputs import read_rows

    return read_uploaded_file(name, data, lambda path: list(read_rows(path, text_col)[1]))


def chosen_file() -> tuple[str, bytes]:
    """(name, bytes) of the file of texts to label; stops the page until there is one.
    A file is known by its bytes (their SHA-256 is recorded with each decision), not
    its name: two files called x.csv are two sources."""
    files = data_files()
    kinds = [UPLOAD, *(str(path) for path in files)]
    choice = st.selectbox("Texts to label", kinds, key="annotate-file", help="a file you upload, or one under data/")
    if choice != UPLOAD:
        return Path(choice).name, Path(choice).read_bytes()
    upload = st.file_uploader(
        "A .csv, .txt (one text a line) or .jsonl file", type=["csv", "txt", "jsonl"], max_upload_size=MAX_UPLOAD_MB,
        key="annotate-upload",
    )  # fmt: skip
    if upload is None:
        st.stop()
    return upload.name, upload.getvalue()


@st.cache_data(show_spinner="Ordering the texts by the model's uncertainty...", max_entries=8)
def cached_queue(task_name: str, bundle: str, rank_by: str, name: str, digest: str, text_col: str, _data) -> list:
    rows = file_rows(name, _data, text_col)
    if not rows:
        raise DataError(f"{name}: no rows to label")
    return queue(load_model(task_name, bundle), task_name, rank_by, rows)


NOTICE = "annotate-notice"


def save(path: Path, record: dict) -> None:
    """A button's callback: append the decision on the row the button was shown with
    (a click in a tab that is behind never labels a row its user did not see)."""
    try:
        if not append_decision(path, record):
            st.session_state[NOTICE] = f"Another tab labelled row {record['row']} first; here is the next one."
    except UserError as error:
        st.session_state[NOTICE] = str(error)


def label_item(classifier, item: dict, path: Path, source: dict, model: str, task_name: str) -> None:
    """One text's class: a button per label (the model's guess highlighted) and Skip."""
    guess = item["guess"]["label"]
    st.caption(f"Row {item['row']} · the model says **{guess}** ({item['guess']['confidence']:.0%})")
    columns = st.columns(len(classifier.labels) + 1)
    for index, (column, label) in enumerate(zip(columns, classifier.labels), start=1):
        kind = "primary" if label == guess else "secondary"
        column.button(
            f"{label} ({index})",
            key=f"annotate-{label}",
            type=kind,
            shortcut=str(index),
            on_click=save,
            args=(path, decision(item, source, model, label, task_name=task_name)),
        )
    columns[-1].button(
        "Skip (s)",
        key="annotate-skip",
        shortcut="s",
        on_click=save,
        args=(path, decision(item, source, model, None, skipped=True, task_name=task_name)),
    )


def spans_item(tagger, item: dict, path: Path, source: dict, model: str, task_name: str) -> None:
    """One text's entities: a table of (type, first token, last token) that starts from the
    model's guess, the spans highlighted as edited, Save and Skip."""
    text, tokens = item["text"], tagger.tokenize(item["text"])
    numbered = " ".join(f"{html.escape(t.text)}<sub>{i}</sub>" for i, t in enumerate(tokens, start=1))
    st.html(f"<p>Row {item['row']}, its tokens numbered: {numbered}</p>")
    rows = []
    for entity in item["guess"]:
        first = next(i for i, t in enumerate(tokens, start=1) if t.start == entity["start"])
        last = next(i for i, t in enumerate(tokens, start=1) if t.end == entity["end"])
        rows.append({"type": entity["label"], "first": first, "last": last})
    table = st.data_editor(
        pd.DataFrame(rows, columns=["type", "first", "last"]),
        num_rows="dynamic",
        column_config={
            "type": st.column_config.SelectboxColumn("type", options=list(tagger.labels), required=True),
            "first": st.column_config.NumberColumn("first token", min_value=1, max_value=len(tokens), step=1),
            "last": st.column_config.NumberColumn("last token", min_value=1, max_value=len(tokens), step=1),
        },
        key=f"annotate-spans-{source['sha256'][:16]}-{item['row']}",
        hide_index=True,
    )
    try:
        entities = entities_from_table(text, tokens, table, tagger.labels)
    except DataError as error:
        st.error(plain(str(error)))
        entities = None
    if entities is not None:
        shown = [Entity(e["label"], e["text"], e["start"], e["end"], 1.0) for e in entities]
        st.html(highlight_html(text, shown))
    left, right = st.columns(2)
    left.button(
        "Save (Ctrl+Enter)",
        key="annotate-save",
        type="primary",
        shortcut="Ctrl+Enter",
        disabled=entities is None,
        on_click=save,
        args=(path, decision(item, source, model, entities, task_name=task_name)),
    )
    right.button(
        "Skip (Ctrl+Shift+Enter)",
        key="annotate-skip",
        shortcut="Ctrl+Shift+Enter",
        on_click=save,
        args=(path, decision(item, source, model, None, skipped=True, task_name=task_name)),
    )


# How each kind of answer is asked (`shared.capabilities.Annotation.answer_field`).
ANSWER_WIDGETS = {"label": label_item, "entities": spans_item}


def retrain_panel(task_name: str, bundle: Path, path: Path, labelled: int) -> None:
    st.subheader("Retrain with these annotations")
    jobs = training_jobs()
    running = jobs.running()
    if running is not None:
        training_progress(running)
        return
    target = free_folder(models_dir() / f"{bundle.name}-annotated")
    finished = st.session_state.get("annotate-job")
    if finished is not None and (job := jobs.get(Path(finished))) is not None:
        if job.error:
            st.error(plain(f"The retraining failed: {job.error}"))
        elif job.result:
            result = job.result
            better = result["after"] >= result["before"]
            (st.success if better else st.warning)(
                plain(
                    f"Saved {result['out']}: {result['monitor']} {result['before']:.4f} (the old model) -> "
                    f"{result['after']:.4f} (the new one), on the new training's dev split. "
                    f"The pages keep using {Path(result['old']).name} until you choose the new one."
                )
            )
            st.button(
                f"Use {Path(result['out']).name} on every page",
                key="annotate-use-new",
                on_click=choose_bundle,
                args=(task_name, Path(result["out"]).name),
            )
    with_base = st.radio(
        "Train on",
        [True, False],
        format_func=lambda base: (
            "the model's own training data plus the annotations" if base else "the annotations alone"
        ),
        key="annotate-base",
    )
    if st.button(f"Retrain into {target}", key="annotate-retrain", disabled=labelled < 2):

        def work(on_epoch):
            return retrain(task_name, bundle, path, target, with_base=with_base, on_epoch=on_epoch)

        job = jobs.start(task_name, target, work)
        st.session_state["annotate-job"] = str(target)
        training_progress(job)


st.title("Annotate")
st.caption("Label your own texts; the model asks about the ones it is least sure of first and pre-fills its guess.")
available = {name: entry for name, entry in available_models().items() if name in apps_with("annotation")}
if not available:
    st.info("No trained sentiment or entity model yet: open the Sentiment or Entities page to train one.")
    st.stop()
task_name = st.radio("Task", list(available), format_func=title_of, horizontal=True, key="annotate-task")
entry = available[task_name]
try:
    api = load_model(task_name, str(entry.path))
    name, data = chosen_file()
    text_col = "text"
    if name.lower().endswith(".csv"):
        columns = list(read_uploaded_csv(data, name).columns)
        text_col = st.selectbox(
            "Text column", columns, index=columns.index("text") if "text" in columns else 0, key="annotate-col"
        )
    left, right = st.columns(2)
    file_name = left.text_input(
        "Annotation file (in data/annotations/)", value=download_stem(name), key="annotate-name"
    )
    rank_by = right.radio(
        "Ask first",
        list(rankings(get_app(task_name).annotation)),
        horizontal=True,
        key="annotate-strategy",
        help="the texts the model is least sure of (by its probabilities), or a random order",
    )
    path = annotation_path(file_name)
    digest = hashlib.sha256(data).hexdigest()
    items = cached_queue(task_name, str(entry.path), rank_by, name, digest, text_col, data)
    opened = open_annotations(path, task_name)
except UserError as error:
    st.error(plain(str(error)))
    st.stop()
if (notice := st.session_state.pop(NOTICE, None)) is not None:
    st.toast(plain(notice))
if opened.torn_message:
    st.warning(plain(opened.torn_message))
mine, left_items = progress(items, opened.records)
counts = Counter(get_app(task_name).annotation.summary(record) for record in mine if not record.get("skipped"))
columns = st.columns(3)
columns[0].metric("Done", f"{len(mine):,}")
columns[1].metric("Left", f"{len(left_items):,}")
columns[2].metric("Labelled", f"{sum(counts.values()):,}")
if counts:
    st.caption(plain(" · ".join(f"{label}: {count}" for label, count in sorted(counts.items()))))
st.progress(len(mine) / max(len(mine) + len(left_items), 1))
source = {"name": name, "sha256": digest}
if left_items:
    item = left_items[0]
    st.html(
        f'<div style="font-size: 1.25em; white-space: pre-wrap; padding: 0.5em 0">{html.escape(item["text"])}</div>'
    )
    ANSWER_WIDGETS[get_app(task_name).annotation.answer_field](api, item, path, source, entry.path.name, task_name)
else:
    st.success(plain(f"Every text of {name} is annotated in {path}."))
retrain_panel(task_name, entry.path, path, sum(counts.values()))
