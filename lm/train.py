"""Train a recurrent language model on unlabelled text and save it as a bundle.

Text comes from plain UTF-8 files (--text, any size: they are read in pieces), from
a column of CSV files (--text --text-col), or from the text of a registered
dataset's splits (--dataset conll2003: train text to learn from, dev text for early
stopping). --level picks characters (default) or words. Training carries the
recurrent state from batch to batch over parallel streams of the text (truncated
backpropagation through time), clips gradients and stops early on dev bits per
token. Settings come from the defaults, then --config FILE (JSON), then dotted
overrides such as --model.units 256 --training.bptt 200.

Examples:
  python -m lm.train --dataset conll2003 --level char --out models/lm-conll
  python -m lm.train --text data/samples/texts.txt --out models/lm-mine \\
      --training.batch_size 8 --training.bptt 32
  python -m lm.train --text reviews.csv --text-col review --level word --out models/lm-words
  python -m lm.train --dataset conll2003 --out models/lm-conll --resume   # after a crash

A checkpoint is written every epoch to OUT.training/; --resume continues from it.
"""

from shared.cli import run_cli
from shared.verbs.train import command

main = command("lm", __doc__)

if __name__ == "__main__":
    raise SystemExit(run_cli(main))
