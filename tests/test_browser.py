"""The real app in a real browser: `streamlit run` on a free port, driven by headless
Debian Chromium through Playwright. Screenshots of each page go to test-artifacts/."""

import csv
import io
import re
from pathlib import Path

import pytest

from benchmarks.app_server import CHROMIUM, CHROMIUM_ARGS, running_app, wait_until_idle
from tests.conftest import ROOT, inotify_instances, process_tree

pytestmark = pytest.mark.slow

ARTIFACTS = ROOT / "test-artifacts"
WAIT_MS = 120_000


LABEL_ME = ["Great value works perfectly", "Broke after two days", "**bold** <img src=x onerror=alert(1)> fine",
            "It is a blue case", "Awful quality"]  # fmt: skip


@pytest.fixture(scope="module")
def work_folder(tmp_path_factory):
    """The app's working folder: its data/ holds a file of texts to label."""
    folder = tmp_path_factory.mktemp("ui-work")
    (folder / "data").mkdir()
    (folder / "data" / "mine.csv").write_text("text\n" + "\n".join(LABEL_ME) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, sentiment_bundle, ner_bundle, lm_bundle, work_folder):
    models = tmp_path_factory.mktemp("ui-models")
    (models / "sentiment").symlink_to(sentiment_bundle)
    (models / "ner").symlink_to(ner_bundle)
    (models / "lm").symlink_to(lm_bundle)
    with running_app(models, cwd=work_folder) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    tab = context.new_page()
    dialogs = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.dialogs = dialogs
    yield tab
    context.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    wait_until_idle(page)
    page.wait_for_timeout(700)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _choose(page, box: str, option) -> None:
    """Pick `option` (a name or a pattern) from the select box labelled `box`, once the page is idle.
    A script run that ends while the list is open draws the box again and closes the list: open it again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(WAIT_MS // 15_000):
        wait_until_idle(page)
        page.locator('[data-testid="stSelectbox"]', has_text=box).click(timeout=WAIT_MS)
        try:
            page.get_by_role("option", name=option).click(timeout=15_000)
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    raise AssertionError(f"the select box {box!r} never listed {option!r}")


def _type(page, label: str, text: str) -> None:
    box = page.locator(f'textarea[aria-label="{label}"]')
    box.fill(text)
    box.press("Control+Enter")


def streamlit_servers() -> set[int]:
    """The Streamlit servers this test process started."""
    import os

    found = set()
    for pid in process_tree(os.getpid()):
        try:
            if b"streamlit" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.add(pid)
        except OSError:  # ended meanwhile
            continue
    return found


def test_the_app_as_make_start_serves_it_watches_no_files_where_a_development_server_does(
    page, app_url, tmp_path_factory
):
    """A session of the served app sets up no file watcher (Streamlit's reload-on-save
    watched the source tree and the models being written, and overflowed inotify's queue
    in make start's terminal); a plain `streamlit run` does, for the same page."""
    page.goto(app_url)
    page.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=WAIT_MS)
    served = streamlit_servers()
    assert served and inotify_instances(served) == 0
    with running_app(tmp_path_factory.mktemp("no-models"), served=False) as url:
        page.goto(url)
        page.get_by_text("Sentiment").first.wait_for(timeout=WAIT_MS)
        wait_until_idle(page)
        assert inotify_instances(streamlit_servers() - served) > 0


def test_sentiment_page_labels_a_typed_review(page, app_url):
    page.goto(app_url)
    page.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=WAIT_MS)
    assert page.get_by_role("button", name="Deploy").count() == 0  # served as make start serves it
    _type(page, "Review", "Broke after two days, awful")
    moved = page.locator("p", has_text="Words that moved")
    moved.filter(has_text="awful").wait_for(timeout=WAIT_MS)
    value = page.locator('[data-testid="stMetricValue"]').first.inner_text()
    assert value in ("negative", "neutral", "positive")
    _shot(page, "sentiment")


