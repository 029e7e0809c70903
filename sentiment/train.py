"""Train a sentiment classifier (negative / neutral / positive) and save it as a bundle.

Data comes from a registered dataset (--dataset sst, --dataset airline-tweets) or
from your own CSV files. Settings come from the defaults, then --config FILE (JSON),
then dotted overrides such as --model.cell lstm --training.epochs 5.

Examples:
  python -m sentiment.train --dataset sst --out models/sentiment
  python -m sentiment.train --csv reviews.csv --text-col review --label-col stars \\
      --label-map 1-2:negative,3:neutral,4-5:positive --out models/reviews
  python -m sentiment.train --dataset sst --out models/sentiment --resume   # after a crash

A checkpoint is written every epoch to OUT.training/; --resume continues from it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from sentiment.cli import add_csv_columns
from sentiment.config import SentimentConfig
from sentiment.data import (
    DATASETS,
    LABELS,
    LabelledTexts,
    Splits,
    holdout_split,
    load_named_dataset,
    parse_label_map,
    read_labelled_csv,
)
from shared.cli import make_parser, run_cli
from shared.config import config_to_dict, load_config
from shared.datasets import dataset_fingerprint
from shared.errors import DataError
from shared.files import sha256_of, write_json_atomic

TASK = "sentiment"
DEFAULT_OUT = Path("models") / "sentiment"
MONITOR = "macro_f1"


@dataclass(frozen=True)
class DataSource:
    """Where the training data came from, as recorded in the bundle."""

    description: dict
    splits: Splits


def named_source(name: str, config: SentimentConfig) -> DataSource:
    """A registered dataset's splits (with SST phrases if the config asks) and fingerprint."""
    return DataSource(dataset_fingerprint(name), load_named_dataset(name, phrases=config.training.phrases))


def load_data(args, config: SentimentConfig, seed: int) -> DataSource:
    """Read the splits named by the CLI arguments."""
    if args.dataset:
        return named_source(args.dataset, config)
    label_map = parse_label_map(args.label_map)

    def read(path) -> LabelledTexts:
        return read_labelled_csv(path, args.text_col, args.label_col, label_map)

    train = read(args.csv)
    dev = read(args.dev_csv) if args.dev_csv else None
    if dev is None:
        train, dev = holdout_split(train, 0.1, seed)
    test = read(args.test_csv) if args.test_csv else None
    if len(set(train.labels)) < 2:
        raise DataError(
            f"{args.csv}: training data holds only one class ({LABELS[train.labels[0]]}); need at least two"
        )
    files = {"train": args.csv, "dev": args.dev_csv, "test": args.test_csv}
    description = {
        "name": Path(args.csv).name,
        "files": {split: {"path": str(path), "sha256": sha256_of(path)} for split, path in files.items() if path},
        "text_col": args.text_col,
        "label_col": args.label_col,
        "label_map": args.label_map,
    }
    return DataSource(description, Splits(train, dev, test))


