"""Transfer study: do pretrained vectors and a language model trained on unlabelled text help the apps?

NER (`--task ner`): the tagger trained on CoNLL-2003 train (dev = valid, test = test),
with and without GloVe vectors (`--model.vectors`), contextual string embeddings from
a forward and a backward character LM trained on the whole train text (its labels
unused), and both. Sentiment (`--task sentiment`): the classifier trained on SST (or
airline tweets), with and without GloVe vectors, its embedding started from a word LM
trained on SST train plus airline-tweets train text, and both (the word LM's own
embedding started from GloVe).
`--sentences N` keeps N training sentences (NER: the first N; SST: a fixed random
sample of sentences, no phrases); `--sentences 0` keeps them all with the default
config, and adds tagging or classification speed of each variant (seed 1's bundle,
Python API, batch) and, for sentiment, the TF-IDF + LogReg baseline. Each variant is
trained once per seed; the report gives every run, the mean and sd.

Run from the project root:
  .venv/bin/python -m benchmarks.transfer_study --task ner --sentences 1000 --seeds 1 2 3
  .venv/bin/python -m benchmarks.transfer_study --task sentiment --sentences 1000 --seeds 1 2 3
  .venv/bin/python -m benchmarks.transfer_study --task ner --sentences 0 --seeds 1
  .venv/bin/python -m benchmarks.transfer_study --task sentiment --dataset airline-tweets --sentences 0
Language models are trained into benchmarks/work/ (or reused when there with the same
config and seed); --lm-override section.key=value changes their config. Writes
benchmarks/results/transfer-<task>-<dataset>-<N or all>.json and .md.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys

import numpy as np

from benchmarks.common import RESULTS, best_seconds, header, run_record, write_results
from benchmarks.seed_study import WORK, trained, variant_runs
from shared.config import load_config
from shared.tasks import DataSource, get_task, title_of
from shared.training import dataset_source

SAMPLE_SEED = 0  # the training sample of SST sentences, the same for every seed and variant
LM_SEED = 42  # the LM benchmark's seed: its forward CoNLL model is reused
# Word level: the sentiment model's embedding size; a 10,000-word softmax and 6 epochs keep it near 15 minutes.
WORD_LM = [
    "--model.level=word", "--model.vocabulary_size=10000", "--model.embedding_dim=128", "--model.units=256",
    "--training.epochs=6",
]  # fmt: skip
WORD_LM_DATASETS = ("sst", "airline-tweets")
GLOVE = ["--model.vectors=glove-6b-50d"]  # the embedding is their size (50), the set's words added as by default
WITHOUT_VECTORS = ["--model.vectors=none"]  # the vectors are the default: the rows without them say so


def language_model(name: str, source: DataSource, overrides: list[str]) -> dict:
    """The metadata (with its path) of the LM `name` of `source`, trained if needed."""
    task = get_task("lm")
    config = load_config(task.config_class, None, overrides)
    out = RESULTS.parent / "work" / name
    return {"path": str(out), **trained(task, source, config, out, LM_SEED)}


def char_lms(overrides: list[str]) -> dict[str, dict]:
    """Forward and backward character LMs of CoNLL-2003's train text."""
    lm = get_task("lm")
    source = dataset_source(lm, "conll2003", lm.config_class())
    return {
        direction: language_model(f"lm-conll2003-{direction}", source, [f"--model.direction={direction}", *overrides])
        for direction in ("forward", "backward")
    }


def word_lm(overrides: list[str], *, vectors: bool = False) -> dict:
    """A word LM of SST train plus airline-tweets train text (dev: both dev texts), its
    embedding started from GloVe when `vectors`."""
    from lm.data import TextCorpus, TextSplits

    lm = get_task("lm")
    texts = {split: [] for split in ("train", "dev")}
    for name in WORD_LM_DATASETS:
        for split, corpus in vars(lm.load_dataset(name)).items():
            if split in texts:
                texts[split].extend(corpus.texts)
    splits = TextSplits(*(TextCorpus(f"sst+airline {s}", texts=tuple(texts[s])) for s in ("train", "dev")), None)
    description = {"name": "sst+airline-tweets", "datasets": list(WORD_LM_DATASETS), "splits": ["train", "dev"]}
    settings = (
        [item for item in WORD_LM if not item.startswith("--model.embedding_dim")] + GLOVE if vectors else WORD_LM
    )
    name = "lm-sst-airline-word" + ("-glove" if vectors else "")
    return language_model(name, DataSource(description, splits), [*settings, *overrides])