def test_entities_page_shows_script_tags_as_text(page, app_url):
    page.goto(f"{app_url}/entities")
    page.locator('textarea[aria-label="Text"]').wait_for(timeout=WAIT_MS)
    _type(page, "Text", "<script>alert(1)</script> Anna Kowalski visited Paris.")
    shown = page.locator('div[style*="white-space"]', has_text="Anna")
    shown.filter(has_text="<script>").wait_for(timeout=WAIT_MS)
    assert "<script>alert(1)</script>" in shown.inner_text()
    assert page.locator("script:text('alert(1)')").count() == 0
    assert page.dialogs == []
    _shot(page, "entities")


def test_batch_page_scores_an_uploaded_csv(page, app_url, tmp_path):
    source = tmp_path / "reviews.csv"
    source.write_text("id,text\n1,Great value works perfectly\n2,=HYPERLINK(1)\n3,Anna Kowalski visited Paris.\n")
    page.goto(f"{app_url}/batch")
    page.locator('input[type="file"]').set_input_files(str(source))
    page.get_by_role("button", name="Score").click(timeout=WAIT_MS)
    with page.expect_download(timeout=WAIT_MS) as download:
        page.get_by_role("button", name="Download scored CSV").click(timeout=WAIT_MS)
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert page.locator('[data-testid="stDataFrame"]').count() == 1
    assert [row["id"] for row in rows] == ["1", "2", "3"]
    assert rows[1]["text"] == "'=HYPERLINK(1)"
    assert all(row["label"] in ("negative", "neutral", "positive") for row in rows)
    _shot(page, "batch")


def test_entities_page_keeps_typed_links_and_images_as_text(page, app_url):
    """After a blank line, Markdown would make a live link and fetch the image."""
    bait = "[click](http://example.com) ![img](http://example.com/x.png)"
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{app_url}/entities")
    page.locator('textarea[aria-label="Text"]').wait_for(timeout=WAIT_MS)
    _type(page, "Text", f"Barack Obama visited Berlin.\n\n{bait}")
    shown = page.locator('div[style*="white-space"]', has_text="Berlin")
    shown.filter(has_text="[click]").wait_for(timeout=WAIT_MS)
    assert bait in shown.inner_text()
    assert page.locator('a[href^="http://example.com"]').count() == 0
    assert page.locator('img[src^="http://example.com"]').count() == 0
    assert not [url for url in requests if "example.com" in url]


def test_an_uploaded_cell_quoted_in_a_message_stays_text(page, app_url, tmp_path):
    """The Errors page's message about a bad label quotes the cell: typed as an image and
    a link, it is shown as typed, and nothing is fetched from elsewhere."""
    bait = "![img](http://example.com/x.png) [click](http://example.com) www.example.com"
    source = tmp_path / "bait.csv"
    source.write_text(f"text,label\ngood film,positive\nbad film,{bait}\n", encoding="utf-8")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{app_url}/errors")
    page.locator('input[type="file"]').set_input_files(str(source))
    alert = page.locator('[data-testid="stAlertContentError"]')
    alert.wait_for(timeout=WAIT_MS)
    wait_until_idle(page)
    assert f"unknown label '{bait}'" in alert.inner_text()
    assert page.locator('a[href*="example.com"]').count() == 0
    assert page.locator('img[src*="example.com"]').count() == 0
    assert not [url for url in requests if "example.com" in url]
    _shot(page, "errors-bad-upload")


