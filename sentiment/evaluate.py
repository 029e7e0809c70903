"""Evaluate a sentiment bundle: accuracy, macro-F1, per-class P/R/F1, confusion matrix.

Prints a table and writes the same numbers as JSON.

Examples:
  python -m sentiment.evaluate --model models/sentiment --dataset sst --split test
  python -m sentiment.evaluate --model models/reviews --csv held_out.csv \\
      --text-col review --label-col stars --label-map 1-2:negative,3:neutral,4-5:positive
"""

from shared.cli import run_cli
from shared.verbs.evaluate import command

main = command("sentiment", __doc__)

if __name__ == "__main__":
    raise SystemExit(run_cli(main))
