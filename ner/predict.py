"""Find entities in texts with an NER bundle; writes JSONL, one line per input text.

Each output line is the input row (for JSONL input: the object; otherwise
{"text": ...}) plus "entities": a list of {label, text, start, end, score} with
character offsets into the text (text[start:end] is the entity). Texts come as
arguments or from a file: .csv (text in --text-col), .jsonl (one object per line
with the text under --text-col, or one JSON string per line) or any other extension
as plain text, one text per line. Files stream in chunks; line order and count are
preserved. An --output ending in .csv gets CSV (your columns, then "entities" as
JSON). With --output the result is written to a temporary file and renamed at the end.

A blank text has no entities (as in spaCy), so it gets "entities": []. CSV cells
starting with = + - @ get a leading ' (spreadsheets would run them as formulas)
unless --keep-formulas.

Examples:
  python -m ner.predict --model models/ner "Angela Merkel visited Paris on Monday."
  python -m ner.predict --model models/ner --input news.txt --output entities.jsonl
  python -m ner.predict --model models/ner --input data/samples/reviews.csv --output entities.csv
"""

from shared.cli import run_cli
from shared.verbs.predict import command

main = command("ner", __doc__)

if __name__ == "__main__":
    raise SystemExit(run_cli(main))
