"""Errors: where a model goes wrong on labelled data (a split of its dataset, or an
uploaded labelled file), for every app with error rows, shown as their view says. Classes
(sentiment): a confusion matrix whose cells list their examples, most confident mistakes
first, each opening with the model's reading of it. Spans (entities): each wrong entity by
kind, with the gold and predicted spans marked on its sentence."""

import argparse
import hashlib
import html

import pandas as pd
import streamlit as st

from app_pages.common import available_models, default_trainings_banner, load_model, plain
from app_pages.reading_view import moved_words_html, steps_chart
from app_pages.scoring import MAX_UPLOAD_MB, download_stem, read_uploaded_csv, read_uploaded_file, safe_csv_bytes
from app_pages.tree_view import tree_dot
from shared.errors import DataError, UserError
from shared.tasks import apps_with, get_app, get_task, title_of

UPLOAD = "an uploaded labelled file"
AGREEMENT_NAMES = {
    "network_only": "only the network right",
    "baseline_only": "only the baseline right",
    "both_wrong": "both wrong",
    "both_right": "both right",
}
SHOWN_SENTENCES = 30
KIND_NAMES = {
    "wrong_type": "wrong type",
    "wrong_boundary": "wrong boundary",
    "missed": "missed",
    "spurious": "spurious",
}


@st.cache_resource(show_spinner="Loading the dataset...")
def registered_split(task_name: str, dataset: str, split: str):
    return getattr(get_task(task_name).load_dataset(dataset), split)


FILE_KINDS = {  # DataFiles.evaluation_format -> what the uploader asks for
    "csv": "a CSV with a text and a label column",
    "conll": "a CoNLL file (token ... tag per line)",
}


def csv_column_options(upload) -> list[str]:
    """The evaluate verb's column options for an uploaded labelled CSV, chosen on the page."""
    columns = list(read_uploaded_csv(upload.getvalue(), upload.name).columns)
    if len(columns) < 2:
        raise DataError(f"{upload.name}: a labelled CSV needs a text and a label column; its header has one")
    left, middle, right = st.columns(3)
    text_default = columns.index("text") if "text" in columns else 0
    text_col = left.selectbox("Text column", columns, index=text_default, key="errors-text-col")
    label_default = columns.index("label") if "label" in columns else min(1, len(columns) - 1)
    label_col = middle.selectbox("Label column", columns, index=label_default, key="errors-label-col")
    spec = right.text_input(
        "Label map (optional)", placeholder="1-2:negative,3:neutral,4-5:positive", key="errors-label-map"
    )
    return ["--text-col", text_col, "--label-col", label_col, *(["--label-map", spec] if spec else [])]


def uploaded_data(files, api, upload):
    """(a key for the cache, the labelled data) of an uploaded file, read as the evaluate
    verb reads its file option (`files`: the app's DataFiles) with the options chosen here."""
    options = csv_column_options(upload) if files.evaluation_format == "csv" else []
    parser = argparse.ArgumentParser(exit_on_error=False)
    files.add_evaluation_arguments(parser.add_mutually_exclusive_group(), parser.add_argument_group())

    def read(path):
        return files.read_evaluation_file(parser.parse_args([files.evaluate_option, str(path), *options]), api)[1]

    digest = hashlib.sha256(upload.getvalue()).hexdigest()
    return ":".join([digest, *options]), read_uploaded_file(upload.name, upload.getvalue(), read)


def labelled_data(app, entry, api):
    """(name, key, data): the labelled data chosen on the page; stops the page until there is some."""
    task = app.task
    dataset = entry.metadata.get("dataset", {}).get("name")
    splits = [f"{dataset} {split}" for split in ("dev", "test")] if dataset in task.datasets else []
    uploads = [UPLOAD] if app.files is not None and app.files.evaluation_format in FILE_KINDS else []
    choice = st.radio("Labelled data", [*splits, *uploads], horizontal=True, key=f"errors-data-{task.name}")
    if choice is None:
        st.stop()
    if choice != UPLOAD:
        name, split = choice.rsplit(" ", 1)
        return choice, choice, registered_split(task.name, name, split)
    kind = FILE_KINDS[app.files.evaluation_format]
    upload = st.file_uploader(f"Labelled file: {kind}", max_upload_size=MAX_UPLOAD_MB, key=f"errors-upload-{task.name}")
    if upload is None:
        st.stop()
    key, data = uploaded_data(app.files, api, upload)
    return download_stem(upload.name), key, data


@st.cache_data(show_spinner="Training the baseline on the model's own training data...", max_entries=4)
def baseline_predictions(task_name: str, bundle: str, key: str, _data) -> list:
    """The app's baseline (`evaluate --baseline`), trained on the bundle's training data,
    on each example of the data `key` names."""
    from shared.training_data import recorded_training_source

    app = get_app(task_name)
    training = recorded_training_source(app, load_model(task_name, bundle)).splits
    return app.baseline.fit(training).predict(_data)


