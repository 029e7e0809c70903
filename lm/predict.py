"""Score texts with a language-model bundle: how surprising each one is to the model.

Writes CSV: your columns, then tokens, bits_per_token (bits per character for a
character model) and perplexity, one row per input text, each text read from the
start of a line. Useful to find odd or garbled rows, or text unlike the training
text. Texts come as arguments or from a file: .csv (text in --text-col), .jsonl,
or any other extension as plain text, one text per line. A blank text keeps its
row with empty scores (--strict makes it an error). CSV cells starting with
= + - @ get a leading ' unless --keep-formulas.

Examples:
  python -m lm.predict --model models/lm "A gorgeous, witty film." "qzx vvk plo"
  python -m lm.predict --model models/lm --input data/samples/texts.txt --output scores.csv
"""

from shared.cli import run_cli
from shared.verbs.predict import command

main = command("lm", __doc__)

if __name__ == "__main__":
    raise SystemExit(run_cli(main))
