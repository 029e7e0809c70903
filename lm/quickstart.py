"""Run the language-model app: train the default character model on SST text if none exists, then sample."""

from shared.cli import run_cli
from shared.verbs.quickstart import command

main = command("lm", __doc__)

if __name__ == "__main__":
    raise SystemExit(run_cli(main))
