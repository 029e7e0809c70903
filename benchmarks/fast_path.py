"""The fast path and the ONNX runtime (issue 32), side by side in one run:

1. Exactness: each bundle's TensorFlow engine (the Keras model, as before the fast path)
   against `rnntext_runtime` on its export, on every sentence of its test set and on the
   Unicode torture set of the tests: labels or entities (type and character offsets)
   equal, the largest difference of a probability.
2. One text per call, p50 / p99: the Python API (its fast path), the same bundle on the
   TensorFlow engine, the runtime, and the baselines of `evaluate --baseline` (TF-IDF +
   logistic regression; the CRF on hand features, fed by the runtime's tokenizer), the
   same texts, every variant taking its turn on each text.
3. Batches: texts per second over the whole test set.
4. Memory: the peak resident memory of a fresh process that loads the model and predicts
   1,000 texts (the runtime alone; the API, which imports TensorFlow).
5. Install size: the installed files of what each needs (onnxruntime and numpy with
   their dependencies; tensorflow-cpu and keras with theirs).

    python -m benchmarks.fast_path --sentiment S --airline A --encoder E --ner N --ner-plain P
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.common import header, run_record, write_results

ROOT = Path(__file__).resolve().parent.parent
TORTURE = json.loads((ROOT / "tests" / "fixtures" / "unicode_torture.json").read_text())
SINGLE_TEXTS = 1000


def exported(api, folder: Path):
    import rnntext_runtime
    from shared.export import export_portable

    export_portable(api, folder)
    return rnntext_runtime.load(folder)


def sentiment_exactness(bundle: Path, dataset: str, work: Path) -> dict:
    from sentiment import SentimentClassifier
    from sentiment.data import load_named_dataset

    api = SentimentClassifier.load(bundle)
    reference = SentimentClassifier(api.model, api.metadata)  # the TensorFlow engine
    runtime = exported(api, work / f"{bundle.name}-onnx")
    texts = list(load_named_dataset(dataset).test.texts) + TORTURE
    expected, found = reference.predict_proba(texts), runtime.predict_proba(texts)
    return {
        "bundle": bundle.name,
        "texts": len(texts),
        "labels_equal": int((expected.argmax(1) == found.argmax(1)).sum()),
        "max_probability_difference": float(np.abs(expected - found).max()),
        "fast_path_max_difference": float(np.abs(api.predict_proba(texts) - expected).max()),
    }


def ner_exactness(bundle: Path, work: Path) -> dict:
    from ner import EntityTagger
    from ner.data import load_named_dataset

    api = EntityTagger.load(bundle)
    reference = EntityTagger(api.model, api.metadata)
    runtime = exported(api, work / f"{bundle.name}-onnx")
    sentences = load_named_dataset("conll2003").test
    texts = [" ".join(sentence.tokens) for sentence in sentences] + TORTURE

    def spans(rows):
        return [[(e.label, e.start, e.end) for e in row] for row in rows]

    expected, found = reference.predict(texts), runtime.predict(texts)
    rows = [list(sentence.tokens) for sentence in sentences]
    tagged_expected, tagged_found = reference.tag_tokens(rows), runtime.tag_tokens(rows)
    flat = lambda rows, field: np.array([v for row in rows for v in getattr(row, field)])  # noqa: E731
    return {
        "bundle": bundle.name,
        "texts": len(texts),
        "entities": sum(len(row) for row in expected),
        "texts_with_equal_entities": sum(a == b for a, b in zip(spans(expected), spans(found))),
        "gold_token_rows_with_equal_tags": sum(a.tags == b.tags for a, b in zip(tagged_expected, tagged_found)),
        "max_tag_probability_difference": float(
            np.abs(flat(tagged_expected, "scores") - flat(tagged_found, "scores")).max()
        ),
        "max_entity_score_difference": float(
            np.abs(flat(tagged_expected, "entity_scores") - flat(tagged_found, "entity_scores")).max()
        ),
        "max_reported_entity_score_difference": max(
            (abs(a.score - b.score) for x, y in zip(expected, found) for a, b in zip(x, y)), default=0.0
        ),
    }


def turns(variants: dict, texts: list[str]) -> dict:
    """p50 and p99 in ms of each variant's one-text call, every variant in turn on each text."""
    for call in variants.values():
        for text in texts[:20]:
            call(text)
    times = {name: [] for name in variants}
    for text in texts:
        for name, call in variants.items():
            started = time.perf_counter()
            call(text)
            times[name].append(time.perf_counter() - started)
    return {
        name: {
            "p50_ms": round(float(np.percentile(t, 50)) * 1e3, 3),
            "p99_ms": round(float(np.percentile(t, 99)) * 1e3, 3),
        }
        for name, t in times.items()
    }


