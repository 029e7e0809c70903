"""Low-resource study: does a language model trained on unlabelled text help when labels are few?

NER (`--task ner`): the tagger trained on the first N sentences of CoNLL-2003 train
(dev = valid, test = test), with and without contextual string embeddings from a
forward and a backward character LM trained on the whole train text (its labels
unused). Sentiment (`--task sentiment`): the classifier trained on the first N SST
train sentences (sentences only, no phrases), with and without its embedding
started from a word LM trained on SST train plus airline-tweets train text. Each
variant is trained once per seed; the report gives every run, the mean and sd.

Run from the project root:
  .venv/bin/python -m benchmarks.lowresource_study --task ner --sentences 1000 --seeds 1 2 3
  .venv/bin/python -m benchmarks.lowresource_study --task sentiment --sentences 1000 --seeds 1 2 3
Language models are trained into benchmarks/work/ (or reused when there with the same
config and seed); --lm-override section.key=value changes their config. Writes
benchmarks/results/lowresource-<task>-<N>.json and .md.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

from benchmarks.common import RESULTS, header, run_record, write_results
from benchmarks.seed_study import trained, variant_runs
from shared.config import load_config
from shared.tasks import DataSource, get_task
from shared.trainer import dataset_source

LM_SEED = 42  # the LM benchmark's seed: its forward CoNLL model is reused
# Word level: the sentiment model's embedding size; a 10,000-word softmax and 6 epochs keep it near 15 minutes.
WORD_LM = [
    "--model.level=word", "--model.vocabulary_size=10000", "--model.embedding_dim=128", "--model.units=256",
    "--training.epochs=6",
]  # fmt: skip
WORD_LM_DATASETS = ("sst", "airline-tweets")


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


def word_lm(overrides: list[str]) -> dict:
    """A word LM of SST train plus airline-tweets train text (dev: both dev texts)."""
    from lm.data import TextCorpus, TextSplits

    lm = get_task("lm")
    texts = {split: [] for split in ("train", "dev")}
    for name in WORD_LM_DATASETS:
        for split, corpus in vars(lm.load_dataset(name)).items():
            if split in texts:
                texts[split].extend(corpus.texts)
    splits = TextSplits(*(TextCorpus(f"sst+airline {s}", texts=tuple(texts[s])) for s in ("train", "dev")), None)
    description = {"name": "sst+airline-tweets", "datasets": list(WORD_LM_DATASETS), "splits": ["train", "dev"]}
    return language_model("lm-sst-airline-word", DataSource(description, splits), [*WORD_LM, *overrides])


def low_resource_source(task, sentences: int) -> DataSource:
    """The task's registered dataset with only its first `sentences` training examples."""
    if task.name == "ner":
        full = dataset_source(task, "conll2003", task.config_class())
        train = full.splits.train[:sentences]
    else:
        full = dataset_source(task, "sst", load_config(task.config_class, None, ["--training.phrases=false"]))
        train = dataclasses.replace(
            full.splits.train, texts=full.splits.train.texts[:sentences], labels=full.splits.train.labels[:sentences]
        )
    return DataSource({**full.description, "train_examples": sentences}, dataclasses.replace(full.splits, train=train))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=("ner", "sentiment"), default="ner")
    parser.add_argument("--sentences", type=int, default=1000, help="training sentences kept (default: 1000)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--lm-override", action="append", default=[], help="LM config section.key=value")
    args = parser.parse_args(argv)
    report = {**run_record("benchmarks.lowresource_study", argv), "task": args.task, "sentences": args.sentences}

    lm_overrides = [f"--{item}" for item in args.lm_override]
    if args.task == "ner":
        lms = char_lms(lm_overrides)
        lifted_name = "with char LMs"
        lifted = [f"--model.char_lm_{d}={lms[d]['path']}" for d in ("forward", "backward")]
        base_overrides = []
    else:
        lms = {"word": word_lm(lm_overrides)}
        lifted_name = "with word LM encoder"
        lifted = ["--training.phrases=false", f"--model.encoder={lms['word']['path']}"]
        base_overrides = ["--training.phrases=false"]
    report["language_models"] = {
        name: {
            "path": meta["path"],
            "dev": meta["metrics"]["dev"],
            "minutes": round(meta["training"]["seconds"] / 60, 1),
        }
        for name, meta in lms.items()
    }

    task = get_task(args.task)
    source = low_resource_source(task, args.sentences)
    report["variants"] = {}
    for name, overrides in {"without LM": base_overrides, lifted_name: lifted}.items():
        config = load_config(task.config_class, None, overrides)
        slug = f"{task.name}-low{args.sentences}-{name.replace(' ', '-')}"
        report["variants"][name] = variant_runs(task, source, config, overrides, args.seeds, slug)

    score = "entity F1" if args.task == "ner" else "macro-F1"
    lines = [
        *header(
            f"Low-resource {task.title.lower()}: {args.sentences} training sentences, with and without an LM", report
        ),
        "Language models (labels unused): "
        + "; ".join(
            f"{name}: {meta['path'].rsplit('/', 1)[-1]}, dev {json_dev(meta['dev'])} ({meta['minutes']} min)"
            for name, meta in report["language_models"].items()
        ),
        "",
        f"| variant | seeds | dev {score} mean (sd) | test {score} mean (sd) | per-seed test | minutes per run |",
        "|---|---|---|---|---|---|",
    ]
    for name, result in report["variants"].items():
        dev, test, runs = result["dev"], result["test"], result["runs"]
        per_seed = ", ".join(f"{run['test'] * 100:.1f}" for run in runs)
        lines.append(
            f"| {name} | {len(runs)} | {dev['mean'] * 100:.2f} ({dev['sd'] * 100:.2f}) "
            f"| {test['mean'] * 100:.2f} ({test['sd'] * 100:.2f}) | {per_seed} "
            f"| {sum(run['minutes'] for run in runs) / len(runs):.1f} |"
        )
    base, lift = report["variants"]["without LM"], report["variants"][lifted_name]
    gain = (lift["test"]["mean"] - base["test"]["mean"]) * 100
    dev_gain = (lift["dev"]["mean"] - base["dev"]["mean"]) * 100
    lines += ["", f"Test {score} gain from the LM: {gain:+.2f} points (dev {dev_gain:+.2f})."]
    if args.task == "sentiment":
        accuracy = (lift["test_accuracy"]["mean"] - base["test_accuracy"]["mean"]) * 100
        lines.append(
            f"Test accuracy: {base['test_accuracy']['mean'] * 100:.2f} without, "
            f"{lift['test_accuracy']['mean'] * 100:.2f} with ({accuracy:+.2f} points)."
        )
    write_results(f"lowresource-{args.task}-{args.sentences}", report, "\n".join(lines) + "\n")
    return 0


def json_dev(dev: dict) -> str:
    if "perplexity" in dev:
        return f"perplexity {dev['perplexity']:.1f}"
    return f"{dev['bits_per_char']:.3f} bits/char"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