def training_source(task, dataset: str, sentences: int, config) -> DataSource:
    """The registered dataset, with only `sentences` training examples unless 0."""
    full = dataset_source(task, dataset, config)
    if not sentences:
        return full
    if task.name == "ner":
        train = full.splits.train[:sentences]
        return DataSource(
            {**full.description, "train_examples": sentences}, dataclasses.replace(full.splits, train=train)
        )
    # SST's train file is grouped by source review (its first 4,000 sentences are 80% positive),
    # so a fixed random sample stands in for "the first N".
    keep = sorted(np.random.default_rng(SAMPLE_SEED).permutation(len(full.splits.train.texts))[:sentences])
    train = dataclasses.replace(
        full.splits.train,
        texts=[full.splits.train.texts[i] for i in keep],
        labels=[full.splits.train.labels[i] for i in keep],
    )
    return DataSource(
        {**full.description, "train_examples": sentences, "train_sample": f"random, seed {SAMPLE_SEED}"},
        dataclasses.replace(full.splits, train=train),
    )


def test_texts(source: DataSource) -> list[str]:
    """The raw texts of the test split (NER: its tokens joined by spaces)."""
    test = source.splits.test
    return (
        [" ".join(s.tokens) for s in test]
        if hasattr(test, "sentences") or not hasattr(test, "texts")
        else list(test.texts)
    )


def api_speed(task_name: str, bundle: str, texts: list[str]) -> dict:
    """Batch throughput of the Python API on `texts` (tokens/s for NER, texts/s for sentiment)."""
    if task_name == "ner":
        from ner import EntityTagger
        from ner.tokenizer import tokenize_batch

        tagger = EntityTagger.load(bundle)
        tokens = sum(len(row) for row in tokenize_batch(texts))
        return {"tokens_per_s": round(tokens / best_seconds(lambda: tagger.predict_batch(texts)))}
    from sentiment import SentimentClassifier

    classifier = SentimentClassifier.load(bundle)
    return {"texts_per_s": round(len(texts) / best_seconds(lambda: classifier.predict_proba(texts)))}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=("ner", "sentiment"), default="ner")
    parser.add_argument("--dataset", help="conll2003 (ner); sst or airline-tweets (sentiment; default sst)")
    parser.add_argument("--sentences", type=int, default=1000, help="training sentences kept; 0: all (default: 1000)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--lm-override", action="append", default=[], help="LM config section.key=value")
    args = parser.parse_args(argv)
    dataset = args.dataset or ("conll2003" if args.task == "ner" else "sst")
    size = str(args.sentences) if args.sentences else "all"
    report = {
        **run_record("benchmarks.transfer_study", argv),
        "task": args.task,
        "dataset": dataset,
        "sentences": args.sentences or "all",
    }

    lm_overrides = [f"--{item}" for item in args.lm_override]
    if args.task == "ner":
        lms = char_lms(lm_overrides)
        base_overrides = WITHOUT_VECTORS
        chars = [f"--model.char_lm_{d}={lms[d]['path']}" for d in ("forward", "backward")]
        lifted = {
            "with vectors": GLOVE,
            "with char LMs": [*WITHOUT_VECTORS, *chars],
            "with vectors and char LMs": [*GLOVE, *chars],
        }
    else:
        lms = {"word": word_lm(lm_overrides), "word, from GloVe": word_lm(lm_overrides, vectors=True)}
        phrases = ["--training.phrases=false"] if args.sentences and dataset == "sst" else []
        base_overrides = [*phrases, *WITHOUT_VECTORS]
        encoder = [*phrases, f"--model.sequence.encoder={lms['word']['path']}"]  # an encoder trains without vectors
        lifted = {"with vectors": [*phrases, *GLOVE], "with word LM encoder": encoder}
        if args.sentences:  # ULMFiT's step further, measured where labels are few
            lifted["with word LM encoder and its LSTM"] = [*encoder, "--model.sequence.encoder_layers=1"]
        lifted["with vectors and word LM (the LM from GloVe)"] = [
            *phrases, f"--model.sequence.encoder={lms['word, from GloVe']['path']}", "--model.embedding_dim=50",
        ]  # fmt: skip
    report["language_models"] = {
        name: {
            "path": meta["path"],
            "dev": meta["metrics"]["dev"],
            "minutes": round(meta["training"]["seconds"] / 60, 1),
            "train_tokens": meta["training"]["train_tokens"],
        }
        for name, meta in lms.items()
    }

    task = get_task(args.task)
    source = training_source(task, dataset, args.sentences, load_config(task.config_class, None, base_overrides))
    report["variants"] = {}
    for name, overrides in {"without vectors or LM": base_overrides, **lifted}.items():
        config = load_config(task.config_class, None, overrides)
        words = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")
        slug = f"{task.name}-{f'low{args.sentences}' if args.sentences else dataset}-{words}"
        report["variants"][name] = variant_runs(task, source, config, overrides, args.seeds, slug)
        if not args.sentences:
            texts = (
                source.splits.test.texts
                if task.name == "sentiment"
                else [" ".join(s.tokens) for s in source.splits.test]
            )
            report["variants"][name]["speed"] = api_speed(task.name, WORK / f"{slug}-{args.seeds[0]}", list(texts))
    if task.name == "sentiment" and not args.sentences:
        from benchmarks.sentiment_benchmark import baseline

        report["baseline_tfidf_logreg"] = baseline(source.splits)
    write_results(f"transfer-{task.name}-{dataset}-{size}", report, to_markdown(report, task))
    return 0