@st.cache_data(show_spinner="Scoring the labelled data...", max_entries=8)
def scored(task_name: str, bundle: str, key: str, _data, _baseline: list | None) -> pd.DataFrame:
    """The rows the app's error view browses (`ErrorRows.scored`) on the data `key` names
    (with "+baseline" in `key` when `_baseline` is given); in the confusion view with
    where the network and the baseline agree."""
    from shared.metrics import agreement_group

    errors = get_app(task_name).errors
    columns, rows = errors.scored(load_model(task_name, bundle), _data, _baseline)
    frame = pd.DataFrame(rows, columns=columns)
    if _baseline is not None and errors.view == "confusion":
        groups = zip(frame["gold"], frame["predicted"], frame["baseline"])
        frame["agreement"] = [agreement_group(*group) for group in groups]
    return frame


def confusion_cells(frame: pd.DataFrame, labels: list[str], cell_key: str) -> tuple[str, str] | None:
    """The confusion matrix as buttons (rows gold, columns predicted); the cell clicked
    last (kept in the session under `cell_key`)."""
    chosen = st.session_state.get(cell_key)
    counts = frame.groupby(["gold", "predicted"]).size()
    st.markdown("**Confusion matrix**: rows are the gold class, columns the predicted one; click a cell.")
    header = st.columns(len(labels) + 1)
    header[0].caption("gold \\ predicted")
    for column, label in zip(header[1:], labels):
        column.caption(label)
    for gold in labels:
        row = st.columns(len(labels) + 1)
        row[0].write(gold)
        for column, predicted in zip(row[1:], labels):
            count = int(counts.get((gold, predicted), 0))
            kind = "primary" if chosen == (gold, predicted) else "secondary"
            if column.button(
                str(count), key=f"cell-{gold}-{predicted}", type=kind, help=f"gold {gold}, predicted {predicted}"
            ):
                st.session_state[cell_key] = (gold, predicted)
                st.rerun()
    return chosen


def table_and_download(shown: pd.DataFrame, what: str, order: str, stem: str) -> None:
    """The rows shown, as a table and as a formula-safe CSV download."""
    st.caption(f"{len(shown):,} {what} shown, {order}.")
    st.dataframe(shown, hide_index=True, width="stretch")
    st.download_button(
        f"Download these {what} (CSV)", safe_csv_bytes(shown), file_name=f"{stem}.csv", mime="text/csv",
        key="errors-download", on_click="ignore",  # a download changes nothing on the page: no rerun
    )  # fmt: skip


def confusion_view(classifier, name: str, key: str, data, frame: pd.DataFrame) -> None:
    """Every example by gold and predicted class; an example opens with the model's reading."""
    labels = list(classifier.labels)
    wrong = frame[frame["gold"] != frame["predicted"]]
    left, middle, right = st.columns(3)
    left.metric("Examples", f"{len(frame):,}")
    middle.metric("Wrong", f"{len(wrong):,}")
    right.metric("Accuracy", f"{1 - len(wrong) / max(len(frame), 1):.1%}")
    cell_key = f"errors-cell-{classifier.path}-{key}"  # a new model or new data starts with no cell
    cell = confusion_cells(frame, labels, cell_key)
    if cell is None:
        st.info("Click a cell of the matrix to list its examples (off the diagonal: the mistakes).")
        return
    gold, predicted = cell
    in_cell = frame[(frame["gold"] == gold) & (frame["predicted"] == predicted)]
    st.subheader(f"Gold {gold}, predicted {predicted}: {len(in_cell):,} examples")
    most_words = int(frame["words"].max()) if len(frame) else 1
    left, right = st.columns(2)
    low, high = left.slider("Confidence", 0.0, 1.0, (0.0, 1.0), step=0.01, key="errors-confidence")
    shortest, longest = right.slider(
        "Length (words)", 0, max(most_words, 1), (0, max(most_words, 1)), key="errors-words"
    )
    shown = in_cell[in_cell["confidence"].between(low, high) & in_cell["words"].between(shortest, longest)]
    if "agreement" in frame:
        groups = st.multiselect(
            "Network and baseline",
            list(AGREEMENT_NAMES),
            default=list(AGREEMENT_NAMES),
            format_func=AGREEMENT_NAMES.get,
            key="errors-agreement",
        )
        shown = shown[shown["agreement"].isin(groups)]
    shown = shown.sort_values("confidence", ascending=False, kind="stable")
    table_and_download(shown, "examples", "most confident first", f"errors-{download_stem(name)}-{gold}-{predicted}")
    if shown.empty:
        return
    texts = dict(zip(shown["row"], shown["text"]))
    row = st.selectbox(
        "Open an example", list(texts), format_func=lambda r: f"row {r}: {texts[r][:90]}", key="errors-open"
    )
    try:
        reading(classifier, texts[row])
    except UserError as error:
        st.error(plain(str(error)))


