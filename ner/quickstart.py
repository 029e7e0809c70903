"""Train the default NER model on CoNLL-2003 if none exists, then tag example sentences.

`make start` runs this before starting the UI. The first run trains the default
configuration (progress shown per epoch); later runs reuse the saved bundle.

Example:
  python -m ner.quickstart --model models/ner "Angela Merkel met Emmanuel Macron in Paris."
"""

from shared.cli import run_cli
from shared.verbs.quickstart import command

main = command("ner", __doc__)

if __name__ == "__main__":
    raise SystemExit(run_cli(main))
