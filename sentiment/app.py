"""The sentiment app as the registry holds it: its task, its own data files (CSV files and
their columns, SST-style trees, the word-LM encoder, a tree bundle's parser), the
annotation loop, the TF-IDF baseline, the errors file, and how predictions print."""

from __future__ import annotations

import argparse
from pathlib import Path

from sentiment.task import TASK
from shared.capabilities import Annotation, Baseline, Comparison, DataFiles, ErrorRows, FittedBaseline
from shared.tasks import App, DataSource, Presentation


def add_csv_columns(group) -> None:
    """--text-col, --label-col and --label-map for reading a user's CSV."""
    group.add_argument("--text-col", default="text", help="text column name (default: text)")
    group.add_argument("--label-col", default="label", help="label column name (default: label)")
    group.add_argument(
        "--label-map",
        help="raw label to class, e.g. 1-2:negative,3:neutral,4-5:positive (default: the class names)",
    )


def read_tree_files(args, config) -> DataSource:
    """The DataSource of --trees, --dev-trees and --test-trees."""
    from sentiment.data import LabelledTrees, Splits, read_sst_trees
    from shared.datasets import files_fingerprint
    from shared.errors import ConfigError, DataError

    if config.model.architecture != "tree":
        raise ConfigError("--trees trains a tree model: add --model.architecture tree")
    if not args.dev_trees:
        raise DataError("--trees needs --dev-trees (held-out trees for early stopping)")
    files = (args.trees, args.dev_trees, args.test_trees)
    splits = Splits(*(LabelledTrees.of(read_sst_trees(path)) if path else None for path in files))
    description = files_fingerprint({"train": args.trees, "dev": args.dev_trees, "test": args.test_trees}, trees=True)
    return DataSource(description, splits)


class SentimentFiles(DataFiles):
    """CSV files (or SST-style tree files for a tree model)."""

    train_option = "--csv"
    evaluate_option = "--csv"
    evaluation_format = "csv"

    def add_training_arguments(self, source, group) -> None:
        source.add_argument("--csv", type=Path, help="training CSV with a text and a label column")
        source.add_argument(
            "--trees",
            type=Path,
            help="training trees, one per line, bracketed with a 0-4 label on every node as SST writes them "
            "(for --model.architecture tree)",
        )
        group.add_argument("--dev-trees", type=Path, help="dev trees for early stopping (required with --trees)")
        group.add_argument("--test-trees", type=Path, help="test trees, scored once at the end")
        group.add_argument("--dev-csv", type=Path, help="dev CSV for early stopping (default: 10%% of --csv held out)")
        group.add_argument("--test-csv", type=Path, help="test CSV, scored once at the end")
        add_csv_columns(group)
        group.add_argument(
            "--encoder",
            type=Path,
            metavar="DIR",
            help="a word language-model bundle (lm.train --level word) whose word embeddings start the model's",
        )
        group.add_argument(
            "--parser",
            type=Path,
            metavar="DIR",
            help="a tree model's bundle whose parser gives texts without trees (--csv, --dataset) theirs "
            "(with --model.architecture tree)",
        )

    def config_overrides(self, args) -> list[str]:
        from lm.transfer import settings
        from sentiment.tree.taken_parser import check_tree_bundle

        overrides = (
            [f"--model.tree.parser_bundle={check_tree_bundle(args.parser)}"] if getattr(args, "parser", None) else []
        )
        if not getattr(args, "encoder", None):
            return overrides
        embedding_dim = settings(args.encoder)[1].embedding_dim
        return [*overrides, f"--model.sequence.encoder={args.encoder}", f"--model.embedding_dim={embedding_dim}"]

    def read_training_files(self, args, config, seed: int) -> DataSource:
        from sentiment.data import LABELS, LabelledTexts, Splits, holdout_split, parse_label_map, read_labelled_csv
        from shared.datasets import files_fingerprint
        from shared.errors import DataError

        if args.trees:
            return read_tree_files(args, config)
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
        from sentiment.data import parse_label_map, read_labelled_csv

        data = read_labelled_csv(args.csv, args.text_col, args.label_col, parse_label_map(args.label_map))
        return args.csv.stem, data

    def recorded_arguments(self, recorded: dict) -> argparse.Namespace:
        files = {split: Path(entry["path"]) for split, entry in recorded["files"].items()}
        kind = ("trees", "dev_trees", "test_trees") if recorded.get("trees") else ("csv", "dev_csv", "test_csv")
        options = dict.fromkeys(("trees", "dev_trees", "test_trees", "csv", "dev_csv", "test_csv"))
        options |= {option: files.get(split) for option, split in zip(kind, ("train", "dev", "test"))}
        return argparse.Namespace(
            **options,
            text_col=recorded.get("text_col", "text"),
            label_col=recorded.get("label_col", "label"),
            label_map=recorded.get("label_map"),
        )


