"""Train the default NER model on CoNLL-2003 if none exists, then tag example sentences.

`make start` runs this before starting the UI. The first run trains the default
configuration (progress shown per epoch); later runs reuse the saved bundle.

Example:
  python -m ner.quickstart --model models/ner "Angela Merkel met Emmanuel Macron in Paris."
"""

from __future__ import annotations

from pathlib import Path

from shared.cli import make_parser, run_cli

EXAMPLES = (
    "Angela Merkel met Emmanuel Macron in Paris on Monday.",
    "Shares of Volkswagen fell 3% in Frankfurt after the U.S. Department of Justice opened an inquiry.",
)
QUICK_EPOCHS = 3


def ensure_default_model(path: Path, *, quick: bool = False, seed: int = 42, on_epoch=None) -> Path:
    """Train the default CoNLL-2003 model at `path` unless a bundle is already there.

    `quick` stops after QUICK_EPOCHS epochs (a few minutes) for a first look.
    """
    from ner.config import NerConfig
    from ner.data import load_named_dataset
    from ner.train import train
    from shared.config import with_epochs
    from shared.datasets import dataset_fingerprint

    if (path / "metadata.json").is_file():
        return path
    config = with_epochs(NerConfig(), QUICK_EPOCHS) if quick else NerConfig()
    print(f"No NER model in {path}: training the default on CoNLL-2003 (at most {config.training.epochs} epochs).")
    splits = load_named_dataset("conll2003")
    return train(dataset_fingerprint("conll2003"), splits, config, path, seed=seed, on_epoch=on_epoch)


def main(argv: list[str]) -> int:
    parser = make_parser("python -m ner.quickstart", __doc__)
    parser.add_argument("texts", nargs="*", help="texts to tag (default: a few examples)")
    parser.add_argument("--model", type=Path, default=Path("models") / "ner", help="bundle folder")
    args = parser.parse_args(argv)

    from ner.tagger import EntityTagger

    tagger = EntityTagger.load(ensure_default_model(args.model))
    print()
    for text, entities in zip(args.texts or EXAMPLES, tagger.predict_batch(list(args.texts or EXAMPLES))):
        print(text)
        for entity in entities:
            print(f"  {entity.label:<5} {entity.text!r} [{entity.start}:{entity.end}] {entity.score:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_cli(main))