def batch_rate(call, texts: list[str]) -> float:
    call(texts[:256])
    started = time.perf_counter()
    call(texts)
    return round(len(texts) / (time.perf_counter() - started), 1)


def sentiment_speed(bundle: Path, work: Path) -> dict:
    from sentiment import SentimentClassifier
    from sentiment.baseline import tfidf_pipeline
    from sentiment.data import load_named_dataset

    splits = load_named_dataset("sst")
    api = SentimentClassifier.load(bundle)
    reference = SentimentClassifier(api.model, api.metadata)
    runtime = exported(api, work / "speed-sentiment-onnx")
    tfidf = tfidf_pipeline(2.0).fit(list(splits.train.texts), list(splits.train.labels))
    texts = list(splits.test.texts)
    single = turns(
        {
            "API (fast path)": api.predict,
            "API, TensorFlow engine": reference.predict,
            "rnntext_runtime": runtime.predict,
            "TF-IDF + LogReg": lambda text: tfidf.predict_proba([text]),
        },
        texts[:SINGLE_TEXTS],
    )
    batch = {
        "API (fast path)": batch_rate(api.predict_proba, texts),
        "API, TensorFlow engine": batch_rate(reference.predict_proba, texts),
        "rnntext_runtime": batch_rate(runtime.predict_proba, texts),
        "TF-IDF + LogReg": batch_rate(tfidf.predict_proba, texts),
    }
    return {"bundle": bundle.name, "texts": len(texts), "single": single, "batch_texts_per_second": batch}


def ner_speed(bundle: Path, work: Path) -> dict:
    import sklearn_crfsuite

    from ner import EntityTagger
    from ner.baseline import ITERATIONS, STRENGTHS, featurized
    from ner.data import Sentence, load_named_dataset

    splits = load_named_dataset("conll2003")
    api = EntityTagger.load(bundle)
    reference = EntityTagger(api.model, api.metadata)
    runtime = exported(api, work / "speed-ner-onnx")
    c1, c2 = STRENGTHS[0]
    crf = sklearn_crfsuite.CRF(algorithm="lbfgs", c1=c1, c2=c2, max_iterations=ITERATIONS)
    crf.fit(featurized(splits.train), [list(s.tags) for s in splits.train])

    def crf_entities(text: str):
        tokens = tuple(token.text for token in runtime.tokenize(text))
        return crf.predict(featurized([Sentence(tokens, ("O",) * len(tokens))])) if tokens else []

    texts = [" ".join(sentence.tokens) for sentence in splits.test]
    single = turns(
        {
            "API (fast path)": api.predict,
            "API, TensorFlow engine": reference.predict,
            "rnntext_runtime": runtime.predict,
            "CRF (hand features)": crf_entities,
        },
        texts[:SINGLE_TEXTS],
    )
    batch = {
        "API (fast path)": batch_rate(api.predict, texts),
        "API, TensorFlow engine": batch_rate(reference.predict, texts),
        "rnntext_runtime": batch_rate(runtime.predict, texts),
        "CRF (hand features)": batch_rate(lambda rows: [crf_entities(t) for t in rows], texts),
    }
    return {"bundle": bundle.name, "texts": len(texts), "single": single, "batch_texts_per_second": batch}


MEMORY_SCRIPT = """
import sys, json
kind, folder, texts = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
if kind == "runtime":
    import rnntext_runtime
    model = rnntext_runtime.load(folder)
else:
    from sentiment import SentimentClassifier
    from ner import EntityTagger
    model = (SentimentClassifier if kind == "sentiment" else EntityTagger).load(folder)
model.predict(texts)
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec.
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"peak_rss_mb": peak / 1024, "tensorflow_imported": "tensorflow" in sys.modules}))
"""


