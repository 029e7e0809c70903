"""The sentiment app's registration: its data, model fitting, scores, outputs and export."""

from __future__ import annotations

from pathlib import Path

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
from shared.datasets import files_fingerprint
from shared.errors import DataError
from shared.tasks import DataSource, Fit, ReportView, Task

MONITOR = "macro_f1"


def add_csv_columns(group) -> None:
    """--text-col, --label-col and --label-map for reading a user's CSV."""
    group.add_argument("--text-col", default="text", help="text column name (default: text)")
    group.add_argument("--label-col", default="label", help="label column name (default: label)")
    group.add_argument(
        "--label-map",
        help="raw label to class, e.g. 1-2:negative,3:neutral,4-5:positive (default: the class names)",
    )


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


def encoder_config(model_config) -> dict | None:
    """The word LM's model config named by `model_config.encoder`, checked against it; None without one."""
    from shared.bundle import read_metadata
    from shared.errors import ConfigError

    if not model_config.encoder:
        return None
    lm_model = read_metadata(model_config.encoder, task="lm")["config"]["model"]
    if lm_model["level"] != "word":
        raise ConfigError(f"encoder {model_config.encoder} is a {lm_model['level']}-level LM; it needs a word one")
    if model_config.embedding_dim != lm_model["embedding_dim"]:
        raise ConfigError(
            f"embedding_dim is {model_config.embedding_dim} but {model_config.encoder}'s is {lm_model['embedding_dim']}"
        )
    if model_config.encoder_layers > lm_model["layers"]:
        raise ConfigError(
            f"encoder_layers is {model_config.encoder_layers} but {model_config.encoder} has {lm_model['layers']}"
        )
    if lm_model["direction"] != "forward" and model_config.encoder_layers:
        raise ConfigError(f"encoder_layers needs a forward LM; {model_config.encoder} reads backward")
    return lm_model


def vectorize(vectorizer, texts, max_length: int):
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
        # A plain call, not predict_on_batch: under a distribution strategy that would
        # split the batch among the workers and return every worker's share.
        result[batch] = classifier(tf.gather(ids, batch).to_tensor(default_value=0), training=False).numpy()
    return result


def evaluate_texts(classifier, data: LabelledTexts) -> dict:
    """The classification report of `classifier` on `data`."""
    from shared.metrics import classification_report

    predicted = classifier.predict_proba(data.texts).argmax(axis=1)
    return classification_report(data.labels, predicted, classifier.labels)


