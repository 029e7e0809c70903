"""Evaluate an NER bundle: entity-level micro P/R/F1 and per-type F1 (seqeval).

Scores are given in seqeval's default conlleval-compatible mode (as papers report)
and in strict IOB2 mode, with a breakdown of the errors. Prints a table and writes
the same numbers as JSON.

Examples:
  python -m ner.evaluate --model models/ner --dataset conll2003 --split test
  python -m ner.evaluate --model models/my-ner --file my/test.txt
"""

from shared.cli import run_cli
from shared.verbs.evaluate import command

main = command("ner", __doc__)

if __name__ == "__main__":
    raise SystemExit(run_cli(main))
