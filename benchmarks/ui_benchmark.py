"""UI benchmark: time to first paint of each page once the models are cached.

Starts `streamlit run streamlit_app.py` with the default sentiment and NER bundles,
opens every page once to load and cache the models, then, in headless Chromium,
measures each page 5 times two ways, until the page's script run is over
(Streamlit's running indicator gone) with its title and main content drawn:

- load: a full page load of the page's URL (a new tab, a reload or a bookmark):
  Streamlit's JavaScript app starts, connects and runs the page;
- switch: a click on the page's link in the sidebar of the already open app.

Run from the project root (after the sentiment and NER benchmarks, or with --models):
  .venv/bin/python -m benchmarks.ui_benchmark [--models DIR]
Writes benchmarks/results/ui.json and benchmarks/results/ui.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.app_server import CHROMIUM, CHROMIUM_ARGS, running_app, wait_until_idle
from benchmarks.common import header, run_record, write_results

ROOT = Path(__file__).resolve().parent
# page path -> (title, a selector that only appears once the page has drawn its result)
PAGES = {
    "": ("Sentiment", '[data-testid="stMetricValue"]'),
    "entities": ("Entities", 'div[style*="white-space"]'),
    "batch": ("Batch", '[data-testid="stFileUploaderDropzone"]'),
    "models": ("Models", '[data-testid="stMetricValue"]'),
}
REPEATS = 5


def default_models() -> Path:
    """A folder linking the bundles the sentiment and NER benchmarks trained."""
    folder = Path(tempfile.mkdtemp(prefix="rnntext-ui-"))
    (folder / "sentiment").symlink_to(ROOT / "work" / "sst")
    (folder / "ner").symlink_to(ROOT / "work" / "ner-default")
    return folder


def drawn(page, title: str, selector: str) -> None:
    page.locator("h1", has_text=title).first.wait_for(timeout=120_000)
    page.locator(selector).first.wait_for(timeout=120_000)
    wait_until_idle(page, settle_ms=0)


def load_ms(page, url: str, title: str, selector: str) -> float:
    started = time.perf_counter()
    page.goto(url)
    drawn(page, title, selector)
    return (time.perf_counter() - started) * 1000


def switch_ms(page, title: str, selector: str) -> float:
    started = time.perf_counter()
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    drawn(page, title, selector)
    return (time.perf_counter() - started) * 1000


def summary(times: list[float]) -> dict:
    return {"median_ms": round(statistics.median(times)), "max_ms": round(max(times))}


def main(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, help="models folder (default: the benchmark bundles)")
    args = parser.parse_args(argv)
    models = args.models or default_models()
    results = {}
    with running_app(models) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for path, (title, selector) in PAGES.items():
            load_ms(page, f"{url}/{path}", title, selector)  # loads and caches the models
        loads = {path: [] for path in PAGES}
        switches = {path: [] for path in PAGES}
        for _ in range(REPEATS):
            for path, (title, selector) in PAGES.items():
                loads[path].append(load_ms(page, f"{url}/{path}", title, selector))
            for path, (title, selector) in [*list(PAGES.items())[1:], *list(PAGES.items())[:1]]:
                switches[path].append(switch_ms(page, title, selector))
        for path, (title, _) in PAGES.items():
            results[title] = {"load": summary(loads[path]), "switch": summary(switches[path])}
        browser.close()
    report = {**run_record("benchmarks.ui_benchmark", argv), "pages": results}
    lines = [
        *header("UI benchmark: first paint with cached models", report),
        f"Median (max) of {REPEATS} times in headless Chromium until the page is drawn and idle: a full",
        "page load of its URL, and a switch to it from the sidebar of the open app.",
        "",
        "| page | full load | switch from the sidebar |",
        "|---|---|---|",
        *(
            f"| {name} | {row['load']['median_ms']} ms ({row['load']['max_ms']}) | "
            f"{row['switch']['median_ms']} ms ({row['switch']['max_ms']}) |"
            for name, row in results.items()
        ),
    ]
    write_results("ui", report, "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
