"""Choose the sentences of a file to label next, the ones the model is least sure of
first; writes a new CSV queue (source, row, text, the model's guess as JSON,
uncertainty, strategy, model) for the Annotate page or your own tool.

Rows already in an annotation file (--exclude) are left out, near-duplicates (the same
words once case, digits, punctuation, mentions and links are set aside) are queued
once, blank texts never. The model's probabilities are its calibrated ones when the
bundle has a calibration. `random` is the control: a seeded shuffle.

Example:
  python -m ner.select --model models/ner --input data/mine.csv --text-col text \\
      --n 200 --out data/queue.csv --exclude data/annotations/mine.jsonl
"""

from ner.cli import CLI
from shared.cli import run_cli
from shared.verbs.select import command

main = command(CLI, __doc__)

if __name__ == "__main__":
    raise SystemExit(run_cli(main))
