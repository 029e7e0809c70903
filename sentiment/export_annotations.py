"""Write an annotation file's labelled decisions (the Annotate page's
data/annotations/<name>.jsonl) as a CSV with text, label, source and row columns, to
train with elsewhere; skipped rows are left out. The output must be a new file.

Example:
  python -m sentiment.export_annotations --input data/annotations/mine.jsonl --out mine.csv
"""

from shared.cli import run_cli
from shared.verbs.export_annotations import command

main = command("sentiment", __doc__)

if __name__ == "__main__":
    raise SystemExit(run_cli(main))
