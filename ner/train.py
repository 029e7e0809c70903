"""Train an entity tagger (BIO tags, e.g. PER/LOC/ORG/MISC) and save it as a bundle.

Data comes from a registered dataset (--dataset conll2003) or your own CoNLL-format
files (--train/--dev[/--test]: one token per line, tag in the last column, blank
lines between sentences; IOB1 or IOB2, detected or set with --scheme). Settings come
from the defaults, then --config FILE (JSON), then dotted overrides such as
--model.output softmax --training.epochs 10.

Examples:
  python -m ner.train --dataset conll2003 --out models/ner
  python -m ner.train --train my/train.txt --dev my/dev.txt --out models/my-ner
  python -m ner.train --dataset conll2003 --out models/ner --resume   # after a crash

A checkpoint is written every epoch to OUT.training/; --resume continues from it.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from ner.config import NerConfig, TrainingConfig
from ner.data import DATASETS, NerSplits, Sentence, load_conll_files, load_named_dataset
from ner.tags import SCHEMES, entity_types, tag_set
from shared.cli import make_parser, run_cli
from shared.config import config_to_dict, load_config
from shared.datasets import dataset_fingerprint
from shared.files import sha256_of

TASK = "ner"
DEFAULT_OUT = Path("models") / "ner"
MONITOR = "f1"


def load_data(args) -> tuple[dict, NerSplits]:
    """(description for the bundle, splits) from the CLI arguments."""
    if args.dataset:
        return dataset_fingerprint(args.dataset), load_named_dataset(args.dataset)
    splits = load_conll_files(args.train, args.dev, args.test, args.scheme)
    files = {"train": args.train, "dev": args.dev, "test": args.test}
    description = {
        "name": Path(args.train).name,
        "files": {split: {"path": str(path), "sha256": sha256_of(path)} for split, path in files.items() if path},
        "scheme": args.scheme,
    }
    return description, splits


def build_vocabularies(sentences: list[Sentence], size: int) -> tuple[list[str], list[str]]:
    """(words, characters) of the training data: normalized words by frequency (at most
    `size`), characters seen at least twice (rarer ones map to the unknown id)."""
    import tensorflow as tf

    from ner.model import normalize_words

    tokens = [token for sentence in sentences for token in sentence.tokens]
    keys = [key.decode("utf-8") for key in normalize_words(tf.constant(tokens)).numpy()]
    words = [word for word, _ in sorted(Counter(keys).items(), key=lambda item: (-item[1], item[0]))[:size]]
    char_counts = Counter(char for token in tokens for char in token)
    characters = sorted(char for char, count in char_counts.items() if count >= 2)
    return words, characters


def ragged(sentences: list[Sentence], tags: list[str]):
    """(tokens, tag ids) as RaggedTensors."""
    import tensorflow as tf

    index = {tag: i for i, tag in enumerate(tags)}
    tokens = tf.ragged.constant([list(s.tokens) for s in sentences], dtype=tf.string)
    tag_ids = tf.ragged.constant([[index[t] for t in s.tags] for s in sentences], dtype=tf.int32)
    return tokens, tag_ids


def make_optimizer(training: TrainingConfig, steps: int):
    """Adam with gradient clipping, the configured learning-rate schedule over `steps`
    and, with `ema_momentum`, weight averaging (folded in as each epoch's `fit` ends)."""
    import keras

    rate = training.learning_rate
    if training.schedule == "cosine":
        rate = keras.optimizers.schedules.CosineDecay(rate, decay_steps=steps)
    averaging = {"use_ema": True, "ema_momentum": training.ema_momentum} if training.ema_momentum else {}
    return keras.optimizers.Adam(rate, clipnorm=training.clip_norm, **averaging)


def evaluate_sentences(tagger, sentences: list[Sentence]) -> dict:
    """Entity report of an EntityTagger on gold sentences."""
    from ner.metrics import entity_report

    predicted = tagger.tag_tokens([s.tokens for s in sentences])
    return entity_report([s.tags for s in sentences], [p.tags for p in predicted])


def train(
    description: dict,
    splits: NerSplits,
    config: NerConfig,
    out: str | Path,
    *,
    seed: int = 42,
    resume: bool = False,
    on_epoch=None,
) -> Path:
    """Train on `splits` with `config`, evaluate, and save the bundle at `out`."""
    from ner import model as model_lib
    from ner.tagger import EntityTagger
    from shared.bundle import check_bundle_target, save_bundle
    from shared.sequences import bucketed_batch_count, bucketed_dataset
    from shared.training import (
        LoopSettings,
        remove_work_dir,
        set_seed,
        start_work_dir,
        train_loop,
        training_summary,
    )

    started = time.time()
    out = Path(out)
    check_bundle_target(out)
    work_dir = start_work_dir(out.with_name(out.name + ".training"), resume)
    set_seed(seed)
    tags = tag_set(entity_types([tag for s in splits.train for tag in s.tags]))
    words, characters = build_vocabularies(splits.train, config.model.vocabulary_size)
    print(
        f"Vocabulary: {len(words)} words, {len(characters)} characters, tags {' '.join(tags)}; "
        f"train {len(splits.train)} sentences, dev {len(splits.dev)}",
        flush=True,
    )
    tagger = model_lib.build_tagger(config.model, words, characters, tags, seed=seed)
    trainer = model_lib.TaggerTrainer(tagger)
    train_tokens, train_tags = ragged(splits.train, tags)
    steps = config.training.epochs * bucketed_batch_count(
        [len(s.tokens) for s in splits.train], config.training.batch_size
    )
    trainer.compile(optimizer=make_optimizer(config.training, steps))

    def make_train_data(epoch: int):
        return bucketed_dataset(train_tokens, train_tags, config.training.batch_size, seed * 1000 + epoch)

    apis = {}  # one compiled decoder per trainer (a resumed run loads a new one)

    def evaluate_dev(model) -> dict:
        if id(model) not in apis:
            apis[id(model)] = EntityTagger(model.tagger, {})
        api = apis[id(model)]
        scores = evaluate_sentences(api, splits.dev)["conlleval"]
        return {MONITOR: scores["f1"], "precision": scores["precision"], "recall": scores["recall"]}

    run = {"config": config_to_dict(config), "data": description, "seed": seed}
    settings = LoopSettings(config.training.epochs, MONITOR, config.training.patience, seed)
    trainer, state = train_loop(
        trainer, make_train_data, evaluate_dev, settings, work_dir, run, resume=resume, on_epoch=on_epoch
    )
    tagger = trainer.tagger
    api = EntityTagger(tagger, {})
    metrics = {"dev": evaluate_sentences(api, splits.dev)}
    if splits.test is not None:
        metrics["test"] = evaluate_sentences(api, splits.test)
    metadata = {
        "task": TASK,
        "labels": api.labels,
        "tags": tags,
        "config": config_to_dict(config),
        "dataset": description,
        "metrics": metrics,
        "training": {
            **training_summary(state, seed=seed, monitor=f"dev {MONITOR} (conlleval)", started=started, resumed=resume),
            "train_sentences": len(splits.train),
        },
    }
    save_bundle(out, tagger, metadata, logs_dir=work_dir / "logs")
    remove_work_dir(work_dir)
    summary = "   ".join(f"{split} F1 {m['conlleval']['f1']:.4f}" for split, m in metrics.items())
    print(f"Saved {out}   {summary}", flush=True)
    return out


def build_parser():
    parser = make_parser("python -m ner.train", __doc__)
    data = parser.add_argument_group("data (--dataset, or --train with --dev)")
    source = data.add_mutually_exclusive_group(required=True)
    source.add_argument("--dataset", choices=DATASETS, help="a registered dataset")
    source.add_argument("--train", type=Path, help="training file in CoNLL format")
    data.add_argument("--dev", type=Path, help="dev file for early stopping (required with --train)")
    data.add_argument("--test", type=Path, help="test file, scored once at the end")
    data.add_argument("--scheme", choices=SCHEMES, default="auto", help="tag scheme of the files (default: auto)")
    parser.add_argument("--config", type=Path, help="JSON config file (see README)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"bundle folder (default: {DEFAULT_OUT})")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    parser.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoint")
    return parser


def main(argv: list[str]) -> int:
    parser = build_parser()
    args, overrides = parser.parse_known_args(argv)
    if args.train and not args.dev:
        parser.error("--train needs --dev (a held-out file for early stopping)")
    config = load_config(NerConfig, args.config, overrides)
    description, splits = load_data(args)
    train(description, splits, config, args.out, seed=args.seed, resume=args.resume)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_cli(main))