class SentimentTask(Task):
    name = "sentiment"
    title = "Sentiment classifier"
    noun = "texts"
    config_class = SentimentConfig
    datasets = DATASETS
    default_dataset = "sst"
    monitor = MONITOR
    monitor_text = f"dev {MONITOR}"
    train_file_option = "--csv"
    evaluate_file_option = "--csv"
    scores_blank_texts = False
    output_format = "csv"
    examples = (
        "A gorgeous, witty, seductive movie.",
        "The plot is dull and the acting is even worse.",
        "The film runs two hours and was shot in Toronto.",
        "It isn't a bad film, but it never quite comes alive.",
    )

    def api_class(self):
        from sentiment.classifier import SentimentClassifier

        return SentimentClassifier

    def load_dataset(self, name: str, config: SentimentConfig | None = None) -> Splits:
        return load_named_dataset(name, phrases=config is not None and config.training.phrases)

    def dataset_texts(self, name: str) -> dict[str, list[str] | None]:
        splits = load_named_dataset(name)
        return {split: list(getattr(splits, split).texts) for split in ("train", "dev", "test")}

    def add_training_arguments(self, source, group) -> None:
        source.add_argument("--csv", type=Path, help="training CSV with a text and a label column")
        group.add_argument("--dev-csv", type=Path, help="dev CSV for early stopping (default: 10%% of --csv held out)")
        group.add_argument("--test-csv", type=Path, help="test CSV, scored once at the end")
        add_csv_columns(group)
        group.add_argument(
            "--encoder",
            type=Path,
            metavar="DIR",
            help="a word language-model bundle (lm.train --level word) whose word embeddings start the model's",
        )

    def config_overrides(self, args) -> list[str]:
        from shared.bundle import read_metadata

        if not getattr(args, "encoder", None):
            return []
        lm_config = read_metadata(args.encoder, task="lm")["config"]["model"]
        return [f"--model.encoder={args.encoder}", f"--model.embedding_dim={lm_config['embedding_dim']}"]

    def read_training_files(self, args, config, seed: int) -> DataSource:
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
        description = files_fingerprint(
            {"train": args.csv, "dev": args.dev_csv, "test": args.test_csv},
            text_col=args.text_col,
            label_col=args.label_col,
            label_map=args.label_map,
        )
        return DataSource(description, Splits(train, dev, test))

    def add_evaluation_arguments(self, source, group) -> None:
        source.add_argument("--csv", type=Path, help="CSV with a text and a label column")
        add_csv_columns(group)

    def read_evaluation_file(self, args, api):
        data = read_labelled_csv(args.csv, args.text_col, args.label_col, parse_label_map(args.label_map))
        return args.csv.stem, data

    def prepare(self, splits: Splits, config: SentimentConfig, prepared_dir: Path, *, resume: bool, seed: int) -> Fit:
        import json

        import keras
        import numpy as np

        from sentiment import model as model_lib
        from sentiment.classifier import SentimentClassifier
        from shared.files import write_json_atomic
        from shared.metrics import classification_report
        from shared.sequences import bucketed_dataset

        vocabulary_file = prepared_dir / "vocabulary.json"
        if resume:
            vocabulary = json.loads(vocabulary_file.read_text(encoding="utf-8"))
            vectorizer = model_lib.vectorizer_from_vocabulary(config.model, vocabulary)
        else:
            vectorizer = model_lib.build_vectorizer(config.model, splits.train.texts)
            write_json_atomic(vocabulary_file, vectorizer.get_vocabulary())
        print(f"Vocabulary: {vectorizer.vocabulary_size()} tokens; train {len(splits.train)}, dev {len(splits.dev)}")

        train_ids = vectorize(vectorizer, splits.train.texts, config.model.max_length)
        dev_ids = vectorize(vectorizer, splits.dev.texts, config.model.max_length)
        train_labels = np.asarray(splits.train.labels, dtype="int32")
        weights = prior_weights(splits.train.labels, splits.dev.labels, config.training.prior_correction)
        encoder_model = encoder_config(config.model)
        classifier = model_lib.build_classifier(config.model, vectorizer.vocabulary_size(), encoder_model)
        if encoder_model and not resume:
            known = model_lib.initialize_from_encoder(
                classifier, vectorizer.get_vocabulary(), config.model.encoder, config.model.encoder_layers
            )
            print(
                f"Encoder {config.model.encoder}: {known} of {vectorizer.vocabulary_size()} words "
                f"start from its embedding; {config.model.encoder_layers} of its recurrent layers taken"
            )
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

        def finish(trained) -> SentimentClassifier:
            end_to_end = model_lib.build_end_to_end(config.model, vectorizer, trained)
            return SentimentClassifier(end_to_end, {"labels": list(LABELS)})

        return Fit(classifier, make_train_data, evaluate_dev, finish, facts={"train_examples": len(splits.train)})

    def evaluate(self, api, data: LabelledTexts) -> dict:
        return evaluate_texts(api, data)

    def format_report(self, report: dict) -> str:
        from shared.metrics import format_report

        return format_report(report)

    def score(self, report: dict) -> float:
        return report["macro_f1"]

    def report_view(self, report: dict) -> ReportView:
        labels = report["labels"]
        return ReportView(
            numbers={"Accuracy": f"{report['accuracy']:.1%}", "Macro-F1": f"{report['macro_f1'] * 100:.1f}"},
            table=report["per_class"],
            confusion={true: dict(zip(labels, row)) for true, row in zip(labels, report["confusion_matrix"])},
            confusion_axes=("true class", "predicted class"),
        )

    def result_fields(self, api) -> list[str]:
        return ["label", *(f"p_{label}" for label in api.labels)]

    def results(self, api, texts: list[str]) -> list[dict]:
        return [
            {"label": p.label, **{f"p_{label}": round(value, 6) for label, value in p.probabilities.items()}}
            for p in api.predict(texts)
        ]

    def show(self, api, texts: list[str]) -> None:
        for prediction in api.predict(texts):
            scores = "  ".join(f"{label} {p:.2f}" for label, p in prediction.probabilities.items())
            print(f"{prediction.label:>8}  [{scores}]  {prediction.text}")

    def serving(self, api):
        import tensorflow as tf

        model = api.model
        labels = tf.constant(list(api.labels))

        def serve(text):
            probabilities = model(text, training=False)
            return {"label": tf.gather(labels, tf.argmax(probabilities, axis=-1)), "probabilities": probabilities}

        return serve, "text -> label, probabilities"


TASK = SentimentTask()
