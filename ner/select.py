"""Choose the sentences of a file to label next, the ones the model is least sure of first.

Uncertainty is the tagger's least sure token (sentence) or entity (entity).

Example:
  python -m ner.select --model models/ner --input data/news.txt \\
      --n 200 --out data/queue.csv --exclude data/annotations/mine.jsonl
"""

from shared.cli import run_cli
from shared.verbs.select import command

main = command("ner", __doc__)

if __name__ == "__main__":
    raise SystemExit(run_cli(main))