def reading(classifier, text: str) -> None:
    """The model's reading of one text: word by word (a sequence model) or its tree."""
    prediction, read = classifier.predict_with_reading(text)
    st.write(f"Predicted **{prediction.label}** ({prediction.probabilities[prediction.label]:.0%}).")
    if not isinstance(read, list):  # a tree, not a list of steps
        st.graphviz_chart(tree_dot(read), width="stretch")
        return
    st.altair_chart(steps_chart(read, prediction.label, list(classifier.labels)), width="stretch")
    st.html(moved_words_html(read, prediction.label))


def marked_sentence(tokens, row) -> str:
    """The sentence with the gold entity underlined in green and the predicted one on red,
    each followed by its type; every word escaped."""
    marks = []
    for index, token in enumerate(tokens):
        piece = html.escape(token)
        for side, style in (("predicted", "background: #f7c5c5"), ("gold", "border-bottom: 3px solid #2ca02c")):
            start, end = row[f"{side}_start"], row[f"{side}_end"]
            if pd.notna(start) and int(start) <= index < int(end):
                if index == int(end) - 1:
                    piece += f" <sup>{html.escape(row[f'{side}_type'])}</sup>"
                piece = f'<span style="{style}">{piece}</span>'
        marks.append(piece)
    return " ".join(marks)


def spans_view(tagger, name: str, key: str, sentences, frame: pd.DataFrame) -> None:
    """Each wrong span by kind and type, then marked on its sentence."""
    columns = st.columns(len(KIND_NAMES))
    for column, (kind, title) in zip(columns, KIND_NAMES.items()):
        column.metric(title, f"{int((frame['kind'] == kind).sum()):,}")
    left, right = st.columns(2)
    kinds = left.multiselect(
        "Kinds", list(KIND_NAMES), default=list(KIND_NAMES), format_func=KIND_NAMES.get, key="errors-kinds"
    )
    types = right.multiselect("Types", list(tagger.labels), default=list(tagger.labels), key="errors-types")
    of_type = frame["gold_type"].isin(types) | frame["predicted_type"].isin(types)
    shown = frame[frame["kind"].isin(kinds) & of_type]
    if "baseline" in frame:
        # The baseline is right on a row's span when it gives the gold type there (no entity, for a spurious one).
        right = shown["baseline"] == shown["gold_type"]
        choice = st.radio(
            "Baseline on the same span",
            ["either", "right", "wrong too"],
            horizontal=True,
            key="errors-baseline-right",
        )
        if choice != "either":
            shown = shown[right if choice == "right" else ~right]
    order = "most confident first (missed ones, with no score, last)"
    table_and_download(shown, "wrong entities", order, f"errors-{download_stem(name)}")
    st.markdown("**On their sentences** (gold underlined in green, predicted on red):")
    lines = []
    for row in shown.head(SHOWN_SENTENCES).to_dict("records"):
        marked = marked_sentence(sentences[row["sentence"] - 1].tokens, row)
        lines.append(f"<li>{html.escape(KIND_NAMES[row['kind']])}: {marked}</li>")
    st.html(f"<ol>{''.join(lines)}</ol>")


VIEWS = {"confusion": confusion_view, "spans": spans_view}  # ErrorRows.view -> how it is shown

st.title("Errors")
st.caption("Where the model goes wrong on labelled data, and how sure it was.")
default_trainings_banner()
available = {name: entry for name, entry in available_models().items() if name in apps_with("errors")}
if not available:
    kinds = " or ".join(title_of(name).lower() for name in apps_with("errors"))
    st.info(f"No trained {kinds} yet: open its page to train one.")
    st.stop()
task_name = st.radio("Task", list(available), format_func=title_of, horizontal=True, key="errors-task")
app, entry = get_app(task_name), available[task_name]
try:
    api = load_model(task_name, str(entry.path))
    name, key, data = labelled_data(app, entry, api)
    compare = app.baseline is not None and st.toggle(
        f"Compare with the {app.baseline.title} baseline, trained on the model's own training data",
        key=f"errors-baseline-{task_name}",
    )
    baseline = baseline_predictions(task_name, str(entry.path), key, data) if compare else None
    frame = scored(task_name, str(entry.path), key + ("+baseline" if compare else ""), data, baseline)
except UserError as error:
    st.error(plain(str(error)))
    st.stop()
VIEWS[app.errors.view](api, name, key, data, frame)
