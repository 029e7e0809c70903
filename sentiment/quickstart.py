"""Run the sentiment app: train the default model on SST if none exists, then classify examples.

This is what `make start` runs. The first run trains the default configuration
(progress shown per epoch); later runs reuse the saved bundle.

Example:
  python -m sentiment.quickstart --model models/sentiment "Your own review here"
"""

from __future__ import annotations

from pathlib import Path

from shared.cli import make_parser, run_cli

EXAMPLES = (
    "A gorgeous, witty, seductive movie.",
    "The plot is dull and the acting is even worse.",
    "The film runs two hours and was shot in Toronto.",
    "It isn't a bad film, but it never quite comes alive.",
)


QUICK_EPOCHS = 3


def ensure_default_model(path: Path, *, quick: bool = False, seed: int = 42, on_epoch=None) -> Path:
    """Train the default SST model at `path` unless a bundle is already there.

    `quick` stops after QUICK_EPOCHS epochs (a few minutes) for a first look.
    """
    from sentiment.config import SentimentConfig
    from sentiment.train import named_source, train
    from shared.config import with_epochs

    if (path / "metadata.json").is_file():
        return path
    config = with_epochs(SentimentConfig(), QUICK_EPOCHS) if quick else SentimentConfig()
    print(f"No sentiment model in {path}: training the default model on SST (at most {config.training.epochs} epochs).")
    return train(named_source("sst", config), config, path, seed=seed, on_epoch=on_epoch)


def main(argv: list[str]) -> int:
    parser = make_parser("python -m sentiment.quickstart", __doc__)
    parser.add_argument("texts", nargs="*", help="texts to classify (default: a few examples)")
    parser.add_argument("--model", type=Path, default=Path("models") / "sentiment", help="bundle folder")
    args = parser.parse_args(argv)

    from sentiment.classifier import SentimentClassifier

    classifier = SentimentClassifier.load(ensure_default_model(args.model))
    print()
    for prediction in classifier.predict(args.texts or list(EXAMPLES)):
        scores = "  ".join(f"{label} {p:.2f}" for label, p in prediction.probabilities.items())
        print(f"{prediction.label:>8}  [{scores}]  {prediction.text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_cli(main))