def test_errors_page_lists_the_clicked_cells_examples_and_keeps_typed_html_as_text(
    page, app_url, sentiment_bundle, tmp_path
):
    from sentiment import SentimentClassifier

    texts = [
        "Wonderful quality, would buy again",
        "Broken on arrival, awful",
        "<img src=x onerror=alert(1)> **great** gift, love it",
        "=HYPERLINK(1) terrible waste",
        "It is a blue phone case",
        "Excellent value, works perfectly",
    ]
    gold = ["negative", "positive", "negative", "positive", "negative", "neutral"]
    source = tmp_path / "labelled.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([("text", "label"), *zip(texts, gold)])
    predicted = [p.label for p in SentimentClassifier.load(sentiment_bundle).predict(texts)]
    cell = (gold[2], predicted[2])  # the cell of the text with typed HTML and Markdown
    expected = [str(i + 1) for i, pair in enumerate(zip(gold, predicted)) if pair == cell]
    page.goto(f"{app_url}/errors")
    page.locator('input[type="file"]').set_input_files(str(source))
    page.get_by_text("Click a cell of the matrix").wait_for(timeout=WAIT_MS)
    wait_until_idle(page)
    page.locator(f".st-key-cell-{cell[0]}-{cell[1]}").get_by_role("button").click(timeout=WAIT_MS)
    page.get_by_text(f"Gold {cell[0]}, predicted {cell[1]}: {len(expected)} examples").wait_for(timeout=WAIT_MS)
    with page.expect_download(timeout=WAIT_MS) as download:
        page.get_by_role("button", name="Download these examples (CSV)").click(timeout=WAIT_MS)
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert sorted(row["row"] for row in rows) == sorted(expected)
    assert all((row["gold"], row["predicted"]) == cell for row in rows)
    for row in rows:
        assert row["text"] == (
            "'" + texts[int(row["row"]) - 1] if row["text"].startswith("'=") else texts[int(row["row"]) - 1]
        )
    # The opened example's words, typed HTML and Markdown included, are shown as text.
    _choose(page, "Open an example", re.compile(r"^row 3: "))
    moved = page.locator("p", has_text="Words that moved").filter(has_text="onerror")
    moved.wait_for(timeout=WAIT_MS)
    assert "< img src = x onerror" in moved.inner_text() and "* * great * *" in moved.inner_text()
    assert page.locator("img[src='x']").count() == 0 and page.locator("p strong", has_text="great").count() == 0
    assert page.dialogs == []
    _shot(page, "errors")


