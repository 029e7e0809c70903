"""Run the sentiment app: train the default model on SST if none exists, then classify examples.

This is what `make start` runs. The first run trains the default configuration
(progress shown per epoch); later runs reuse the saved bundle.

Example:
  python -m sentiment.quickstart --model models/sentiment "Your own review here"
"""

from shared.cli import run_cli
from shared.verbs.quickstart import command

main = command("sentiment", __doc__)

if __name__ == "__main__":
    raise SystemExit(run_cli(main))
