"""The NER app's own command-line options: CoNLL files and their tag scheme, the character
LMs, and how entities print for a person."""

from __future__ import annotations

import argparse
from pathlib import Path

from ner.tags import SCHEMES
from shared.cli import AppCli
from shared.tasks import DataSource


class NerCli(AppCli):
    task_name = "ner"
    train_file_option = "--train"
    evaluate_file_option = "--file"

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

    def error_rows(self, api, gold, baseline: list | None = None) -> tuple[list[str], list[dict]]:
        """Each entity of `gold` the tagger got wrong (`ner.examples`), most confident
        first, with what the baseline tagged on its span when given."""
        from ner.examples import COLUMNS, entity_errors

        return [*COLUMNS, *(["baseline"] if baseline is not None else [])], entity_errors(api, gold, baseline)

    annotations = True

    def annotated_examples(self, path, size=None):
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

    annotation_format = ".conll"

    def write_annotations(self, path, out) -> int:
        from ner.annotations import write_annotations_conll

        return write_annotations_conll(path, out)

    def selection_strategies(self) -> dict:
        from ner.selection import STRATEGIES

        return STRATEGIES

    baselines = ("crf",)

    def training_file_arguments(self, recorded: dict) -> argparse.Namespace:
        files = {split: Path(entry["path"]) for split, entry in recorded["files"].items()}
        return argparse.Namespace(
            train=files["train"], dev=files.get("dev"), test=files.get("test"), scheme=recorded.get("scheme", "auto")
        )

    def baseline_comparison(self, name: str, api, training, gold) -> tuple[dict, list[str], list]:
        """A CRF on hand features (`ner.baseline`) beside the tagger on `gold`; the
        agreement counts gold entities each finds exactly (span and type)."""
        from ner.baseline import fit_crf
        from ner.metrics import entity_agreement, entity_report
        from shared.metrics import agreement_line

        baseline = fit_crf(training.train, training.dev)
        theirs = baseline.predict(gold)
        ours = [tagged.tags for tagged in api.tag_tokens([sentence.tokens for sentence in gold])]
        report = entity_report([sentence.tags for sentence in gold], theirs)
        counts = entity_agreement([sentence.tags for sentence in gold], ours, theirs)
        c1, c2 = baseline.strengths
        record = {
            "name": "crf",
            "model": "linear-chain CRF on hand features (sklearn-crfsuite)",
            "c1": c1,
            "c2": c2,
            "dev_f1": baseline.dev_f1,
            "train_sentences": len(training.train),
            "f1": report["conlleval"]["f1"],
            "strict_f1": report["strict"]["f1"],
            "agreement": counts,
        }
        lines = [
            f"baseline ({record['model']}, c1={c1} c2={c2} chosen on dev, trained on the bundle's "
            f"{len(training.train):,} training sentences): F1 {report['conlleval']['f1']:.4f} (conlleval), "
            f"{report['strict']['f1']:.4f} (strict)",
            agreement_line(counts, " on gold entities"),
        ]
        return record, lines, theirs

    def show(self, api, texts: list[str]) -> None:
        for text, entities in zip(texts, api.predict(texts)):
            print(text)
            for entity in entities:
                print(f"  {entity.label:<5} {entity.text!r} [{entity.start}:{entity.end}] {entity.score:.2f}")


CLI = NerCli()
