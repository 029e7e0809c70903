"""Export a sentiment bundle as a TF SavedModel that takes a batch of raw strings.

The `serving_default` signature takes `text` (string, shape [batch]) and returns
`label` (string, [batch]) and `probabilities` (float32, [batch, 3], in the order
negative, neutral, positive). Inspect it with:
  saved_model_cli show --dir OUT --tag_set serve --signature_def serving_default

Example:
  python -m sentiment.export --model models/sentiment --out exported/sentiment
"""

from __future__ import annotations

from pathlib import Path

from sentiment.cli import add_model_argument
from shared.cli import make_parser, run_cli


def export_sentiment(classifier, out: str | Path) -> Path:
    """Write `classifier`'s model as a SavedModel with `label` and `probabilities` outputs."""
    import tensorflow as tf

    from shared.export import export_saved_model

    model = classifier.model
    labels = tf.constant(list(classifier.labels))

    def serve(text):
        probabilities = model(text, training=False)
        return {"label": tf.gather(labels, tf.argmax(probabilities, axis=-1)), "probabilities": probabilities}

    return export_saved_model(model, out, serve, [tf.TensorSpec([None], tf.string, name="text")])


def main(argv: list[str]) -> int:
    parser = make_parser("python -m sentiment.export", __doc__)
    add_model_argument(parser)
    parser.add_argument("--out", type=Path, required=True, help="SavedModel folder to write")
    args = parser.parse_args(argv)
    from sentiment.classifier import SentimentClassifier

    export_sentiment(SentimentClassifier.load(args.model), args.out)
    print(f"Exported SavedModel to {args.out} (signature serving_default: text -> label, probabilities)")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_cli(main))
