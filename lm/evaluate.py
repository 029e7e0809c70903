"""Evaluate a language-model bundle on text: bits per character (and perplexity for a word model).

The text is read in order with the recurrent state carried across lines, as one
long stream. The last line of the output is one JSON object with bits_per_char
(and perplexity and bits_per_word for word models), for scripts.

Examples:
  python -m lm.evaluate --model models/lm --text data/samples/texts.txt
  python -m lm.evaluate --model models/lm-conll --dataset conll2003 --split dev
"""

from shared.cli import run_cli
from shared.verbs.evaluate import command

main = command("lm", __doc__)

if __name__ == "__main__":
    raise SystemExit(run_cli(main))
