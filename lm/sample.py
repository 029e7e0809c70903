"""Sample text from a language-model bundle.

Prints the prime followed by LENGTH sampled tokens (characters, or words for a word
model; for a backward model, the sampled text comes before the prime). Prime words a
word model never saw in training are named on stderr (the model reads them as
unknown). TEMPERATURE below 1 makes the text safer and more repetitive, above 1 more
surprising; --top-k K samples among the K most likely tokens only. The same seed
gives the same text, here, in the Python API and in the exported SavedModel.

Examples:
  python -m lm.sample --model models/lm --prime "The film " --length 200 --temperature 0.5 --seed 1
  python -m lm.sample --model models/lm --length 300 --temperature 1.0 --top-k 10
"""

from __future__ import annotations

import sys
from pathlib import Path

from shared.cli import add_seed_argument, argument_parser, run_cli


def main(argv: list[str]) -> int:
    from lm.language_model import MAX_SAMPLE_LENGTH, LanguageModel

    parser = argument_parser("python -m lm.sample", __doc__)
    parser.add_argument("--model", type=Path, required=True, help="bundle folder written by lm.train")
    parser.add_argument("--prime", default="", help="text to continue (default: the start of a line)")
    parser.add_argument(
        "--length", type=int, default=200, help=f"tokens to sample, 1 to {MAX_SAMPLE_LENGTH:,} (default: 200)"
    )
    parser.add_argument("--temperature", type=float, default=1.0, help="positive; lower is safer (default: 1.0)")
    parser.add_argument("--top-k", type=int, default=0, help="sample among the K most likely tokens (default: 0, all)")
    add_seed_argument(parser, 0)
    args = parser.parse_args(argv)
    model = LanguageModel.load(args.model)
    text = model.join(args.prime, model.sample(args.prime, args.length, args.temperature, args.top_k, args.seed))
    if model.level == "word" and (unknown := model.unknown_tokens(args.prime)):
        shown = ", ".join(repr(word) for word in unknown[:10]) + (", ..." if len(unknown) > 10 else "")
        print(f"note: the model never saw these prime words in training and reads them as unknown: {shown}",
              file=sys.stderr)  # fmt: skip
    sys.stdout.write(text + ("" if text.endswith("\n") else "\n"))
    return 0


if __name__ == "__main__":
    raise SystemExit(run_cli(main))
