"""Export an NER bundle as a TF SavedModel that takes a batch of raw sentences.

The `serving_default` signature takes `text` (string, [batch]) and returns
`tokens` and `tags` (string, [batch, max tokens], padded with "") and `scores`
(float32, the probability of each tag, 0 on padding). Tokenization is the same as
the Python API's. Inspect it with:
  saved_model_cli show --dir OUT --tag_set serve --signature_def serving_default

Example:
  python -m ner.export --model models/ner --out exported/ner
"""

from __future__ import annotations

from pathlib import Path

from ner.cli import add_model_argument
from shared.cli import make_parser, run_cli


def export_ner(tagger, out: str | Path) -> Path:
    """Write `tagger`'s model as a SavedModel: raw text -> tokens, tags, scores."""
    import tensorflow as tf

    from ner.model import decode
    from ner.tokenizer import split_tokens
    from shared.export import export_saved_model

    model = tagger.model
    tags = tf.constant(tagger.tags)

    def serve(text):
        tokens = split_tokens(text).to_tensor(default_value="")
        ids, scores = decode(model, tokens)
        names = tf.where(tokens != "", tf.gather(tags, ids), "")
        return {"tokens": tokens, "tags": names, "scores": scores}

    return export_saved_model(model, out, serve, [tf.TensorSpec([None], tf.string, name="text")])


def main(argv: list[str]) -> int:
    parser = make_parser("python -m ner.export", __doc__)
    add_model_argument(parser)
    parser.add_argument("--out", type=Path, required=True, help="SavedModel folder to write")
    args = parser.parse_args(argv)
    from ner.tagger import EntityTagger

    export_ner(EntityTagger.load(args.model), args.out)
    print(f"Exported SavedModel to {args.out} (signature serving_default: text -> tokens, tags, scores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_cli(main))