class SentimentAnnotation(Annotation):
    """Decisions are a label per text; exported as a CSV the train verb reads."""

    answer_field = "label"
    export_format = ".csv"

    def guessed_answer(self, guess):
        return guess["label"]

    def summary(self, record: dict) -> str:
        return str(record.get("label"))

    def examples(self, path, size=None):
        from sentiment.annotations import annotated_texts

        return annotated_texts(path, size)

    def with_examples(self, splits, extra: list):
        from sentiment.annotations import joined
        from sentiment.data import LabelledTrees, Splits
        from shared.errors import DataError

        if isinstance(splits.train, LabelledTrees) and splits.train.trees:
            raise DataError("--extra adds plain texts, and a tree model trains on trees; train a sequence model")
        return Splits(joined(splits.train, *extra), splits.dev, splits.test)

    def held_out(self, examples, seed: int):
        from sentiment.data import Splits, holdout_split

        train, dev = holdout_split(examples, 0.1, seed)
        return Splits(train, dev, None)

    def write_export(self, path, out) -> int:
        from sentiment.annotations import write_annotations_csv

        return write_annotations_csv(path, out)

    def rankings(self) -> dict:
        from sentiment.selection import RANKINGS

        return RANKINGS


class Tfidf(Baseline):
    """TF-IDF + logistic regression (`sentiment.baseline`); predictions are label names."""

    name = "tfidf"
    title = "TF-IDF + logistic regression"
    model = "TF-IDF (word 1-2-grams, character 2-5-grams) + logistic regression"
    unit = "examples"
    agreement_over = ""

    def fit(self, training) -> FittedBaseline:
        from sentiment.baseline import fit_tfidf
        from sentiment.data import LABELS

        fitted = fit_tfidf(training.train, training.dev)
        return FittedBaseline(
            predict=lambda gold: [LABELS[label] for label in fitted.predict(gold.texts)],
            chosen={"C": fitted.strength, "dev_macro_f1_by_C": fitted.dev_macro_f1},
            chosen_text=f"C={fitted.strength}",
            trained_on=len(training.train),
        )

    def network_predictions(self, api, gold) -> list:
        return [api.labels[label] for label in api.predict_proba(gold.texts).argmax(axis=1)]

    def compare(self, gold, network: list, baseline: list) -> Comparison:
        from sentiment.data import LABELS
        from shared.metrics import agreement, classification_report

        predicted = [LABELS.index(label) for label in baseline]
        report = classification_report(gold.labels, predicted, LABELS)
        scores = {"accuracy": report["accuracy"], "macro_f1": report["macro_f1"]}
        ours = [LABELS.index(label) for label in network]
        return Comparison(
            scores,
            f"accuracy {scores['accuracy']:.4f}, macro-F1 {scores['macro_f1']:.4f}",
            agreement(gold.labels, ours, predicted),
        )


class SentimentErrors(ErrorRows):
    """Wrongly classified texts with the model's confidence and reading."""

    view = "confusion"

    def scored(self, api, gold, baseline: list | None = None) -> tuple[list[str], list[dict]]:
        """Every text of `gold` with its gold and predicted label (`sentiment.examples`),
        with the baseline's label when given."""
        from sentiment.examples import COLUMNS, scored_examples

        rows = scored_examples(api, gold)
        if baseline is None:
            return COLUMNS, rows
        for row, label in zip(rows, baseline):
            row["baseline"] = label
        return [*COLUMNS, "baseline"], rows

    def rows(self, api, gold, baseline: list | None = None) -> tuple[list[str], list[dict]]:
        """Each wrongly classified text of `gold` (`sentiment.examples`), most confident
        first, with the baseline's label when given."""
        from sentiment.examples import most_confident_mistakes

        columns, rows = self.scored(api, gold, baseline)
        return columns, most_confident_mistakes(rows)


def show(api, texts: list[str]) -> None:
    """Each text's label and probabilities, one line each."""
    for prediction in api.predict(texts):
        scores = "  ".join(f"{label} {p:.2f}" for label, p in prediction.probabilities.items())
        print(f"{prediction.label:>8}  [{scores}]  {prediction.text}")


PRESENTATION = Presentation(
    title="Sentiment classifier",
    noun="texts",
    examples=(
        "A gorgeous, witty, seductive movie.",
        "The plot is dull and the acting is even worse.",
        "The film runs two hours and was shot in Toronto.",
        "It isn't a bad film, but it never quite comes alive.",
    ),
    show=show,
)

APP = App(
    TASK,
    PRESENTATION,
    files=SentimentFiles(),
    annotation=SentimentAnnotation(),
    baseline=Tfidf(),
    errors=SentimentErrors(),
)
