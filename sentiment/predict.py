"""Classify texts with a sentiment bundle; writes CSV with the label and three probabilities.

Texts come as arguments or from a file: .csv (text in --text-col, other columns are
kept, in order, before the predictions), .jsonl (one object per line with the text
in --text-col, or one JSON string per line) or any other extension as plain text,
one text per line. Files stream in chunks; row order and count are preserved. With
--output the CSV is written to a temporary file and renamed into place at the end,
so a failed or killed run never leaves a partial file under that name; an --output
ending in .jsonl gets JSON lines instead.

A blank text keeps its row with an empty label and probabilities and is counted on
stderr; --strict stops at it instead. Cells starting with = + - @ get a leading '
(spreadsheets would run them as formulas) unless --keep-formulas.

Examples:
  python -m sentiment.predict --model models/sentiment "What a great film" "Dull."
  python -m sentiment.predict --model models/sentiment --input reviews.csv \\
      --text-col review --output scored.csv
"""

from shared.cli import run_cli
from shared.verbs.predict import command

main = command("sentiment", __doc__)

if __name__ == "__main__":
    raise SystemExit(run_cli(main))