def test_annotate_page_labels_three_texts_that_a_reload_finds_saved(page, app_url, work_folder):
    import json

    def pick_file():
        _choose(page, "Texts to label", "data/mine.csv")
        page.get_by_text("Annotation file").wait_for(timeout=WAIT_MS)
        wait_until_idle(page)

    page.goto(f"{app_url}/annotate")
    pick_file()
    shown = []
    for key in ("1", "3", "s"):  # negative, positive, skip: by keyboard, as the buttons say
        text = page.locator('div[style*="pre-wrap"]').first.inner_text()
        shown.append(text)
        page.locator('div[style*="pre-wrap"]').first.click()  # out of the file picker: keys go to the page
        page.keyboard.press(key)
        page.locator('[data-testid="stMetricValue"]').first.filter(has_text=str(len(shown))).wait_for(timeout=WAIT_MS)
        wait_until_idle(page)
    saved = (work_folder / "data" / "annotations" / "mine.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in saved]
    assert [r["text"] for r in records] == shown and [r.get("label") for r in records] == ["negative", "positive", None]
    assert all(text in LABEL_ME for text in shown) and len(set(shown)) == 3
    page.reload()
    pick_file()
    assert page.locator('[data-testid="stMetricValue"]').first.inner_text() == "3"
    next_text = page.locator('div[style*="pre-wrap"]').first.inner_text()
    assert next_text in LABEL_ME and next_text not in shown
    # Typed Markdown and HTML stay text wherever the texts come up.
    assert page.locator("img[src='x']").count() == 0 and page.locator("strong", has_text="bold").count() == 0
    assert page.dialogs == []
    _shot(page, "annotate")


def test_models_page_shows_each_bundles_metrics(page, app_url, sentiment_bundle):
    import json

    metrics = json.loads((sentiment_bundle / "metadata.json").read_text())["metrics"]["dev"]
    page.goto(f"{app_url}/models")
    page.get_by_text("Training curves").wait_for(timeout=WAIT_MS)
    numbers = page.locator('[data-testid="stMetric"]')
    numbers.nth(3).wait_for(timeout=WAIT_MS)  # all four drawn (on a busy machine they come one by one)
    wait_until_idle(page)
    shown = dict(zip(page.locator('[data-testid="stMetricLabel"]').all_inner_texts(),
                     page.locator('[data-testid="stMetricValue"]').all_inner_texts()))  # fmt: skip
    assert shown == {
        "Accuracy": f"{metrics['accuracy']:.1%}",
        "Macro-F1": f"{metrics['macro_f1'] * 100:.1f}",
        "Binary (non-neutral)": f"{metrics['binary_accuracy']:.1%}",
        "ECE": f"{metrics['calibration']['ece']:.3f}",
    }
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    charts.nth(2).wait_for(timeout=WAIT_MS)
    assert charts.count() == 3  # the confusion heatmap, the reliability diagram and the training curves
    _shot(page, "models")


def test_generate_page_writes_the_apis_sample_and_keeps_a_typed_prime_as_text(page, app_url, language_model):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{app_url}/generate")
    label = "Prime text (the model continues it)"
    page.locator(f'textarea[aria-label="{label}"]').wait_for(timeout=WAIT_MS)
    _type(page, label, "Omar ")
    shown = page.locator('div[style*="pre-wrap"]', has_text="Omar ")
    page.locator('[data-testid="stVegaLiteChart"]').nth(1).wait_for(timeout=WAIT_MS)  # drawn after the last token
    expected = "Omar " + language_model.sample("Omar ", length=300, temperature=0.7, seed=0)
    assert shown.inner_text().rstrip("\n") == expected.rstrip("\n")
    _shot(page, "generate")
    # Characters the tiny model never saw: a clear message, and the typed link stays inert.
    _type(page, label, "Omar [x](http://example.com) ![i](http://example.com/i.png)")
    page.get_by_text("never saw in training").wait_for(timeout=WAIT_MS)
    assert page.locator('a[href^="http://example.com"]').count() == 0
    assert not [url for url in requests if "example.com" in url]


def test_a_page_follows_make_starts_training_and_shows_the_model_when_it_lands(
    browser, tmp_path, monkeypatch, tiny_config_file
):
    """The queue as `make start` runs it (a real training, of the tests' small data),
    watched in a real browser: queued, then each epoch, then the model, with no reload."""
    import threading

    from app_pages.defaults import DefaultsStatus, train_queue, write_status
    from shared.config import load_config
    from shared.tasks import get_app, get_task
    from shared.training import train
    from shared.verbs.train import train_arguments
    from tests.conftest import REVIEWS_ARGS

    status_file, models = tmp_path / "defaults.json", tmp_path / "models"
    models.mkdir()
    monkeypatch.setenv("RNNTEXT_DEFAULTS_STATUS", str(status_file))
    write_status(status_file, DefaultsStatus(["sentiment"]))
    seen_epoch = threading.Event()

    def train_one(name, on_epoch):
        task = get_task(name)
        args = train_arguments(get_app(name), None).parse_args([*REVIEWS_ARGS, "--out", str(models / name)])
        config = load_config(task.config_class, tiny_config_file)

        def each_epoch(record):
            on_epoch(record)
            if record["epoch"] == 1:
                seen_epoch.wait(timeout=WAIT_MS / 1000)  # hold the training until the page has shown it

        train(task, get_app(name).files.read_training_files(args, config, 1), config, args.out, on_epoch=each_epoch)

    with running_app(models) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        page.get_by_text("The default sentiment classifier is queued: make start trains it next").wait_for(
            timeout=WAIT_MS
        )
        trainer = threading.Thread(target=train_queue, args=(DefaultsStatus(["sentiment"]), status_file, train_one))
        trainer.start()
        try:
            page.get_by_text("Epoch 1 of at most 2 done").wait_for(timeout=WAIT_MS)
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "default-training.png"))  # (not _shot: the page never idles)
        finally:
            seen_epoch.set()
            trainer.join(timeout=WAIT_MS / 1000)
        page.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=WAIT_MS)  # the model, no reload
        assert page.locator('[data-testid="stMetricValue"]').first.inner_text() in ("negative", "neutral", "positive")
        page.close()
