"""Models: each trained bundle's card, evaluation metrics and training curves."""

import altair as alt
import pandas as pd
import streamlit as st

from app_pages.common import default_trainings_banner, models_dir
from shared.bundle import LOGS_DIR, find_bundles
from shared.tasks import all_tasks, get_task, title_of
from shared.training import HISTORY_CSV

st.title("Models")
default_trainings_banner()
entries = find_bundles(models_dir())
if not entries:
    st.info(f"No trained models in `{models_dir()}` yet: open the Sentiment or Entities page to train one.")
    st.stop()

titles = {task.name: title_of(task.name) for task in all_tasks()}
tasks = [name for name in titles if any(entry.task == name for entry in entries)]
task_name = st.radio("Task", tasks, format_func=titles.get, horizontal=True, key="models-task")
task = get_task(task_name)
of_task = [entry for entry in entries if entry.task == task_name]
names = [entry.path.name for entry in of_task]
entry = of_task[names.index(st.selectbox("Model", names, key="models-pick"))] if len(of_task) > 1 else of_task[0]
meta = entry.metadata


def heatmap(matrix: dict, row_title: str, column_title: str):
    cells = [{"row": r, "column": c, "count": n} for r, columns in matrix.items() for c, n in columns.items()]
    frame = pd.DataFrame(cells)
    base = alt.Chart(frame).encode(
        x=alt.X("column:N", title=column_title), y=alt.Y("row:N", title=row_title), tooltip=["row", "column", "count"]
    )
    return base.mark_rect().encode(color=alt.Color("count:Q", scale=alt.Scale(scheme="blues"))) + base.mark_text(
        baseline="middle"
    ).encode(text="count:Q")


def reliability_chart(rows: list[dict]):
    """Confidence bins against their accuracy (the diagonal is perfect calibration), sized by count."""
    frame = pd.DataFrame([
        {"confidence": row["confidence"], "accuracy": row["accuracy"], "count": row["count"],
         "bin": f"{row['low']:.2f}-{row['high']:.2f}"}
        for row in rows if row["count"]
    ])  # fmt: skip
    diagonal = alt.Chart(pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0]})).mark_line(strokeDash=[4, 4], color="gray")
    points = (
        alt.Chart(frame)
        .mark_circle()
        .encode(
            x=alt.X("confidence:Q", title="mean confidence in the bin", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("accuracy:Q", title="accuracy in the bin", scale=alt.Scale(domain=[0, 1])),
            size=alt.Size("count:Q", title="predictions"),
            tooltip=[
                "bin",
                alt.Tooltip("confidence:Q", format=".3f"),
                alt.Tooltip("accuracy:Q", format=".3f"),
                "count",
            ],
        )
    )
    return diagonal.encode(x="x:Q", y="y:Q") + points


st.subheader(f"{title_of(task.name)}: {entry.path.name}")
dataset = meta.get("dataset", {})
training = meta.get("training", {})
card = {
    "task": meta.get("task"),
    "labels": ", ".join(meta["labels"]) if "labels" in meta else f"({len(meta.get('vocabulary', []))} tokens)",
    "dataset": dataset.get("name", ""),
    "created": meta.get("created", ""),
    "epochs run (best)": f"{training.get('epochs_run', '?')} ({training.get('best_epoch', '?')})",
    "training time": f"{training.get('seconds', 0) / 60:.1f} min",
    "format version": meta.get("format_version"),
}
st.table(pd.DataFrame({"": list(card), "value": [str(v) for v in card.values()]}).set_index(""))
with st.expander("Configuration and library versions"):
    st.json({"config": meta.get("config", {}), "versions": meta.get("versions", {}), "dataset": dataset})

metrics = meta.get("metrics", {})
if metrics:
    split = st.radio("Evaluation split", list(metrics), horizontal=True, key="models-split")
    view = task.report_class(metrics[split]).view()
    for column, (name, value) in zip(st.columns(len(view.numbers)), view.numbers.items()):
        column.metric(name, value)
    if view.table:
        st.dataframe(pd.DataFrame(view.table).T, width="stretch")
    if view.note:
        st.caption(view.note)
    if view.confusion:
        st.altair_chart(heatmap(view.confusion, *view.confusion_axes), width="stretch")
    if metrics[split].get("reliability"):
        st.markdown("**Reliability**: is a prediction made with confidence p right a share p of the time?")
        st.altair_chart(reliability_chart(metrics[split]["reliability"]), width="stretch")
history = entry.path / LOGS_DIR / HISTORY_CSV
if history.is_file():
    st.subheader("Training curves")
    curves = pd.read_csv(history)
    wanted = [column for column in curves.columns if column == "loss" or column.startswith("dev_")]
    long = curves.melt(id_vars="epoch", value_vars=wanted, var_name="series", value_name="value")
    st.altair_chart(
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x="epoch:Q",
            y="value:Q",
            color="series:N",
            tooltip=["epoch", "series", alt.Tooltip("value:Q", format=".4f")],
        ),
        width="stretch",
    )
