"""Train a sentiment classifier (negative / neutral / positive) and save it as a bundle.

Data comes from a registered dataset (--dataset sst, --dataset airline-tweets) or
from your own CSV files. Settings come from the defaults, then --config FILE (JSON),
then dotted overrides such as --model.cell lstm --training.epochs 5.

Examples:
  python -m sentiment.train --dataset sst --out models/sentiment
  python -m sentiment.train --csv reviews.csv --text-col review --label-col stars \\
      --label-map 1-2:negative,3:neutral,4-5:positive --out models/reviews
  python -m sentiment.train --dataset sst --out models/sentiment --resume   # after a crash

A checkpoint is written every epoch to OUT.training/; --resume continues from it.
"""

from shared.cli import run_cli
from shared.verbs.train import command

main = command("sentiment", __doc__)

if __name__ == "__main__":
    raise SystemExit(run_cli(main))
