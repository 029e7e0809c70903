"""Find entities in texts with an NER bundle; writes JSONL, one line per input text.

Each output line is the input row (for JSONL input: the object; otherwise
{"text": ...}) plus "entities": a list of {label, text, start, end, score} with
character offsets into the text (text[start:end] is the entity). Texts come as
arguments or from a file: .jsonl (one object per line with the text under
--text-col, or one JSON string per line) or any other extension as plain text, one
text per line. Files stream in chunks; line order and count are preserved. With
--output the result is written to a temporary file and renamed at the end.

Examples:
  python -m ner.predict --model models/ner "Angela Merkel visited Paris on Monday."
  python -m ner.predict --model models/ner --input news.txt --output entities.jsonl
"""

from __future__ import annotations

import itertools
import json
import sys
from dataclasses import asdict
from pathlib import Path

from ner.cli import add_model_argument
from shared.cli import make_parser, run_cli
from shared.errors import DataError
from shared.inputs import argument_rows, file_rows, output_stream

CHUNK_ROWS = 1024


def predict_rows(tagger, rows, out) -> int:
    """Tag `rows` in chunks and write one JSON line per row to `out`; returns the count."""
    count = 0
    while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
        found = tagger.predict_batch([text for _, _, text in chunk])
        for (_, row, _), entities in zip(chunk, found):
            record = {**row, "entities": [asdict(entity) for entity in entities]}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += len(chunk)
    return count


def main(argv: list[str]) -> int:
    parser = make_parser("python -m ner.predict", __doc__)
    add_model_argument(parser)
    parser.add_argument("texts", nargs="*", help="texts to tag")
    parser.add_argument("--input", type=Path, help="a .jsonl or plain text file of texts")
    parser.add_argument("--text-col", default="text", help="JSON key of the text (default: text)")
    parser.add_argument("--output", type=Path, help="JSONL file to write (default: standard output)")
    args = parser.parse_args(argv)
    if bool(args.texts) == bool(args.input):
        raise DataError("give texts as arguments or one --input file (not both, not neither)")
    rows = file_rows(args.input, args.text_col) if args.input else argument_rows(args.texts, args.text_col)

    from ner.tagger import EntityTagger

    tagger = EntityTagger.load(args.model)
    with output_stream(args.output) as out:
        count = predict_rows(tagger, rows, out)
    if args.output is not None:
        print(f"Wrote {count} lines to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_cli(main))
