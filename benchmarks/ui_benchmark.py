"""UI benchmark: time to first paint of each page once the models are cached.

Starts `streamlit run streamlit_app.py` with the default sentiment and NER bundles,
opens every page once to load and cache the models, then loads each page 5 times in
headless Chromium and reports the median time from navigation until the page's
script run is over (Streamlit's running indicator gone) with its main content drawn.

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

from app_pages.serve import CHROMIUM, CHROMIUM_ARGS, running_app, wait_until_idle
from benchmarks.common import header, run_record, write_results

ROOT = Path(__file__).resolve().parent
# page path -> a selector that only appears once the page has drawn its result
PAGES = {
    "": '[data-testid="stMetricValue"]',
    "entities": 'div[style*="white-space"]',
    "batch": '[data-testid="stFileUploaderDropzone"]',
    "models": '[data-testid="stMetricValue"]',
}
REPEATS = 5


def default_models() -> Path:
    """A folder linking the bundles the sentiment and NER benchmarks trained."""
    folder = Path(tempfile.mkdtemp(prefix="rnntext-ui-"))
    (folder / "sentiment").symlink_to(ROOT / "work" / "sst")
    (folder / "ner").symlink_to(ROOT / "work" / "ner-default")
    return folder


def first_paint_ms(page, url: str, selector: str) -> float:
    started = time.perf_counter()
    page.goto(url)
    page.locator(selector).first.wait_for(timeout=120_000)
    wait_until_idle(page, settle_ms=0)
    return (time.perf_counter() - started) * 1000


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
        for path, selector in PAGES.items():
            first_paint_ms(page, f"{url}/{path}", selector)  # loads and caches the models
        for path, selector in PAGES.items():
            times = [first_paint_ms(page, f"{url}/{path}", selector) for _ in range(REPEATS)]
            results[path or "sentiment"] = {"median_ms": round(statistics.median(times)), "max_ms": round(max(times))}
        browser.close()
    report = {**run_record("benchmarks.ui_benchmark", argv), "pages": results}
    lines = [
        *header("UI benchmark: first paint with cached models", report),
        f"Median of {REPEATS} loads in headless Chromium, navigation to the page drawn and idle.",
        "",
        "| page | median | max |",
        "|---|---|---|",
        *(f"| {name} | {row['median_ms']} ms | {row['max_ms']} ms |" for name, row in results.items()),
    ]
    write_results("ui", report, "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
