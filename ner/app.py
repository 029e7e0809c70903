"""The NER app as the registry holds it: its task, its own data files (CoNLL files and
their tag scheme, the character LMs), the annotation loop, the CRF baseline, the errors
file, and how entities print."""

from __future__ import annotations

import argparse
from pathlib import Path

from ner.tags import SCHEMES
from ner.task import TASK
from shared.capabilities import Annotation, Baseline, Comparison, DataFiles, ErrorRows, FittedBaseline
from shared.tasks import App, DataSource, Presentation


class ConllFiles(DataFiles):
    """CoNLL files: a token and its tag per line, sentences between blank lines."""

    train_option = "--train"
    evaluate_option = "--file"
    evaluation_format = "conll"

    def add_training_arguments(self, source, group) -> None:
        source.add_argument("--train", type=Path, help="training file in CoNLL format")
        group.add_argument("--dev", type=Path, help="dev file for early stopping (required with --train)")
        group.add_argument("--test", type=Path, help="test file, scored once at the end")
        group.add_argument("--scheme", choices=SCHEMES, default="auto", help="tag scheme of the files (default: auto)")
        group.add_argument(
            "--char-lm",
            type=Path,
            nargs="+",
            metavar="DIR",
            help="character LM bundles (lm.train; a forward and a backward one): their states at word "
            "boundaries become token features (contextual string embeddings), saved inside the bundle",
        )

    def config_overrides(self, args) -> list[str]:
        from lm.transfer import by_direction

        chosen = by_direction(getattr(args, "char_lm", None) or [])
        return [f"--model.char_lm_{direction}={path}" for direction, path in chosen.items()]

    def read_training_files(self, args, config, seed: int) -> DataSource:
        from ner.data import load_conll_files
        from shared.datasets import files_fingerprint
        from shared.errors import DataError

        if not args.dev:
            raise DataError("--train needs --dev (a held-out file for early stopping)")
        splits = load_conll_files(args.train, args.dev, args.test, args.scheme)
        description = files_fingerprint({"train": args.train, "dev": args.dev, "test": args.test}, scheme=args.scheme)
        return DataSource(description, splits)

    def add_evaluation_arguments(self, source, group) -> None:
        source.add_argument("--file", type=Path, help="a CoNLL-format file with gold tags in the last column")
        group.add_argument("--scheme", choices=SCHEMES, default="auto", help="tag scheme of --file (default: auto)")

    def read_evaluation_file(self, args, api):
        from ner.data import check_known_types, read_conll

        sentences = read_conll(args.file, args.scheme)
        check_known_types(args.file, sentences, api.labels)
        return args.file.stem, sentences

    def recorded_arguments(self, recorded: dict) -> argparse.Namespace:
        files = {split: Path(entry["path"]) for split, entry in recorded["files"].items()}
        return argparse.Namespace(
            train=files["train"], dev=files.get("dev"), test=files.get("test"), scheme=recorded.get("scheme", "auto")
        )


class NerAnnotation(Annotation):
    """Decisions are entities with character offsets; exported as a CoNLL file."""

    answer_field = "entities"
    export_format = ".conll"

    def guessed_answer(self, guess):
        return guess

    def summary(self, record: dict) -> str:
        return f"{len(record.get('entities') or [])} entities"

    def examples(self, path, size=None):
        from ner.annotations import annotated_sentences

        return annotated_sentences(path, size)

    def with_examples(self, splits, extra: list):
        import sys

        from ner.annotations import new_types_line
        from ner.data import NerSplits
        from ner.tags import entity_types

        known = set(entity_types([tag for sentence in splits.train for tag in sentence.tags]))
        for number, part in enumerate(extra, start=1):
            if (line := new_types_line(part, known, f"annotation file {number}")) is not None:
                print(line, file=sys.stderr)
        return NerSplits([*splits.train, *(sentence for part in extra for sentence in part)], splits.dev, splits.test)

    def held_out(self, examples, seed: int):
        from ner.annotations import held_out

        return held_out(examples, seed)

    def write_export(self, path, out) -> int:
        from ner.annotations import write_annotations_conll

        return write_annotations_conll(path, out)

    def rankings(self) -> dict:
        from ner.selection import RANKINGS

        return RANKINGS


class Crf(Baseline):
    """A CRF on hand features (`ner.baseline`); predictions are tag sequences, agreement
    counts the gold entities each finds exactly (span and type)."""

    name = "crf"
    title = "CRF (hand features)"
    model = "linear-chain CRF on hand features (sklearn-crfsuite)"
    unit = "sentences"
    agreement_over = " on gold entities"

    def fit(self, training) -> FittedBaseline:
        from ner.baseline import fit_crf

        fitted = fit_crf(training.train, training.dev)
        c1, c2 = fitted.strengths
        return FittedBaseline(
            predict=fitted.predict,
            chosen={"c1": c1, "c2": c2, "dev_f1": fitted.dev_f1},
            chosen_text=f"c1={c1} c2={c2}",
            trained_on=len(training.train),
        )

    def network_predictions(self, api, gold) -> list:
        return [tagged.tags for tagged in api.tag_tokens([sentence.tokens for sentence in gold])]

    def compare(self, gold, network: list, baseline: list) -> Comparison:
        from ner.metrics import entity_agreement, entity_report

        tags = [sentence.tags for sentence in gold]
        report = entity_report(tags, baseline)
        scores = {"f1": report["conlleval"]["f1"], "strict_f1": report["strict"]["f1"]}
        return Comparison(
            scores,
            f"F1 {scores['f1']:.4f} (conlleval), {scores['strict_f1']:.4f} (strict)",
            entity_agreement(tags, network, baseline),
        )


class NerErrors(ErrorRows):
    """Each wrong entity: wrong type, wrong boundary, missed or spurious."""

    view = "spans"

    def scored(self, api, gold, baseline: list | None = None) -> tuple[list[str], list[dict]]:
        """The wrong entities (`rows`): the page browses what the file holds."""
        return self.rows(api, gold, baseline)

    def rows(self, api, gold, baseline: list | None = None) -> tuple[list[str], list[dict]]:
        """Each entity of `gold` the tagger got wrong (`ner.examples`), most confident
        first, with what the baseline tagged on its span when given."""
        from ner.examples import COLUMNS, entity_errors

        return [*COLUMNS, *(["baseline"] if baseline is not None else [])], entity_errors(api, gold, baseline)


def show(api, texts: list[str]) -> None:
    """Each text, then its entities with their offsets and scores."""
    for text, entities in zip(texts, api.predict(texts)):
        print(text)
        for entity in entities:
            print(f"  {entity.label:<5} {entity.text!r} [{entity.start}:{entity.end}] {entity.score:.2f}")


PRESENTATION = Presentation(
    title="Entity tagger",
    noun="sentences",
    examples=(
        "Angela Merkel met Emmanuel Macron in Paris on Monday.",
        "Shares of Volkswagen fell 3% in Frankfurt after the U.S. Department of Justice opened an inquiry.",
    ),
    show=show,
)

APP = App(TASK, PRESENTATION, files=ConllFiles(), annotation=NerAnnotation(), baseline=Crf(), errors=NerErrors())