def to_markdown(report: dict, task) -> str:
    score = "entity F1" if task.name == "ner" else "macro-F1"
    sentences = report["sentences"]
    amount = "all training sentences" if sentences == "all" else f"{sentences} training sentences"
    full = sentences == "all"
    lines = [
        *header(
            f"{title_of(task.name)} on {report['dataset']}, {amount}: pretrained vectors and language models", report
        ),
        "Language models (labels unused): "
        + "; ".join(
            f"{name}: {meta['path'].rsplit('/', 1)[-1]}, {meta['train_tokens']:,} train tokens, "
            f"dev {json_dev(meta['dev'])} ({meta['minutes']} min)"
            for name, meta in report["language_models"].items()
        ),
        "",
        f"| variant | seeds | dev {score} mean (sd) | test {score} mean (sd) | per-seed test | minutes per run |"
        + (" API speed |" if full else ""),
        "|---|---|---|---|---|---|" + ("---|" if full else ""),
    ]
    for name, result in report["variants"].items():
        dev, test, runs = result["dev"], result["test"], result["runs"]
        per_seed = ", ".join(f"{run['test'] * 100:.1f}" for run in runs)
        speed = "".join(
            f" {value:,} {unit.replace('_per_s', '/s')} |" for unit, value in result.get("speed", {}).items()
        )
        lines.append(
            f"| {name} | {len(runs)} | {dev['mean'] * 100:.2f} ({dev['sd'] * 100:.2f}) "
            f"| {test['mean'] * 100:.2f} ({test['sd'] * 100:.2f}) | {per_seed} "
            f"| {sum(run['minutes'] for run in runs) / len(runs):.1f} |{speed}"
        )
    base = report["variants"]["without vectors or LM"]
    lines.append("")
    for name, lift in report["variants"].items():
        if lift is base:
            continue
        gain = (lift["test"]["mean"] - base["test"]["mean"]) * 100
        dev_gain = (lift["dev"]["mean"] - base["dev"]["mean"]) * 100
        line = f"{name[0].upper()}{name[1:]}: test {score} {gain:+.2f} points (dev {dev_gain:+.2f})"
        if "test_accuracy" in base:
            accuracy = (lift["test_accuracy"]["mean"] - base["test_accuracy"]["mean"]) * 100
            line += f", test accuracy {accuracy:+.2f} ({lift['test_accuracy']['mean'] * 100:.2f} against "
            line += f"{base['test_accuracy']['mean'] * 100:.2f})"
        lines.append(line + ".")
    if "baseline_tfidf_logreg" in report:
        tfidf = report["baseline_tfidf_logreg"]["test"]
        lines.append(
            f"TF-IDF + LogReg (C tuned on dev): test accuracy {tfidf['accuracy'] * 100:.2f}, "
            f"macro-F1 {tfidf['macro_f1'] * 100:.2f}."
        )
    return "\n".join(lines) + "\n"


def json_dev(dev: dict) -> str:
    if "perplexity" in dev:
        return f"perplexity {dev['perplexity']:.1f}"
    return f"{dev['bits_per_char']:.3f} bits/char"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
