"""The Streamlit app, page by page, with Streamlit's AppTest (no browser)."""

import hashlib
import html
import io
import json
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

APP = str(ROOT / "streamlit_app.py")
TIMEOUT = 120
MARKDOWN_BAIT = "[click](http://example.com) ![img](http://example.com/x.png)"


@pytest.fixture
def models(tmp_path, monkeypatch, sentiment_bundle, ner_bundle, lm_bundle):
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "sentiment").symlink_to(sentiment_bundle)
    (folder / "ner").symlink_to(ner_bundle)
    (folder / "lm").symlink_to(lm_bundle)
    monkeypatch.setenv("RNNTEXT_MODELS_DIR", str(folder))
    return folder


def _page(name: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    if name != "sentiment":
        at.switch_page(f"app_pages/{name}_page.py")
        at.run()
    assert not at.exception, at.exception
    return at


def test_sentiment_page_shows_label_probabilities_and_steps(models):
    from sentiment import SentimentClassifier

    at = _page("sentiment")
    expected, steps = SentimentClassifier.load(models / "sentiment").predict_with_steps(
        at.text_area(key="review").value
    )
    assert at.metric[0].label == "Prediction"
    assert at.metric[0].value == expected.label
    assert at.metric[0].delta == f"{expected.probabilities[expected.label]:.0%} confident"
    moved = [block.proto.body for block in at.get("html") if "moved P(" in block.proto.body]
    assert moved and all(html.escape(step.token) in moved[0] for step in steps)
    at.text_area(key="review").set_value("   ").run()
    assert not at.exception
    assert at.warning[0].value == "Type a review to classify."


def test_sentiment_page_shows_a_tree_models_tree_with_the_users_words_escaped(models, tree_bundle):
    from sentiment import SentimentClassifier

    (models / "sentiment-tree").symlink_to(tree_bundle)
    at = _page("sentiment")
    at.selectbox(key="model-sentiment").set_value("sentiment-tree").run()
    text = 'A "quoted" \\ odd <b>review</b>'
    at.text_area(key="review").set_value(text).run()
    assert not at.exception, at.exception
    tree = SentimentClassifier.load(tree_bundle).predict_tree(text)
    assert at.metric[0].value == tree.root.label
    dot = at.get("graphviz_chart")[0].proto.spec
    # Each word a leaf, as a DOT string: a quote and a backslash escaped, markup only text.
    assert 'label="\\""' in dot and 'label="quoted"' in dot and 'label="\\\\"' in dot and 'label="<"' in dot
    assert dot.count(" -> ") == len(tree.nodes) - 1
    assert not [block for block in at.get("html") if "moved P(" in block.proto.body]  # no word-by-word view


def test_entities_page_escapes_user_html(models):
    at = _page("entities")
    at.text_area(key="text").set_value("<script>alert(1)</script> Anna Kowalski visited Paris.").run()
    assert not at.exception
    html = [block.proto.body for block in at.get("html") if "white-space" in block.proto.body][0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html


def test_entities_page_renders_highlights_as_html_not_markdown(models):
    """After a blank line Markdown would turn typed links and images into live ones."""
    at = _page("entities")
    at.text_area(key="text").set_value(f"Anna Kowalski visited Paris.\n\n{MARKDOWN_BAIT}").run()
    assert not at.exception
    assert not any("example.com" in md.value for md in at.markdown)
    (html,) = [block.proto.body for block in at.get("html") if "white-space" in block.proto.body]
    assert MARKDOWN_BAIT in html


def test_batch_page_scores_pasted_lines_in_order(models):
    at = _page("batch")
    at.radio(key="source").set_value("Paste lines").run()
    at.text_area(key="pasted").set_value("Great value, works perfectly\n=cmd|calc\nAnna Kowalski visited Paris.").run()
    at.button(key="score").click().run()
    assert not at.exception, at.exception
    preview = at.dataframe[0].value
    assert list(preview["text"]) == ["Great value, works perfectly", "=cmd|calc", "Anna Kowalski visited Paris."]
    assert {"label", "p_negative", "entities"} <= set(preview.columns)


def test_batch_page_reports_a_bad_upload(models):
    at = _page("batch")
    at.file_uploader(key="upload").set_value(("bad.csv", b"\xff\xfe\x00bad", "text/csv")).run()
    assert not at.exception
    assert "bad.csv: line 1: not UTF-8 text (byte 1 of the line)" in at.error[0].value


def test_models_page_shows_metrics_for_each_task(models):
    at = _page("models")
    assert at.radio(key="models-task").options == ["Sentiment classifier", "Entity tagger", "Language model"]
    assert any(metric.label == "Macro-F1" for metric in at.metric)
    assert any(metric.label == "ECE" for metric in at.metric)
    assert any("**Reliability**" in block.value for block in at.markdown)
    at.radio(key="models-task").set_value("ner").run()
    assert not at.exception
    assert any(metric.label == "F1 (strict)" for metric in at.metric)
    at.radio(key="models-task").set_value("lm").run()
    assert not at.exception
    bits = json.loads((models / "lm" / "metadata.json").read_text())["metrics"]["dev"]["bits_per_char"]
    assert [metric.value for metric in at.metric if metric.label == "Bits per char"] == [f"{bits:.3f}"]


def test_generate_page_writes_the_apis_sample_and_shows_each_steps_candidates(models):
    from lm import LanguageModel

    at = _page("generate")
    at.text_area(key="prime").set_value("Lena ").run()
    at.slider(key="length").set_value(40).run()
    assert not at.exception
    expected = LanguageModel.load(models / "lm").sample("Lena ", length=40, temperature=0.7, seed=0)
    shown = [block.proto.body for block in at.get("html") if "pre-wrap" in block.proto.body][0]
    assert html.unescape(re.sub("<[^>]+>", "", shown)) == "Lena " + expected
    at.slider(key="step").set_value(3).run()
    assert not at.exception
    assert any(f"Step 3: drew <code>{html.escape(repr(expected[2]))}</code>" in b.proto.body for b in at.get("html"))
    at.text_area(key="prime").set_value("Lena \u65e5").run()
    assert not at.exception
    assert "never saw in training" in at.error[0].value


def test_without_models_each_page_says_how_to_get_one(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNTEXT_MODELS_DIR", str(tmp_path / "none"))
    at = _page("sentiment")
    assert "python -m sentiment.train" in at.info[0].value
    assert at.button(key="train-sentiment").label == "Train a quick sentiment classifier"
    at.switch_page("app_pages/entities_page.py").run()
    assert "python -m ner.train" in at.info[0].value
    at.switch_page("app_pages/generate_page.py").run()
    assert "python -m lm.train --dataset sst" in at.info[0].value


def test_a_running_training_is_shown_instead_of_a_second_train_button(tmp_path, monkeypatch):
    from shared.training import training_lock

    models = tmp_path / "models"
    monkeypatch.setenv("RNNTEXT_MODELS_DIR", str(models))
    with training_lock(models / "sentiment"):  # a training elsewhere (a terminal, another server)
        at = _page("sentiment")
    assert "is running in another process" in at.info[0].value
    assert not [button for button in at.button if button.key == "train-sentiment"]


def test_the_train_button_starts_one_background_training_that_every_visitor_sees(tmp_path, monkeypatch):
    import threading

    from app_pages.common import TrainingJob

    release, runs = threading.Event(), []
    monkeypatch.setattr(TrainingJob, "run", lambda job: runs.append(job) or release.wait(30))
    monkeypatch.setenv("RNNTEXT_MODELS_DIR", str(tmp_path / "models"))
    try:
        first = _page("sentiment")
        first.button(key="train-sentiment").click().run()
        assert not first.exception
        assert any("is training" in info.value for info in first.info)
        second = _page("sentiment")  # another visitor, same server process
        assert "is training" in second.info[0].value
        assert not [button for button in second.button if button.key == "train-sentiment"]
        assert len(runs) == 1
    finally:
        release.set()


def test_a_second_click_or_visitor_joins_the_running_quick_training(tmp_path, monkeypatch):
    import threading

    from app_pages.common import TrainingJob, TrainingJobs

    release, runs = threading.Event(), []
    monkeypatch.setattr(TrainingJob, "run", lambda job: runs.append(job) or release.wait(10))
    jobs = TrainingJobs()
    first = jobs.start("sentiment", tmp_path / "sentiment")
    second = jobs.start("sentiment", tmp_path / "sentiment")
    assert second is first and first.running
    release.set()
    first.thread.join(10)
    assert len(runs) == 1 and not first.running
    assert jobs.start("sentiment", tmp_path / "sentiment") is not first  # a finished job can be started again


def test_scoring_keeps_columns_rows_and_neutralises_formulas(entity_tagger, sentiment_classifier):
    from app_pages.scoring import blank_texts, read_uploaded_csv, safe_csv_bytes, score_frame
    from shared.tasks import get_task

    data = b"id;text;=note\n1;Great value;=1+1\n2;;@me\n3;Anna Kowalski visited Paris.;-x\n"
    frame = read_uploaded_csv(data, "in.csv")
    models = [(get_task("sentiment"), sentiment_classifier), (get_task("ner"), entity_tagger)]
    scored = score_frame(frame, "text", models)
    assert list(scored.columns[:3]) == ["id", "text", "=note"] and list(scored["id"]) == ["1", "2", "3"]
    assert list(scored.columns[3:]) == ["label", "p_negative", "p_neutral", "p_positive", "entities"]
    assert scored.loc[0, "label"] in ("negative", "neutral", "positive") and 0 <= float(scored.loc[0, "p_neutral"]) <= 1
    assert scored.loc[1, "label"] == "" and scored.loc[1, "p_positive"] == "" and scored.loc[1, "entities"] == "[]"
    assert blank_texts(frame, "text") == 1
    written = pd.read_csv(io.BytesIO(safe_csv_bytes(scored)), dtype=str, keep_default_na=False)
    assert list(written["'=note"]) == ["'=1+1", "'@me", "'-x"]
    assert len(written) == 3


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "in.csv: the file is empty"),
        (b"text\n", "in.csv: no rows to score"),
        (b"text,text\na,b\n", "duplicate column names"),
        (b"a,b\n1,2,3\n", "row 2 has 3 cells but the header has 2"),
        (b"text\n" + b"x\n" * 20_001, "20,001 rows is over the 20,000-row limit"),
        (b"text\n" + b"x" * (10 * 1024 * 1024), "over the 10 MB upload limit"),
    ],
    ids=["empty", "header-only", "duplicate-columns", "ragged", "too-many-rows", "too-big"],
)
def test_upload_limits_and_errors(data, expected):
    from app_pages.scoring import read_uploaded_csv
    from shared.errors import DataError

    with pytest.raises(DataError, match=expected):
        read_uploaded_csv(data, "in.csv")


