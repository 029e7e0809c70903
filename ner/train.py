"""Train an entity tagger (BIO tags, e.g. PER/LOC/ORG/MISC) and save it as a bundle.

Data comes from a registered dataset (--dataset conll2003) or your own CoNLL-format
files (--train/--dev[/--test]: one token per line, tag in the last column, blank
lines between sentences; IOB1 or IOB2, detected or set with --scheme). Settings come
from the defaults, then --config FILE (JSON), then dotted overrides such as
--model.output softmax --training.epochs 10.

Examples:
  python -m ner.train --dataset conll2003 --out models/ner
  python -m ner.train --train my/train.txt --dev my/dev.txt --out models/my-ner
  python -m ner.train --dataset conll2003 --out models/ner --resume   # after a crash

A checkpoint is written every epoch to OUT.training/; --resume continues from it.
"""

from shared.cli import run_cli
from shared.verbs.train import command

main = command("ner", __doc__)

if __name__ == "__main__":
    raise SystemExit(run_cli(main))
