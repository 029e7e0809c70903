"""Write an annotation file's labelled decisions (the Annotate page's
data/annotations/<name>.jsonl) as a CoNLL file, to train with elsewhere: a token (the
app's tokenizer) and its IOB2 tag a line, a blank line after each sentence; skipped
rows are left out. The output must be a new file.

Example:
  python -m ner.export_annotations --input data/annotations/mine.jsonl --out mine.conll
"""

from shared.cli import run_cli
from shared.verbs.export_annotations import command

main = command("ner", __doc__)

if __name__ == "__main__":
    raise SystemExit(run_cli(main))