def memory(kind: str, folder: Path, texts: list[str], work: Path) -> dict:
    texts_file = work / "memory-texts.json"
    texts_file.write_text(json.dumps(texts))
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT, kind, str(folder), str(texts_file)],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def install_mb(roots: list[str]) -> dict:
    """The installed size of `roots` and everything they require (not extras), in MB."""
    from importlib import metadata

    from packaging.requirements import Requirement

    seen, queue, total = set(), list(roots), 0
    while queue:
        name = queue.pop().lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        total += sum(f.locate().stat().st_size for f in dist.files or [] if f.locate().is_file())
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                queue.append(requirement.name)
    return {"packages": sorted(seen), "mb": round(total / 2**20, 1)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name in ("sentiment", "airline", "encoder", "ner", "ner-plain"):
        parser.add_argument(f"--{name}", type=Path, required=True)
    args = parser.parse_args(argv)
    report = run_record("benchmarks.fast_path", argv)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        report["exactness"] = [
            sentiment_exactness(args.sentiment, "sst", work) | {"dataset": "sst"},
            sentiment_exactness(args.airline, "airline-tweets", work) | {"dataset": "airline-tweets"},
            sentiment_exactness(args.encoder, "sst", work) | {"dataset": "sst"},
            ner_exactness(args.ner, work) | {"dataset": "conll2003"},
            ner_exactness(args.ner_plain, work) | {"dataset": "conll2003"},
        ]
        report["sentiment_speed"] = sentiment_speed(args.sentiment, work)
        report["ner_speed"] = ner_speed(args.ner, work)
        from ner.data import load_named_dataset as conll
        from sentiment.data import load_named_dataset as sentiment_data

        sst_texts = list(sentiment_data("sst").test.texts)[:1000]
        conll_texts = [" ".join(s.tokens) for s in conll("conll2003").test][:1000]
        report["memory"] = {
            "sentiment": {
                "rnntext_runtime": memory("runtime", work / "speed-sentiment-onnx", sst_texts, work),
                "API": memory("sentiment", args.sentiment, sst_texts, work),
            },
            "ner": {
                "rnntext_runtime": memory("runtime", work / "speed-ner-onnx", conll_texts, work),
                "API": memory("ner", args.ner, conll_texts, work),
            },
        }
    report["install"] = {
        "rnntext_runtime": install_mb(["onnxruntime", "numpy"]),
        "TensorFlow": install_mb(["tensorflow-cpu", "keras"]),
    }
    write_results("fast-path", report, to_markdown(report))
    return 0


def to_markdown(report: dict) -> str:
    lines = header("The fast path and the ONNX runtime", report)
    lines += [
        "## Exactness: the TensorFlow engine against rnntext_runtime (every test sentence + the torture set)",
        "",
        "| bundle | dataset | texts | labels equal | max probability difference | API fast path: max difference |",
        "|---|---|---|---|---|---|",
    ]
    for row in report["exactness"]:
        if "labels_equal" in row:
            lines.append(
                f"| {row['bundle']} | {row['dataset']} | {row['texts']:,} | {row['labels_equal']:,} | "
                f"{row['max_probability_difference']:.1e} | {row['fast_path_max_difference']:.1e} |"
            )
    lines += [
        "",
        "| tagger | texts (entities) | texts with equal entities | gold-token rows with equal tags | "
        "max tag probability difference | max entity score difference (reported, 4 digits) |",
        "|---|---|---|---|---|---|",
    ]
    for row in report["exactness"]:
        if "entities" in row:
            lines.append(
                f"| {row['bundle']} | {row['texts']:,} ({row['entities']:,}) | {row['texts_with_equal_entities']:,} | "
                f"{row['gold_token_rows_with_equal_tags']:,} | {row['max_tag_probability_difference']:.1e} | "
                f"{row['max_entity_score_difference']:.1e} ({row['max_reported_entity_score_difference']:.4f}) |"
            )
    for task in ("sentiment", "ner"):
        speed = report[f"{task}_speed"]
        lines += [
            "",
            f"## {task}: one text per call ({SINGLE_TEXTS:,} test texts, taking turns) and batches "
            f"({speed['texts']:,} texts), bundle {speed['bundle']}",
            "",
            "| variant | p50 ms | p99 ms | batch texts/s |",
            "|---|---|---|---|",
        ]
        for name, single in speed["single"].items():
            lines.append(
                f"| {name} | {single['p50_ms']:.3f} | {single['p99_ms']:.3f} | "
                f"{speed['batch_texts_per_second'][name]:,.0f} |"
            )
    lines += ["", "## Memory (peak resident, a fresh process: load, predict 1,000 test texts)", ""]
    lines += ["| task | rnntext_runtime | the API (TensorFlow imported) |", "|---|---|---|"]
    for task, row in report["memory"].items():
        runtime, api = row["rnntext_runtime"], row["API"]
        imported = runtime["tensorflow_imported"]
        cells = f"{runtime['peak_rss_mb']:.0f} MB (TensorFlow imported: {imported}) | {api['peak_rss_mb']:.0f} MB"
        lines.append(f"| {task} | {cells} |")
    runtime, tensorflow = report["install"]["rnntext_runtime"], report["install"]["TensorFlow"]
    lines += [
        "",
        "## Install size (the packages and everything they require)",
        "",
        f"- rnntext_runtime: {runtime['mb']:,.0f} MB ({', '.join(runtime['packages'])})",
        f"- TensorFlow and Keras: {tensorflow['mb']:,.0f} MB ({len(tensorflow['packages'])} packages)",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