def test_sessions_share_one_loaded_model(models, monkeypatch):
    import streamlit as st

    from sentiment import SentimentClassifier

    loads = []
    real_load = SentimentClassifier.load.__func__
    monkeypatch.setattr(SentimentClassifier, "load", classmethod(lambda cls, p: loads.append(p) or real_load(cls, p)))
    st.cache_resource.clear()
    first, second = _page("sentiment"), _page("sentiment")
    assert first.metric[0].value == second.metric[0].value
    assert len(loads) == 1


@pytest.mark.parametrize(
    ("upload_name", "stem"),
    [
        ("reviews.csv", "reviews"),
        ("../../etc/passwd.csv", "passwd"),
        ("..\\..\\Windows\\evil.csv", "evil"),
        ('a"b\r\nc.csv', "a_b_c"),
        ("...csv", "upload"),
    ],
)
def test_download_name_never_carries_a_path(upload_name, stem):
    from app_pages.scoring import download_stem

    assert download_stem(upload_name) == stem


def test_script_runs_keep_the_tensorflow_kernel_cache(models, monkeypatch):
    """Streamlit would clear the Keras session, and TensorFlow's kernel cache with it,
    after every run (see app_pages.common.keep_tensorflow_kernels)."""
    import keras

    clears = []
    monkeypatch.setattr(keras.backend, "clear_session", lambda *args, **kwargs: clears.append(args))
    _page("sentiment")
    assert clears == []