def train(
    source: DataSource,
    config: SentimentConfig,
    out: str | Path,
    *,
    seed: int = 42,
    resume: bool = False,
    on_epoch=None,
) -> Path:
    """Train on `source` with `config`, evaluate, and save the bundle at `out`."""
    import keras
    import numpy as np

    from sentiment import model as model_lib
    from sentiment.classifier import SentimentClassifier
    from sentiment.evaluate import evaluate_texts
    from shared.bundle import check_bundle_target, save_bundle
    from shared.metrics import classification_report
    from shared.sequences import bucketed_dataset
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
    splits = source.splits
    vocabulary_file = work_dir / "vocabulary.json"
    if resume:
        import json

        vectorizer = model_lib.vectorizer_from_vocabulary(config.model, json.loads(vocabulary_file.read_text()))
    else:
        vectorizer = model_lib.build_vectorizer(config.model, splits.train.texts)
        write_json_atomic(vocabulary_file, vectorizer.get_vocabulary())
    print(f"Vocabulary: {vectorizer.vocabulary_size()} tokens; train {len(splits.train)}, dev {len(splits.dev)}")

    train_ids = _vectorize(vectorizer, splits.train.texts, config.model.max_length)
    dev_ids = _vectorize(vectorizer, splits.dev.texts, config.model.max_length)
    train_labels = np.asarray(splits.train.labels, dtype="int32")
    weights = prior_weights(splits.train.labels, splits.dev.labels, config.training.prior_correction)

    classifier = model_lib.build_classifier(config.model, vectorizer.vocabulary_size())
    classifier.compile(
        optimizer=keras.optimizers.Adam(config.training.learning_rate, clipnorm=config.training.clip_norm),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=["accuracy"],
    )

    def make_train_data(epoch: int):
        return bucketed_dataset(
            train_ids,
            train_labels,
            config.training.batch_size,
            seed * 1000 + epoch,
            weights=weights,
            word_dropout=config.training.word_dropout,
        )

    def evaluate_dev(model) -> dict:
        report = classification_report(splits.dev.labels, predict_ids(model, dev_ids).argmax(axis=1), LABELS)
        return {MONITOR: report["macro_f1"], "accuracy": report["accuracy"]}

    run = {"config": config_to_dict(config), "data": source.description, "seed": seed}
    settings = LoopSettings(config.training.epochs, MONITOR, config.training.patience, seed)
    classifier, state = train_loop(
        classifier, make_train_data, evaluate_dev, settings, work_dir, run, resume=resume, on_epoch=on_epoch
    )
    end_to_end = model_lib.build_end_to_end(config.model, vectorizer, classifier)
    api = SentimentClassifier(end_to_end, {"labels": list(LABELS)})
    metrics = {"dev": evaluate_texts(api, splits.dev)}
    if splits.test is not None:
        metrics["test"] = evaluate_texts(api, splits.test)
    metadata = {
        "task": TASK,
        "labels": list(LABELS),
        "config": config_to_dict(config),
        "dataset": source.description,
        "metrics": metrics,
        "training": {
            **training_summary(state, seed=seed, monitor=f"dev {MONITOR}", started=started, resumed=resume),
            "train_examples": len(splits.train),
        },
    }
    save_bundle(out, end_to_end, metadata, logs_dir=work_dir / "logs")
    remove_work_dir(work_dir)
    summary = "   ".join(
        f"{split} accuracy {m['accuracy']:.4f} macro-F1 {m['macro_f1']:.4f}" for split, m in metrics.items()
    )
    print(f"Saved {out}   {summary}")
    return out


def prior_weights(train_labels, dev_labels, exponent: float):
    """Per-example weights (dev share / train share of its class) ** exponent, or None."""
    import numpy as np

    if exponent == 0:
        return None
    classes = len(LABELS)
    train_share = np.bincount(train_labels, minlength=classes) / len(train_labels)
    dev_share = np.bincount(dev_labels, minlength=classes) / len(dev_labels)
    # A class missing from train or dev keeps weight 1.
    present = (train_share > 0) & (dev_share > 0)
    ratio = np.divide(dev_share, train_share, out=np.ones(classes), where=present) ** exponent
    weights = ratio[np.asarray(train_labels)]
    return (weights / weights.mean()).astype("float32")


def _vectorize(vectorizer, texts, max_length: int):
    """Token ids of each text as a RaggedTensor, padding removed and truncated."""
    import tensorflow as tf

    pieces = []
    for start in range(0, len(texts), 4096):
        padded = vectorizer(tf.constant(list(texts[start : start + 4096])))
        pieces.append(tf.RaggedTensor.from_tensor(padded, padding=0)[:, :max_length])
    return tf.concat(pieces, axis=0)


def predict_ids(classifier, ids, batch_size: int = 512):
    """Class probabilities for ragged token ids, batched by length, in input order."""
    import numpy as np
    import tensorflow as tf

    from shared.sequences import length_sorted_batches

    lengths = ids.row_lengths().numpy()
    result = np.zeros((len(lengths), len(LABELS)), dtype="float32")
    for batch in length_sorted_batches(lengths, batch_size):
        result[batch] = classifier.predict_on_batch(tf.gather(ids, batch).to_tensor(default_value=0))
    return result


def build_parser():
    parser = make_parser("python -m sentiment.train", __doc__)
    data = parser.add_argument_group("data (one of --dataset or --csv)")
    source = data.add_mutually_exclusive_group(required=True)
    source.add_argument("--dataset", choices=DATASETS, help="a registered dataset")
    source.add_argument("--csv", type=Path, help="training CSV with a text and a label column")
    data.add_argument("--dev-csv", type=Path, help="dev CSV for early stopping (default: 10%% of --csv held out)")
    data.add_argument("--test-csv", type=Path, help="test CSV, scored once at the end")
    add_csv_columns(data)
    parser.add_argument("--config", type=Path, help="JSON config file (see README)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"bundle folder (default: {DEFAULT_OUT})")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    parser.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoint")
    return parser


def main(argv: list[str]) -> int:
    args, overrides = build_parser().parse_known_args(argv)
    config = load_config(SentimentConfig, args.config, overrides)
    source = load_data(args, config, args.seed)
    train(source, config, args.out, seed=args.seed, resume=args.resume)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_cli(main))
