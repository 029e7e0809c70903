"""Choose the texts of a file to label next, the ones the model is least sure of first.

Uncertainty is entropy (or margin) of the classifier's calibrated probabilities.

Example:
  python -m sentiment.select --model models/sentiment --input data/mine.csv --text-col text \\
      --n 200 --out data/queue.csv --exclude data/annotations/mine.jsonl
"""

from shared.cli import run_cli
from shared.verbs.select import command

main = command("sentiment", __doc__)

if __name__ == "__main__":
    raise SystemExit(run_cli(main))