def test_a_damaged_bundle_shows_a_message_not_a_traceback(tmp_path, monkeypatch, sentiment_bundle):
    import shutil

    folder = tmp_path / "models"
    shutil.copytree(sentiment_bundle, folder / "sentiment")
    model = folder / "sentiment" / "model.keras"
    model.write_bytes(model.read_bytes()[:1000])
    monkeypatch.setenv("RNNTEXT_MODELS_DIR", str(folder))
    at = _page("sentiment")
    assert "Cannot load" in at.error[0].value and "model.keras: cannot load model" in at.error[0].value


def _status_file(tmp_path, monkeypatch, **fields):
    from app_pages.defaults import DefaultsStatus, write_status

    path = tmp_path / "defaults.json"
    write_status(path, DefaultsStatus(**fields))
    monkeypatch.setenv("RNNTEXT_DEFAULTS_STATUS", str(path))
    return path


def test_pages_show_the_default_training_of_make_start_and_the_queue(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNTEXT_MODELS_DIR", str(tmp_path / "models"))
    _status_file(
        tmp_path, monkeypatch, queue=["sentiment", "ner", "lm"], current="sentiment", epoch=2, epochs=10,
        monitor="accuracy", dev_score=0.61, epoch_seconds=[31.0, 29.0],
    )  # fmt: skip
    at = _page("sentiment")
    assert at.info[0].value.startswith("`make start` is training the default sentiment classifier")
    progress = at.get("progress")[0].proto
    assert progress.text == "Epoch 2 of at most 10 done · dev accuracy 0.6100 · at most 4.0 min left"
    assert progress.value == 20
    assert not at.button  # one training at a time: no second one to start
    at = _page("generate")
    assert at.info[0].value.startswith(
        "The default language model is queued: `make start` trains it after the sentiment classifier, "
        "then the entity tagger (one at a time)"
    )
    for page in ("models", "batch"):
        assert _page(page).info[0].value == (
            "`make start` is training the default sentiment classifier: "
            "Epoch 2 of at most 10 done · dev accuracy 0.6100 · at most 4.0 min left"
        )


def test_a_default_that_make_start_could_not_train_says_why(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNTEXT_MODELS_DIR", str(tmp_path / "models"))
    _status_file(tmp_path, monkeypatch, queue=["sentiment", "ner"], current="ner", failed={"sentiment": "no data"})
    at = _page("sentiment")
    assert at.warning[0].value == "`make start` could not train the default sentiment classifier: no data"
    assert "`make start` is training the default entity tagger now" in at.info[0].value and not at.button


def test_the_queue_trains_each_default_in_turn_and_records_its_epochs(tmp_path, tiny_config_file):
    from app_pages.defaults import DefaultsStatus, read_status, train_queue
    from shared.config import load_config
    from shared.errors import DatasetNotFoundError
    from shared.tasks import get_app, get_task
    from shared.training import train
    from shared.verbs.train import train_arguments
    from tests.conftest import REVIEWS_ARGS

    path = tmp_path / "status.json"
    seen = []

    def train_one(name, on_epoch):
        """As `make start` trains a default, but on the tests' own small data."""
        if name == "ner":
            raise DatasetNotFoundError("dataset 'conll2003' not found")
        task = get_task(name)
        args = train_arguments(get_app(name), None).parse_args([*REVIEWS_ARGS, "--out", str(tmp_path / "m")])
        config = load_config(task.config_class, tiny_config_file)
        source = get_app(name).files.read_training_files(args, config, 1)
        train(
            task, source, config, args.out, on_epoch=lambda record: (on_epoch(record), seen.append(read_status(path)))
        )

    said = []
    status = train_queue(DefaultsStatus(["ner", "sentiment"]), path, train_one, say=lambda line, **_: said.append(line))
    assert status == read_status(path)
    assert (status.done, status.current, list(status.failed)) == (["sentiment"], None, ["ner"])
    assert status.failed["ner"].startswith("dataset 'conll2003' not found. The dataset: ")
    assert said[0] == f"- Entity tagger: not trained ({status.failed['ner']})"
    assert said[1].startswith("Sentiment classifier ready after ")
    # The file said, after each epoch, which model trains and how far it is.
    assert [(s.current, s.epoch) for s in seen] == [("sentiment", n) for n in range(1, len(seen) + 1)]
    assert len(seen) == len(status.epoch_seconds) >= 2 and seen[-1].dev_score == status.dev_score is not None


def test_make_start_serves_the_ui_at_once_on_loopback_and_says_what_it_cannot_train(tmp_path, sentiment_bundle):
    """`make start` with models missing, on a machine without the dataset mirror or a
    network: the UI answers within 60 s, listening on 127.0.0.1 only, while the
    trainings it cannot run are named with how to get their data."""
    import os
    import shutil
    import subprocess
    import sys
    import threading
    import time
    import urllib.request

    from benchmarks.app_server import free_port
    from tests.conftest import LOOPBACK, listening_addresses, process_tree

    models = tmp_path / "models"
    shutil.copytree(sentiment_bundle, models / "sentiment")
    env = {
        **os.environ,
        "RNNTEXT_MODELS_DIR": str(models),
        "RNNTEXT_DATA_DIR": str(tmp_path / "no-mirror"),
        "RNNTEXT_CACHE_DIR": str(tmp_path / "no-cache"),
        "https_proxy": "http://127.0.0.1:9",  # no network: a download fails at once
        "PYTHONPATH": str(ROOT),
    }
    port = free_port()
    started = time.monotonic()
    launcher = subprocess.Popen(
        [sys.executable, "-m", "app_pages.launch", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(launcher.stdout), daemon=True)
    reader.start()
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert launcher.poll() is None, "".join(lines)
                assert time.monotonic() - started < 60, "the UI did not answer within 60 s"
                time.sleep(0.5)
        listening = listening_addresses(process_tree(launcher.pid))
        while not any(line.startswith("- Language model: not trained") for line in lines):
            assert launcher.poll() is None and time.monotonic() - started < 180, "".join(lines)
            time.sleep(0.5)
    finally:
        launcher.terminate()
        launcher.wait(timeout=30)  # it stops the UI server it started: the pipe closes
        reader.join(timeout=30)
    output = "".join(lines)
    assert port in {bound for _, bound in listening} and {address for address, _ in listening} <= LOOPBACK, listening
    assert output.startswith(f"Starting the UI on http://127.0.0.1:{port}\n")
    assert "Training the missing default models behind it, one at a time: ner, lm." in output
    assert "- Entity tagger: not trained (dataset 'conll2003' not found" in output
    assert "request RCV1 from NIST" in output
    assert "Sentiment classifier: not trained" not in output  # its bundle was there


def test_streamlit_run_alone_listens_on_loopback_only(tmp_path):
    """`streamlit run streamlit_app.py`, without the launcher's flags: the project's
    .streamlit/config.toml keeps it to this machine."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    from benchmarks.app_server import free_port
    from tests.conftest import listening_addresses, process_tree

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", f"--server.port={port}",
         "--server.headless=true"],
        cwd=ROOT, env={**os.environ, "RNNTEXT_MODELS_DIR": str(tmp_path)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "streamlit did not start"
                time.sleep(0.3)
        listening = listening_addresses(process_tree(server.pid))
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert listening == {("127.0.0.1", port)}


def test_make_start_on_a_port_in_use_says_so_in_one_line():
    import os
    import socket
    import subprocess
    import sys

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "app_pages.launch", "--port", str(port)],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"error: 127.0.0.1:{port} is in use (address already in use); choose another port: "
        "PORT=8600 make start, or --port 8600\n"
    )


def test_the_status_of_a_launcher_that_is_gone_is_ignored(tmp_path):
    import subprocess

    from app_pages.defaults import DefaultsStatus, read_status, write_status

    ended = subprocess.Popen(["true"])
    ended.wait()  # reaped: its pid names no process now
    path = tmp_path / "status.json"
    write_status(path, DefaultsStatus(["sentiment"], current="sentiment", pid=ended.pid))
    assert read_status(path) is None  # a killed launcher's page does not say "training" for ever
    write_status(path, DefaultsStatus(["sentiment"], current="sentiment"))  # this process's: alive
    assert read_status(path).current == "sentiment"


REVIEWS_CSV = (ROOT / "tests" / "fixtures" / "reviews.csv").read_bytes()
STARS = "1-2:negative,3:neutral,4-5:positive"


def _errors_page_with(at: AppTest, name: str, data: bytes, task: str = "sentiment") -> AppTest:
    if task != "sentiment":
        at.radio(key="errors-task").set_value(task).run()
    at.file_uploader(key=f"errors-upload-{task}").set_value((name, data, "text/plain")).run()
    assert not at.exception, at.exception
    return at


def test_errors_page_lists_exactly_the_clicked_cells_examples_most_confident_first(models):
    from sentiment import SentimentClassifier
    from sentiment.data import parse_label_map, read_labelled_csv

    at = _errors_page_with(_page("errors"), "reviews.csv", REVIEWS_CSV)
    at.selectbox(key="errors-text-col").set_value("review").run()
    at.selectbox(key="errors-label-col").set_value("stars").run()
    at.text_input(key="errors-label-map").set_value(STARS).run()
    assert not at.exception and not at.error
    data = read_labelled_csv(ROOT / "tests" / "fixtures" / "reviews.csv", "review", "stars", parse_label_map(STARS))
    classifier = SentimentClassifier.load(models / "sentiment")
    predicted = [p.label for p in classifier.predict(list(data.texts))]
    gold = [classifier.labels[label] for label in data.labels]
    cells = {(g, p) for g, p in zip(gold, predicted)}
    for cell in sorted(cells):
        button = at.button(key=f"cell-{cell[0]}-{cell[1]}")
        expected = [i + 1 for i, pair in enumerate(zip(gold, predicted)) if pair == cell]
        assert button.label == str(len(expected))
        button.click().run()
        assert not at.exception
        shown = at.dataframe[0].value
        assert sorted(shown["row"]) == expected
        assert list(shown["confidence"]) == sorted(shown["confidence"], reverse=True)
        assert set(shown["gold"]) == {cell[0]} and set(shown["predicted"]) == {cell[1]}
    at.slider(key="errors-confidence").set_value((0.99, 1.0)).run()
    assert all(at.dataframe[0].value["confidence"] >= 0.99)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "labels.csv",
            b"text,label\ngood film,positive\nbad film,awful\n",
            "labels.csv: row 3, column 'label': unknown label 'awful'",
        ),
        ("blank.csv", b"text,label\ngood film,positive\n,negative\n", "blank.csv: row 3, column 'text': empty text"),
        (
            "tagged.txt",
            b"Anna B-PER\nvisited O\n",
            "tagged.txt: a labelled CSV needs a text and a label column; its header has one",
        ),
    ],
)
def test_errors_page_says_what_is_wrong_with_an_uploaded_labelled_csv(models, name, data, message):
    at = _errors_page_with(_page("errors"), name, data)
    assert len(at.error) == 1 and message in at.error[0].value, [e.value for e in at.error]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("reviews.csv", REVIEWS_CSV, "reviews.csv: line 1:"),
        ("types.txt", b"Anna B-PER\nvisited O\nMars B-PLANET\n", "types.txt: entity type 'PLANET' does not occur"),
        ("empty.txt", b"\n\n", "empty.txt:"),
    ],
)
def test_errors_page_says_what_is_wrong_with_an_uploaded_conll_file(models, name, data, message):
    at = _errors_page_with(_page("errors"), name, data, task="ner")
    assert len(at.error) == 1 and at.error[0].value.startswith(message), [e.value for e in at.error]


MISTAKEN_ENTITIES = (
    "<b>Anna</b> B-PER\nvisited O\n**Oslo** B-LOC\n. O\n\nLena B-PER\nNovak O\nvisited O\nOslo B-LOC\n. O\n"
)


def test_errors_page_marks_each_wrong_entity_on_its_sentence_as_text(models):
    at = _errors_page_with(_page("errors"), "gold.txt", MISTAKEN_ENTITIES.encode(), task="ner")
    assert not at.error, [e.value for e in at.error]
    table = at.dataframe[0].value
    assert len(table) == sum(int(metric.value) for metric in at.metric) > 0
    marked = [block.proto.body for block in at.get("html") if "<ol>" in block.proto.body][0]
    assert "&lt;b&gt;Anna&lt;/b&gt;" in marked and "<b>Anna</b>" not in marked
    assert "Novak" in marked and "#2ca02c" in marked
    at.multiselect(key="errors-kinds").set_value(["spurious"]).run()
    assert set(at.dataframe[0].value["kind"]) <= {"spurious"}


def test_errors_page_filters_on_who_is_right_the_network_or_the_baseline(models):
    at = _errors_page_with(_page("errors"), "reviews.csv", REVIEWS_CSV)
    at.selectbox(key="errors-text-col").set_value("review").run()
    at.selectbox(key="errors-label-col").set_value("stars").run()
    at.text_input(key="errors-label-map").set_value(STARS).run()
    at.toggle(key="errors-baseline-sentiment").set_value(True).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    listed = 0
    for gold in ("negative", "neutral", "positive"):
        at.button(key=f"cell-{gold}-{gold}").click().run()
        at.multiselect(key="errors-agreement").set_value(["network_only"]).run()
        shown = at.dataframe[0].value
        assert all((shown["predicted"] == gold) & (shown["baseline"] != gold))
        at.multiselect(key="errors-agreement").set_value(["both_right"]).run()
        assert all(at.dataframe[0].value["baseline"] == gold)
        listed += len(shown) + len(at.dataframe[0].value)
    assert listed > 0


def test_errors_page_compares_entities_with_the_crf_baseline(models):
    at = _errors_page_with(_page("errors"), "gold.txt", MISTAKEN_ENTITIES.encode(), task="ner")
    at.toggle(key="errors-baseline-ner").set_value(True).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    table = at.dataframe[0].value
    assert len(table) > 0 and "baseline" in table.columns
    shown = {}
    for choice in ("right", "wrong too"):
        at.radio(key="errors-baseline-right").set_value(choice).run()
        shown[choice] = at.dataframe[0].value
    assert all(shown["right"]["baseline"] == shown["right"]["gold_type"])
    assert all(shown["wrong too"]["baseline"] != shown["wrong too"]["gold_type"])
    assert len(shown["right"]) + len(shown["wrong too"]) == len(table)


LABEL_ME = "\n".join(
    ["text", "Great value works perfectly", "Broke after two days", "**bold** <b>tag</b> fine", "It is a blue case",
     "Awful quality", ""]
)  # fmt: skip


def _annotate_page(monkeypatch, tmp_path) -> AppTest:
    monkeypatch.chdir(tmp_path)  # data/ and data/annotations/ are the working folder's
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "mine.csv").write_text(LABEL_ME, encoding="utf-8")
    at = _page("annotate")
    at.selectbox(key="annotate-file").set_value("data/mine.csv").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def _shown_text(at: AppTest) -> str:
    return next(block.proto.body for block in at.get("html") if "pre-wrap" in block.proto.body)


def test_annotate_saves_each_decision_at_once_and_reopening_continues(models, monkeypatch, tmp_path):
    from sentiment import SentimentClassifier
    from shared.selection import entropy

    at = _annotate_page(monkeypatch, tmp_path)
    texts = LABEL_ME.splitlines()[1:]
    probabilities = SentimentClassifier.load(models / "sentiment").predict_proba(texts)
    order = [texts[i] for i in sorted(range(len(texts)), key=lambda i: -entropy(probabilities)[i])]
    saved = []
    for answer in ("annotate-negative", "annotate-skip", "annotate-positive"):
        assert html.escape(order[len(saved)]) in _shown_text(at)
        at.button(key=answer).click().run()
        assert not at.exception
        saved.append(answer)
    records = [json.loads(line) for line in (tmp_path / "data" / "annotations" / "mine.jsonl").read_text().splitlines()]
    assert [r["text"] for r in records] == order[:3] and [r.get("label") for r in records] == [
        "negative",
        None,
        "positive",
    ]
    assert records[1]["skipped"] and all(r["source"] == "mine.csv" and r["model"] == "sentiment" for r in records)
    again = _page("annotate")  # a reload: a new session
    again.selectbox(key="annotate-file").set_value("data/mine.csv").run()
    assert [m.value for m in again.metric][:2] == ["3", "2"]
    assert html.escape(order[3]) in _shown_text(again)


def test_annotate_shows_typed_markdown_and_html_as_text_and_reports_a_torn_line(models, monkeypatch, tmp_path):
    folder = tmp_path / "data" / "annotations"
    folder.mkdir(parents=True)
    (folder / "mine.jsonl").write_bytes(b'{"source": "mine.csv", "row": 2, "label": "posi')
    at = _annotate_page(monkeypatch, tmp_path)
    assert "its last line was not a whole decision" in at.warning[0].value
    for _ in range(5):
        body = _shown_text(at)
        if "bold" in body:
            assert "**bold** &lt;b&gt;tag&lt;/b&gt; fine" in body
            return
        at.button(key="annotate-skip").click().run()
    raise AssertionError("the text with Markdown and HTML never came up")


def _records(tmp_path) -> list[dict]:
    path = tmp_path / "data" / "annotations" / "mine.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_click_in_a_tab_that_is_behind_never_labels_a_row_its_user_did_not_see(models, monkeypatch, tmp_path):
    first = _annotate_page(monkeypatch, tmp_path)
    second = _page("annotate")  # another tab, showing the same row
    second.selectbox(key="annotate-file").set_value("data/mine.csv").run()
    shown = _shown_text(second)
    assert shown == _shown_text(first)
    first.button(key="annotate-negative").click().run()
    second.button(key="annotate-positive").click().run()  # on the row it shows, which is taken
    assert not second.exception
    records = _records(tmp_path)
    assert [(r["text"], r["label"]) for r in records] == [(html.unescape(shown[shown.index(">") + 1 : -6]), "negative")]
    assert [t.value for t in second.toast] == ["Another tab labelled row {} first; here is the next one.".format(
        records[0]["row"]
    )]  # fmt: skip
    assert _shown_text(second) != shown


def test_two_files_of_one_name_are_two_sources_and_a_file_holds_one_tasks_decisions(models, monkeypatch, tmp_path):
    """Rows of data/a/x.csv labelled: data/b/x.csv (other texts) has none done; the
    Entities task on the same annotation file is one message, and the file stays whole."""
    monkeypatch.chdir(tmp_path)
    for folder, texts in (("a", ["Great value", "Broke at once"]), ("b", ["Blue case", "Works well"])):
        (tmp_path / "data" / folder).mkdir(parents=True)
        (tmp_path / "data" / folder / "x.csv").write_text("text\n" + "\n".join(texts) + "\n", encoding="utf-8")
    at = _page("annotate")
    at.selectbox(key="annotate-file").set_value("data/a/x.csv").run()
    at.button(key="annotate-positive").click().run()
    at.button(key="annotate-negative").click().run()
    assert [m.value for m in at.metric][:2] == ["2", "0"]
    at.selectbox(key="annotate-file").set_value("data/b/x.csv").run()
    assert not at.exception and [m.value for m in at.metric][:2] == ["0", "2"]
    at.radio(key="annotate-task").set_value("ner").run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "data/annotations/x.jsonl: line 1 is a sentiment decision, not ner: an annotation file holds one task's "
        "decisions; choose another file for this task"
    ]
    at.radio(key="annotate-task").set_value("sentiment").run()
    assert not at.exception and not at.error
    path = tmp_path / "data" / "annotations" / "x.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["task"] for r in records] == ["sentiment", "sentiment"]
    assert {r["source_sha256"] for r in records} == {
        hashlib.sha256((tmp_path / "data/a/x.csv").read_bytes()).hexdigest()
    }


def test_a_new_model_from_a_retraining_does_not_replace_the_users_choice(models, monkeypatch, tmp_path):
    import shutil

    at = _page("sentiment")
    newer = models / "sentiment-annotated"
    shutil.copytree(models / "sentiment", newer)
    metadata = json.loads((newer / "metadata.json").read_text())
    (newer / "metadata.json").write_text(json.dumps({**metadata, "created": "9999-01-01T00:00:00Z"}))
    at.run()
    assert not at.exception
    assert at.selectbox(key="model-sentiment").value == "sentiment"  # what the page showed before
    assert at.selectbox(key="model-sentiment").options == ["sentiment-annotated", "sentiment"]
    at.selectbox(key="model-sentiment").set_value("sentiment-annotated").run()
    at.run()
    assert at.selectbox(key="model-sentiment").value == "sentiment-annotated"


@pytest.mark.parametrize("name", ["x" * 82, "../x", "a/b", "", ".hidden"])
def test_an_annotation_file_name_says_what_a_name_may_be_and_how_long(name):
    from app_pages.annotation import annotation_path
    from shared.errors import DataError

    with pytest.raises(DataError) as caught:
        annotation_path(name)
    assert str(caught.value) == (
        f"{name!r}: an annotation file name is 1 to 81 letters, digits, '.', '_' and '-' (no folders), "
        "starting with a letter or digit"
    )
    assert annotation_path("x" * 81).name == "x" * 81 + ".jsonl"


def test_a_message_shows_user_text_as_typed_and_never_as_markup():
    from app_pages.common import plain

    assert plain("labels.csv: row 3, column 'label'") == "labels.csv: row 3, column 'label'"
    assert plain("**b** <i>x</i> a_b [c] :red[x] #") == "\\*\\*b\\*\\* \\<i\\>x\\</i\\> a\\_b \\[c\\] \\:red\\[x\\] \\#"
    assert plain("see ![i](http://e.com/x.png) www.e.com a@b.c :smile:") == (
        "see `![i](http://e.com/x.png)` `www.e.com` `a@b.c` `:smile:`"
    )
    assert plain("`x`://y") == "`` `x`://y ``"
    assert plain("one\ntwo") == "one  \ntwo"


def test_entities_from_the_table_become_character_offsets():
    from app_pages.annotation import entities_from_table
    from ner.tokenizer import tokenize
    from shared.errors import DataError

    text = "Anna Kowalski met Acme Corp. in Paris."
    tokens = tokenize(text)
    table = pd.DataFrame([{"type": "LOC", "first": 7, "last": 7}, {"type": "PER", "first": 1, "last": 2}])
    assert entities_from_table(text, tokens, table, ("LOC", "PER")) == [
        {"label": "PER", "start": 0, "end": 13, "text": "Anna Kowalski"},
        {"label": "LOC", "start": 32, "end": 37, "text": "Paris"},
    ]
    overlapping = pd.DataFrame([{"type": "PER", "first": 1, "last": 2}, {"type": "LOC", "first": 2, "last": 3}])
    with pytest.raises(DataError, match="tokens 2-3 overlap another entity"):
        entities_from_table(text, tokens, overlapping, ("LOC", "PER"))


def test_annotate_saves_the_taggers_entities_for_a_sentence(models, monkeypatch, tmp_path):
    at = _annotate_page(monkeypatch, tmp_path)
    at.radio(key="annotate-task").set_value("ner").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    at.button(key="annotate-save").click().run()
    assert not at.exception
    (record,) = [
        json.loads(line) for line in (tmp_path / "data" / "annotations" / "mine.jsonl").read_text().splitlines()
    ]
    assert record["entities"] == record["guess"] and record["accepted"] is True
