"""NER benchmark: the default config on CoNLL-2003 vs a CRF with hand features.

Trains the default configuration on CoNLL-2003 train (model selection on valid
only), then reports valid and test entity-level micro F1 (conlleval-compatible and
strict IOB2) with per-type F1, the same for a linear-chain CRF baseline with standard
hand features (sklearn-crfsuite, no POS or chunk columns, as raw text has none),
training wall time and epochs, tagging throughput (tokens/s) and single-sentence
latency (median of 100 calls) through the Python API and the exported SavedModel.

Run from the project root:
  .venv/bin/python -m benchmarks.ner_benchmark
  .venv/bin/python -m benchmarks.ner_benchmark --model DIR   # reuse a bundle trained with the defaults
Writes benchmarks/results/ner.json and benchmarks/results/ner.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import shared

shared.import_tensorflow_quietly()


from benchmarks.common import (  # noqa: E402
    best_seconds,
    header,
    median_latency_ms,
    per_type_cells,
    run_record,
    savedmodel_speed,
    write_results,
)
from ner import EntityTagger  # noqa: E402
from ner.baseline import fit_crf  # noqa: E402
from ner.config import NerConfig  # noqa: E402
from ner.data import load_named_dataset  # noqa: E402
from ner.metrics import entity_report  # noqa: E402
from ner.tokenizer import tokenize_batch  # noqa: E402
from shared.config import config_to_dict  # noqa: E402
from shared.export import export_model  # noqa: E402
from shared.tasks import get_task  # noqa: E402
from shared.training import dataset_source, train  # noqa: E402

ROOT = Path(__file__).resolve().parent
WORK = ROOT / "work"


def crf_baseline(splits) -> dict:
    """sklearn-crfsuite with hand features (`ner.baseline`), L1/L2 strengths chosen on valid."""
    started = time.perf_counter()
    baseline = fit_crf(splits.train, splits.dev)
    seconds = time.perf_counter() - started
    dev = entity_report([s.tags for s in splits.dev], baseline.predict(splits.dev))
    test = entity_report([s.tags for s in splits.test], baseline.predict(splits.test))
    c1, c2 = baseline.strengths
    return {"c1": c1, "c2": c2, "train_seconds_both_settings": round(seconds, 1),
            "dev": _scores(dev), "test": _scores(test)}  # fmt: skip


def _scores(report: dict) -> dict:
    return {
        "f1": round(report["conlleval"]["f1"], 4),
        "precision": round(report["conlleval"]["precision"], 4),
        "recall": round(report["conlleval"]["recall"], 4),
        "strict_f1": round(report["strict"]["f1"], 4),
        "per_type_f1": {kind: round(row["f1"], 4) for kind, row in report["conlleval"]["per_type"].items()},
    }


def speed(tagger: EntityTagger, texts: list[str], export_dir: Path) -> dict:
    """Tokens/s in batch and single-sentence latency via the API and the SavedModel."""
    tokens = sum(len(row) for row in tokenize_batch(texts))
    export_model(tagger, export_dir)
    served_seconds, served_p50 = savedmodel_speed(export_dir, texts)
    return {
        "sentences": len(texts),
        "tokens": tokens,
        "api_tokens_per_s": round(tokens / best_seconds(lambda: tagger.predict_batch(texts))),
        "api_latency_p50_ms": median_latency_ms(tagger.predict, texts[:100]),
        "savedmodel_tokens_per_s": round(tokens / served_seconds),
        "savedmodel_latency_p50_ms": served_p50,
    }


def trained_bundle(model: Path | None, config: NerConfig, splits) -> Path:
    """Train the default config, or check that `model` was trained with it on conll2003."""
    if model is None:
        model = WORK / "ner-default"
        train(get_task("ner"), dataset_source(get_task("ner"), "conll2003", config), config, model, seed=42)
        return model
    metadata = json.loads((model / "metadata.json").read_text())
    if metadata["config"] != config_to_dict(config) or metadata["dataset"].get("name") != "conll2003":
        raise SystemExit(f"{model} was not trained with the default config on conll2003")
    return model


def to_markdown(report: dict) -> str:
    model, base, s = report["model"], report["baseline_crf"], report["speed"]
    lines = [
        *header("NER benchmark (CoNLL-2003 English)", report),
        "Entity-level micro F1 (seqeval, conlleval-compatible; strict IOB2 in brackets):",
        "",
        "| model | test F1 | valid F1 | test PER | test LOC | test ORG | test MISC | train time |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, row, minutes in (
        (f"default BiLSTM ({report['config']['model']['output']})", model, model["train_seconds"] / 60),
        (f"CRF, hand features (c1={base['c1']}, c2={base['c2']})", base, None),
    ):
        lines.append(
            f"| {name} | {row['test']['f1'] * 100:.1f} ({row['test']['strict_f1'] * 100:.1f}) "
            f"| {row['dev']['f1'] * 100:.1f} ({row['dev']['strict_f1'] * 100:.1f}) | "
            + per_type_cells(row["test"]["per_type_f1"])
            + f" | {f'{minutes:.1f} min' if minutes else ''} |"
        )
    lines += [
        "",
        f"Default model: {model['epochs_run']} epochs run, best valid epoch {model['best_epoch']}.",
        "",
        f"Speed on {s['sentences']} test sentences ({s['tokens']:,} tokens, raw text in, tokenization included):",
        "",
        "| path | batch tokens/s | single-sentence latency p50 |",
        "|---|---|---|",
        f"| Python API | {s['api_tokens_per_s']:,} | {s['api_latency_p50_ms']} ms |",
        f"| SavedModel | {s['savedmodel_tokens_per_s']:,} | {s['savedmodel_latency_p50_ms']} ms |",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a bundle trained with the default config on conll2003")
    args = parser.parse_args(argv)
    config = NerConfig()
    splits = load_named_dataset("conll2003")
    bundle = trained_bundle(args.model, config, splits)
    tagger = EntityTagger.load(bundle)
    metadata = tagger.metadata
    texts = [" ".join(s.tokens) for s in splits.test]
    report = {
        **run_record("benchmarks.ner_benchmark", argv),
        "config": config_to_dict(config),
        "model": {
            "train_seconds": metadata["training"]["seconds"],
            "epochs_run": metadata["training"]["epochs_run"],
            "best_epoch": metadata["training"]["best_epoch"],
            "dev": _scores(metadata["metrics"]["dev"]),
            "test": _scores(metadata["metrics"]["test"]),
        },
        "baseline_crf": crf_baseline(splits),
        "speed": speed(tagger, texts, WORK / "ner-export"),
    }
    write_results("ner", report, to_markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
