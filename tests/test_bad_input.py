"""The bad-input catalogue: one row per way a user can get input wrong.

CLI rows run the real command in-process through `run_cli`, the code path of
`python -m MODULE`, and check exit status 2, exactly one `error: ...` line on
stderr that names what is wrong and where, and that nothing but the inputs is left
in the working folder (no half-written output, model or checkpoint). API rows check
the typed exception and its message. The UI's rows (uploads, empty text) are in
tests/test_app.py.

Placeholders in arguments: {tmp} is the row's working folder, {sentiment}, {ner} and
{lm} are tiny trained bundles, {sentiment_copy} and {ner_copy} are copies of them in
{tmp} that a row may damage with `damage`.
"""

from __future__ import annotations

import importlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from shared.cli import run_cli
from shared.errors import BundleError, DataError

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\xff\xfe" * 8
CONLL_2000_TOKENS = "-DOCSTART- O\n\n" + "".join(
    f"{word} {tag}\n" for word, tag in [("Paris", "B-LOC"), ("is", "O"), ("nice", "O"), (".", "O")] * 500
)


def truncate_model(bundle: Path) -> None:
    model = bundle / "model.keras"
    model.write_bytes(model.read_bytes()[:2000])


def newer_format(bundle: Path) -> None:
    meta = bundle / "metadata.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "format_version": 99}))


def remove_model(bundle: Path) -> None:
    (bundle / "model.keras").unlink()


@dataclass(frozen=True)
class Case:
    id: str
    module: str
    args: list[str]
    expected: str
    files: dict[str, bytes | str] = field(default_factory=dict)
    damage: Callable[[Path], None] | None = None


TRAIN_CSV = ["--csv", "{tmp}/data.csv", "--out", "{tmp}/model"]
LM_TRAIN = ["--text", "{tmp}/text.txt", "--out", "{tmp}/model"]
LM_SAMPLE = ["--model", "{lm}", "--prime", "Oslo"]
NER_TRAIN = ["--train", "{tmp}/train.txt", "--dev", "{tmp}/train.txt", "--out", "{tmp}/model"]
GOOD_CONLL = "EU B-ORG\nrejects O\nGerman B-MISC\ncall O\n\nPeter B-PER\nBlackburn I-PER\n"

CLI_CASES = [
    # sentiment training data
    Case("csv-missing", "sentiment.train", TRAIN_CSV, "data.csv: file not found"),
    Case("csv-binary", "sentiment.train", TRAIN_CSV, "data.csv: line 1: not UTF-8 text", {"data.csv": PNG}),
    Case(
        "csv-invalid-utf8",
        "sentiment.train",
        TRAIN_CSV,
        "data.csv: line 3: not UTF-8 text (byte 4 of the line)",
        {"data.csv": b"text,label\ngood,positive\ncaf\xe9 noir,negative\n"},
    ),
    Case(
        "csv-wrong-delimiter",
        "sentiment.train",
        TRAIN_CSV,
        "data.csv: no column 'text'; columns are: text:label (is the file delimited by , ; tab or |?)",
        {"data.csv": "text:label\ngood:positive\nbad:negative\n"},
    ),
    Case(
        "csv-missing-text-column",
        "sentiment.train",
        TRAIN_CSV,
        "data.csv: no column 'text'; columns are: review, label",
        {"data.csv": "review,label\ngood,positive\n"},
    ),
    Case(
        "csv-nan-text",
        "sentiment.train",
        TRAIN_CSV,
        "data.csv: row 3, column 'text': empty text",
        {"data.csv": "text,label\ngood,positive\n,negative\n"},
    ),
    Case(
        "csv-nan-label",
        "sentiment.train",
        TRAIN_CSV,
        "data.csv: row 3, column 'label': empty label",
        {"data.csv": "text,label\ngood,positive\nbad,\n"},
    ),
    Case(
        "csv-unknown-label",
        "sentiment.train",
        TRAIN_CSV,
        "data.csv: row 3, column 'label': unknown label 'terrible'",
        {"data.csv": "text,label\ngood,positive\nbad,terrible\n"},
    ),
    Case(
        "csv-one-class",
        "sentiment.train",
        [*TRAIN_CSV, "--dev-csv", "{tmp}/data.csv"],
        "data.csv: training data holds only one class (positive); need at least two",
        {"data.csv": "text,label\ngood,positive\ngreat,positive\nfine,positive\n"},
    ),
    Case(
        "csv-fewer-rows-than-a-batch",
        "sentiment.train",
        TRAIN_CSV,
        "too few rows (3) to hold out a dev set; pass --dev-csv",
        {"data.csv": "text,label\ngood,positive\nbad,negative\nmeh,neutral\n"},
    ),
    Case("csv-header-only", "sentiment.train", TRAIN_CSV, "data.csv: no data rows", {"data.csv": "text,label\n"}),
    Case(
        "config-not-json",
        "sentiment.train",
        [*TRAIN_CSV, "--config", "{tmp}/config.json"],
        "config.json: not a readable JSON config",
        {"config.json": "{model: 1", "data.csv": "text,label\ngood,positive\n"},
    ),
    Case(
        "config-bad-value",
        "sentiment.train",
        [*TRAIN_CSV, "--model.sequence.layers", "7"],
        "layers must be 1, 2 or 3",
        {"data.csv": "text,label\ngood,positive\n"},
    ),
    Case(
        "tree-csv-without-parser",
        "sentiment.train",
        [*TRAIN_CSV, "--model.architecture", "tree"],
        "a tree model needs trees: bracketed ones (--trees, --dataset sst) train its parser, or give --parser DIR",
        {"data.csv": "text,label\n" + "good film,positive\nbad film,negative\n" * 6},
    ),
    Case(
        "tree-parser-of-a-sequence-model",
        "sentiment.train",
        [*TRAIN_CSV, "--model.architecture", "tree", "--parser", "{sentiment}"],
        "a sequence model; --parser takes the bundle of a tree model",
        {"data.csv": "text,label\ngood,positive\nbad,negative\n"},
    ),
    Case(
        "config-bad-parser-value",
        "sentiment.train",
        [*TRAIN_CSV, "--model.parser.char_filters", "-1"],
        "char_filters must be 0 (no character features) or more",
        {"data.csv": "text,label\ngood,positive\n"},
    ),
    # sentiment prediction inputs and model folders
    Case("text-empty", "sentiment.predict", ["--model", "{sentiment}", "--strict", ""], "argument: row 1: empty text"),
    Case("text-blank", "sentiment.predict", ["--model", "{sentiment}", "--strict", "ok", " "], "row 2: empty text"),
    Case(
        "input-binary",
        "sentiment.predict",
        ["--model", "{sentiment}", "--input", "{tmp}/in.txt", "--output", "{tmp}/out.csv"],
        "in.txt: line 1: not UTF-8 text",
        {"in.txt": PNG},
    ),
    Case(
        "input-empty-row-leaves-no-output",
        "sentiment.predict",
        ["--model", "{sentiment}", "--input", "{tmp}/in.csv", "--output", "{tmp}/out.csv", "--strict"],
        "in.csv: row 3: empty text",
        {"in.csv": "id,text\n1,fine\n2,\n3,ok\n"},
    ),
    Case(
        "input-missing-column",
        "sentiment.predict",
        ["--model", "{sentiment}", "--input", "{tmp}/in.csv", "--text-col", "review"],
        "in.csv: no column 'review'; columns are: id, text",
        {"in.csv": "id,text\n1,fine\n"},
    ),
    Case("model-missing", "sentiment.predict", ["--model", "{tmp}/nope", "good"], "nope: model folder not found"),
    Case(
        "model-empty-folder",
        "sentiment.predict",
        ["--model", "{tmp}/empty", "good"],
        "empty: not a model bundle (no metadata.json)",
        {"empty/.keep": ""},
    ),
    Case(
        "model-truncated",
        "sentiment.predict",
        ["--model", "{sentiment_copy}", "good"],
        "model.keras: cannot load model",
        damage=truncate_model,
    ),
    Case(
        "model-file-missing",
        "sentiment.predict",
        ["--model", "{sentiment_copy}", "good"],
        "incomplete bundle (no model.keras)",
        damage=remove_model,
    ),
    Case(
        "model-newer-format",
        "sentiment.predict",
        ["--model", "{sentiment_copy}", "good"],
        "bundle format version 99 is newer than this code supports (1)",
        damage=newer_format,
    ),
    Case("model-ner-for-sentiment", "sentiment.predict", ["--model", "{ner}", "good"], "this is a 'ner' model"),
    # NER training data
    Case(
        "conll-wrong-column-count",
        "ner.train",
        NER_TRAIN,
        "train.txt: line 2: 3 columns where the file has 2",
        {"train.txt": "EU B-ORG\nrejects VBZ O\n"},
    ),
    Case(
        "conll-unknown-tag",
        "ner.train",
        NER_TRAIN,
        "train.txt: line 2: tag 'PERSON' is not O, B-TYPE or I-TYPE",
        {"train.txt": "EU B-ORG\nPeter PERSON\n"},
    ),
    Case(
        "conll-i-without-b",
        "ner.train",
        [*NER_TRAIN, "--scheme", "iob2"],
        "train.txt: line 3: I-PER does not continue an entity",
        {"train.txt": "EU B-ORG\nsaid O\nBlackburn I-PER\n"},
    ),
    Case("conll-binary", "ner.train", NER_TRAIN, "train.txt: line 1: not UTF-8 text", {"train.txt": PNG}),
    Case(
        "conll-invalid-utf8",
        "ner.train",
        NER_TRAIN,
        "train.txt: line 2: not UTF-8 text (byte 2 of the line)",
        {"train.txt": b"EU B-ORG\nM\xfcller B-PER\n"},
    ),
    Case(
        "conll-dev-type-unknown",
        "ner.train",
        ["--train", "{tmp}/train.txt", "--dev", "{tmp}/dev.txt", "--out", "{tmp}/model"],
        "dev.txt: entity type 'DATE' does not occur in the training data",
        {"train.txt": GOOD_CONLL, "dev.txt": "Monday B-DATE\n"},
    ),
    # NER prediction inputs and model folders
    Case(
        "ner-input-invalid-json",
        "ner.predict",
        ["--model", "{ner}", "--input", "{tmp}/in.jsonl", "--output", "{tmp}/out.jsonl"],
        "in.jsonl: line 2: invalid JSON",
        {"in.jsonl": '{"text": "Paris"}\n{"text": \n'},
    ),
    Case("ner-model-sentiment", "ner.predict", ["--model", "{sentiment}", "Paris"], "this is a 'sentiment' model"),
    Case(
        "ner-model-truncated",
        "ner.predict",
        ["--model", "{ner_copy}", "Paris"],
        "model.keras: cannot load model",
        damage=truncate_model,
    ),
    Case(
        "ner-model-newer-format",
        "ner.evaluate",
        ["--model", "{ner_copy}", "--file", "{tmp}/test.txt"],
        "bundle format version 99 is newer",
        {"test.txt": GOOD_CONLL},
        damage=newer_format,
    ),
    Case(
        "sentiment-export-annotations-bad-label",
        "sentiment.export_annotations",
        ["--input", "{tmp}/a.jsonl", "--out", "{tmp}/a.csv"],
        "a.jsonl: line 2: label 'so-so' is not one of negative, neutral, positive",
        {
            "a.jsonl": '{"source": "s", "row": 1, "text": "ok", "label": "positive"}\n'
            '{"source": "s", "row": 2, "text": "meh", "label": "so-so"}\n'
        },  # fmt: skip
    ),
    Case(
        "ner-export-annotations-bad-line",
        "ner.export_annotations",
        ["--input", "{tmp}/a.jsonl", "--out", "{tmp}/a.conll"],
        "a.jsonl: line 1 is not an annotation decision: not valid JSON",
        {"a.jsonl": "Anna B-PER\n\n"},
    ),
    Case(
        "ner-evaluate-errors-over-existing-file",
        "ner.evaluate",
        ["--model", "{ner}", "--file", "{tmp}/test.txt", "--output", "{tmp}/r.json", "--errors", "{tmp}/e.csv"],
        "e.csv: exists; choose another path for --errors (nothing was replaced)",
        {"test.txt": GOOD_CONLL, "e.csv": "my notes\n"},
    ),
    Case(
        "ner-export-over-existing-file",
        "ner.export",
        ["--model", "{ner}", "--out", "{tmp}/taken"],
        "taken: exists and is not an exported SavedModel; choose another path or remove it first",
        {"taken": "my notes\n"},
    ),
    # language-model text, sampling and bundles
    Case("lm-text-missing", "lm.train", LM_TRAIN, "text.txt: file not found"),
    Case("lm-text-empty", "lm.train", LM_TRAIN, "text.txt (train): no text", {"text.txt": ""}),
    Case("lm-text-binary", "lm.train", LM_TRAIN, "text.txt: line 1: not UTF-8 text", {"text.txt": PNG}),
    Case("lm-text-nul", "lm.train", LM_TRAIN, "text.txt: looks like a binary file", {"text.txt": "ab\x00cd " * 50}),
    Case(
        "lm-text-invalid-utf8",
        "lm.train",
        LM_TRAIN,
        "text.txt: line 2: not UTF-8 text (byte 4 of the line)",
        {"text.txt": b"good words\ncaf\xe9 noir\n"},
    ),
    Case(
        "lm-text-too-little",
        "lm.train",
        LM_TRAIN,
        "too little text (10 char tokens); training needs at least 3,300",
        {"text.txt": "a few words"},
    ),
    Case(
        "lm-csv-missing-column",
        "lm.train",
        [*LM_TRAIN, "--text-col", "body"],
        "text.txt: no column 'body'; columns are: review, stars",
        {"text.txt": "review,stars\ngood,5\n"},
    ),
    Case(
        "lm-dev-text-empty",
        "lm.train",
        [*LM_TRAIN, "--dev-text", "{tmp}/dev.txt"],
        "dev.txt (dev): no dev text",
        {"text.txt": "plenty of words here " * 3000, "dev.txt": ""},
    ),
    Case("lm-temperature-zero", "lm.sample", [*LM_SAMPLE, "--temperature", "0"], "temperature must be positive"),
    Case("lm-temperature-negative", "lm.sample", [*LM_SAMPLE, "--temperature", "-1"], "temperature must be positive"),
    Case("lm-temperature-nan", "lm.sample", [*LM_SAMPLE, "--temperature", "nan"], "temperature must be a positive"),
    Case("lm-length-zero", "lm.sample", [*LM_SAMPLE, "--length", "0"], "length must be a whole number from 1"),
    Case("lm-length-huge", "lm.sample", [*LM_SAMPLE, "--length", "1000000000"], "length must be a whole number"),
    Case("lm-top-k-negative", "lm.sample", [*LM_SAMPLE, "--top-k", "-2"], "top_k must be a whole number"),
    Case(
        "lm-prime-unseen", "lm.sample", [*LM_SAMPLE, "--prime", "Oslo \u65e5\u672c"], "never saw in training: '\u65e5'"
    ),
    Case(
        "lm-model-sentiment", "lm.sample", ["--model", "{sentiment}"], "this is a 'sentiment' model, not a 'lm' model"
    ),
    Case("lm-model-for-ner", "ner.predict", ["--model", "{lm}", "Paris"], "this is a 'lm' model, not a 'ner' model"),
    Case(
        "lm-evaluate-empty-text",
        "lm.evaluate",
        ["--model", "{lm}", "--text", "{tmp}/empty.txt", "--output", "{tmp}/e.json"],
        "empty.txt: no text to score",
        {"empty.txt": ""},
    ),
    # seeds, checked once for every verb that has --seed
    *(
        Case(
            f"lm-train-seed-{kind}",
            "lm.train",
            [*LM_TRAIN, "--seed", seed],
            f"argument --seed: seed must be a whole number from 0 to 4,294,967,295, got {seed} "
            "(see python -m lm.train --help)",
            {"text.txt": "plenty of words here " * 3000},
        )
        for kind, seed in (("negative", "-1"), ("huge", str(2**70)))
    ),
    Case("lm-sample-seed-huge", "lm.sample", [*LM_SAMPLE, "--seed", str(2**70)], "seed must be a whole number"),
    Case(
        "sentiment-train-seed-huge",
        "sentiment.train",
        [*TRAIN_CSV, "--seed", str(2**70)],
        "argument --seed: seed must be a whole number",
        {"data.csv": "text,label\ngood,positive\nbad,negative\n"},
    ),
    Case("ner-train-seed-word", "ner.train", [*NER_TRAIN, "--seed", "one"], "got 'one'", {"train.txt": GOOD_CONLL}),
    Case("train-unknown-option", "sentiment.train", ["--dataset", "sst", "--epochs", "3"], "unrecognised argument"),
    Case("predict-missing-model", "ner.predict", ["Paris"], "the following arguments are required: --model"),
    # outputs that would overwrite a user's files
    Case(
        "evaluate-output-is-a-user-file",
        "sentiment.evaluate",
        ["--model", "{sentiment}", "--csv", "{tmp}/test.csv", "--output", "{tmp}/notes.json"],
        "notes.json: exists and is not an evaluation report of this project",
        {"test.csv": "text,label\ngood,positive\nbad,negative\n", "notes.json": '{"mine": 1}\n'},
    ),
    Case(
        "train-out-is-a-user-folder",
        "sentiment.train",
        ["--csv", "{tmp}/data.csv", "--dev-csv", "{tmp}/data.csv", "--out", "{tmp}/documents"],
        "documents: exists and is not a model bundle; choose another path or remove it first",
        {"data.csv": "text,label\ngood,positive\nbad,negative\n", "documents/thesis.txt": "years of work\n"},
    ),
    Case(
        "ner-train-out-is-a-file",
        "ner.train",
        [*NER_TRAIN[:-1], "{tmp}/notes.txt"],
        "notes.txt: exists and is not a model bundle",
        {"train.txt": GOOD_CONLL, "notes.txt": "mine\n"},
    ),
    # pretrained vectors that cannot be used
    Case(
        "train-unknown-vectors",
        "sentiment.train",
        [*TRAIN_CSV, "--model.vectors", "glove-7b"],
        "--model.vectors: vectors 'glove-7b' is not one of glove-6b-50d, none",
        {"data.csv": "text,label\ngood,positive\nbad,negative\n"},
    ),
    Case(
        "ner-train-vectors-of-another-size",
        "ner.train",
        [*NER_TRAIN, "--model.vectors", "glove-6b-50d", "--model.word_dim", "100"],
        "word_dim is 100 but the glove-6b-50d vectors have 50 dimensions (they are used as they are)",
        {"train.txt": GOOD_CONLL},
    ),
    # two outputs of one command, or an output that cannot be written: nothing written at all
    Case(
        "evaluate-output-and-errors-the-same-file",
        "sentiment.evaluate",
        ["--model", "{sentiment}", "--csv", "{tmp}/test.csv", "--output", "{tmp}/e.json", "--errors", "{tmp}/./e.json"],
        "e.json: --output and --errors name the same file; give each its own path (nothing was written)",
        {"test.csv": "text,label\ngood,positive\nbad,negative\n"},
    ),
    Case(
        "evaluate-errors-under-proc",
        "sentiment.evaluate",
        ["--model", "{sentiment}", "--csv", "{tmp}/test.csv", "--output", "{tmp}/e.json", "--errors", "/proc/x.csv"],
        "/proc/x.csv: cannot be written (No such file or directory); choose another path for --errors",
        {"test.csv": "text,label\ngood,positive\nbad,negative\n"},
    ),
    Case(
        "evaluate-errors-under-a-file",
        "ner.evaluate",
        [
            "--model",
            "{ner}",
            "--file",
            "{tmp}/test.txt",
            "--output",
            "{tmp}/r.json",
            "--errors",
            "{tmp}/notes.txt/e.csv",
        ],
        "notes.txt is a file, not a folder; choose another path for --errors",
        {"test.txt": GOOD_CONLL, "notes.txt": "mine\n"},
    ),
    Case(
        "evaluate-output-under-a-file",
        "sentiment.evaluate",
        ["--model", "{sentiment}", "--csv", "{tmp}/test.csv", "--output", "{tmp}/test.csv/r.json"],
        "test.csv is a file, not a folder; choose another path for --output",
        {"test.csv": "text,label\ngood,positive\nbad,negative\n"},
    ),
    Case(
        "export-annotations-out-under-a-file",
        "sentiment.export_annotations",
        ["--input", "{tmp}/a.jsonl", "--out", "{tmp}/a.jsonl/a.csv"],
        "a.jsonl is a file, not a folder; choose another path for --out",
        {"a.jsonl": '{"source": "s", "row": 1, "text": "ok", "label": "positive"}\n'},
    ),
    Case(
        "export-annotations-latin-1",
        "sentiment.export_annotations",
        ["--input", "{tmp}/a.jsonl", "--out", "{tmp}/a.csv"],
        "a.jsonl: line 2: not UTF-8 text (an annotation file is UTF-8 JSON Lines); save it as UTF-8",
        {
            "a.jsonl": b'{"source": "s", "row": 1, "text": "ok", "label": "positive"}\n'
            b'{"source": "s", "row": 2, "text": "caf\xe9", "label": "positive"}\n'
        },  # fmt: skip
    ),
    Case(
        "ner-export-annotations-start-null",
        "ner.export_annotations",
        ["--input", "{tmp}/a.jsonl", "--out", "{tmp}/a.conll"],
        "a.jsonl: line 1 is not an annotation decision: the entity 'PER' needs integer start and end offsets",
        {
            "a.jsonl": '{"source": "s", "row": 1, "text": "Anna won", '
            '"entities": [{"label": "PER", "start": null, "end": 4}]}\n'
        },
    ),
    Case(
        "ner-export-annotations-another-tasks-file",
        "ner.export_annotations",
        ["--input", "{tmp}/a.jsonl", "--out", "{tmp}/a.conll"],
        "a.jsonl: line 1 is a sentiment decision, not ner",
        {"a.jsonl": '{"task": "sentiment", "source": "s", "row": 1, "text": "ok", "label": "positive"}\n'},
    ),
    Case(
        "predict-output-is-a-folder",
        "sentiment.predict",
        ["--model", "{sentiment}", "good", "--output", "{tmp}/results"],
        "results: is a folder; give a file path",
        {"results/old.csv": "a,b\n"},
    ),
]


@pytest.fixture
def row_folder(tmp_path, sentiment_bundle, ner_bundle, lm_bundle):
    """Fill a case's working folder; return it and the placeholder values."""

    def prepare(case: Case) -> dict:
        for name, content in case.files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
        values = {
            "tmp": str(tmp_path),
            "sentiment": str(sentiment_bundle),
            "ner": str(ner_bundle),
            "lm": str(lm_bundle),
        }
        for task, bundle in (("sentiment", sentiment_bundle), ("ner", ner_bundle)):
            if f"{{{task}_copy}}" in case.args:
                copy = tmp_path / f"{task}-copy"
                shutil.copytree(bundle, copy)
                case.damage(copy)
                values[f"{task}_copy"] = str(copy)
        return values

    return tmp_path, prepare


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", CLI_CASES, ids=[case.id for case in CLI_CASES])
def test_cli_bad_input(case, row_folder, capsys):
    folder, prepare = row_folder
    values = prepare(case)
    before = files_under(folder)
    main = importlib.import_module(case.module).main
    code = run_cli(main, [arg.format(**values) for arg in case.args])
    stderr = capsys.readouterr().err
    assert code == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert case.expected in lines[0], lines[0]
    assert files_under(folder) == before, "a failed command left or changed files"


# --------------------------------------------------------------------- Python API


def _sentiment(bundle):
    from sentiment import SentimentClassifier

    return SentimentClassifier.load(bundle)


def _tagger(bundle):
    from ner import EntityTagger

    return EntityTagger.load(bundle)


API_CASES = [
    ("sentiment-empty-text", lambda c, t: c.predict(["fine", ""]), DataError, "text 1: empty text"),
    ("sentiment-whitespace-text", lambda c, t: c.predict("  \n\t"), DataError, "text 0: empty text"),
    ("sentiment-not-a-string", lambda c, t: c.predict(["fine", None]), DataError, "text 1: expected a string"),
    ("sentiment-bytes", lambda c, t: c.predict([b"fine"]), DataError, "text 0: expected a string, got bytes"),
    ("sentiment-lone-surrogate", lambda c, t: c.predict(["ok \ud800"]), DataError, "text 0: not valid Unicode"),
    ("sentiment-steps-empty", lambda c, t: c.predict_steps(" "), DataError, "empty text"),
    ("ner-not-a-string", lambda c, t: t.predict_batch(["Paris", 3]), DataError, "text 1: expected a string"),
    ("ner-lone-surrogate", lambda c, t: t.predict("Paris \udc80"), DataError, "text 0: not valid Unicode"),
]


@pytest.mark.parametrize(("call", "error", "expected"), [row[1:] for row in API_CASES], ids=[r[0] for r in API_CASES])
def test_api_bad_input(call, error, expected, sentiment_classifier, entity_tagger):
    with pytest.raises(error) as raised:
        call(sentiment_classifier, entity_tagger)
    assert expected in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("damage", "expected"),
    [(truncate_model, "cannot load model"), (remove_model, "no model.keras"), (newer_format, "newer than")],
    ids=["truncated", "model-file-missing", "newer-format"],
)
@pytest.mark.parametrize("task", ["sentiment", "ner"])
def test_api_damaged_bundle(task, damage, expected, tmp_path, sentiment_bundle, ner_bundle):
    copy = tmp_path / "copy"
    shutil.copytree(sentiment_bundle if task == "sentiment" else ner_bundle, copy)
    damage(copy)
    with pytest.raises(BundleError, match=expected):
        (_sentiment if task == "sentiment" else _tagger)(copy)


def test_api_bundle_of_the_other_task(sentiment_bundle, ner_bundle):
    with pytest.raises(BundleError, match="this is a 'ner' model, not a 'sentiment' model"):
        _sentiment(ner_bundle)
    with pytest.raises(BundleError, match="this is a 'sentiment' model, not a 'ner' model"):
        _tagger(sentiment_bundle)


# ------------------------------------------------------- inputs that must simply work


def test_empty_text_has_no_entities(entity_tagger):
    """Unlike a sentiment label, "no entities" is a true answer for an empty text (as in spaCy)."""
    assert entity_tagger.predict_batch(["", "  \n"]) == [[], []]


def test_a_one_megabyte_text_is_classified_from_its_first_tokens(sentiment_classifier):
    import random

    words = random.Random(0).choices(["great", "awful", "film", "plot", "fine", "dull", "fun"], k=200_000)
    text = " ".join(words)
    assert len(text.encode()) > 1_000_000
    first = " ".join(words[: sentiment_classifier.metadata["config"]["model"]["max_length"]])
    np.testing.assert_allclose(
        sentiment_classifier.predict_proba([text]), sentiment_classifier.predict_proba([first]), atol=1e-6
    )


def test_a_one_megabyte_text_is_tagged_with_offsets_into_it(entity_tagger):
    text = "Angela Merkel visited Paris on Monday . " * 26_000
    assert len(text.encode()) > 1_000_000
    entities = entity_tagger.predict(text)
    assert entities and all(text[e.start : e.end] == e.text for e in entities)
    assert entities[-1].end > len(text) - 100


def test_a_sentence_of_2000_tokens_is_read_and_tagged_whole(ner_bundle, tmp_path, capsys):
    from ner.data import read_conll
    from ner.evaluate import main

    path = tmp_path / "long.txt"
    path.write_text(CONLL_2000_TOKENS)
    (sentence,) = read_conll(path)
    assert len(sentence) == 2000
    report = tmp_path / "report.json"
    assert run_cli(main, ["--model", str(ner_bundle), "--file", str(path), "--output", str(report)]) == 0
    assert report.is_file()
    assert "error" not in capsys.readouterr().err


def test_fewer_rows_than_a_batch_train_when_a_dev_file_is_given(tmp_path, tiny_config_file, capsys):
    from sentiment.train import main

    data = tmp_path / "data.csv"
    data.write_text("text,label\ngreat fun,positive\nawful mess,negative\nit is a film,neutral\n")
    args = ["--csv", str(data), "--dev-csv", str(data), "--config", str(tiny_config_file), "--out", str(tmp_path / "m")]
    assert run_cli(main, args) == 0
    assert (tmp_path / "m" / "model.keras").is_file()


@pytest.mark.parametrize("seed", [-1, 2**70, 1.5, "7"])
def test_api_seeds_out_of_range_are_config_errors(seed, language_model, tmp_path):
    from shared.errors import ConfigError
    from shared.tasks import get_task
    from shared.training import train

    with pytest.raises(ConfigError, match="seed must be a whole number from 0 to 4,294,967,295"):
        language_model.sample("Oslo", length=3, seed=seed)
    with pytest.raises(ConfigError, match="seed must be a whole number"):
        train(get_task("lm"), None, None, tmp_path / "model", seed=seed)
    assert not any(tmp_path.iterdir())


def test_evaluate_never_replaces_a_user_file_of_its_default_name(sentiment_bundle, tmp_path, monkeypatch, capsys):
    from sentiment.evaluate import main

    monkeypatch.chdir(tmp_path)
    Path("test.csv").write_text("text,label\ngood,positive\nbad,negative\n", encoding="utf-8")
    Path("evaluation-test.json").write_text("my own notes\n", encoding="utf-8")
    assert run_cli(main, ["--model", str(sentiment_bundle), "--csv", "test.csv"]) == 2
    error = capsys.readouterr().err
    assert error == (
        "error: evaluation-test.json: exists and is not an evaluation report of this project; "
        "choose another path with --output or move the file away (nothing was replaced)\n"
    )
    assert Path("evaluation-test.json").read_text(encoding="utf-8") == "my own notes\n"
    # A report this verb wrote is replaced by the next run, as a bundle is by the next training.
    Path("evaluation-test.json").unlink()
    assert run_cli(main, ["--model", str(sentiment_bundle), "--csv", "test.csv"]) == 0
    first = json.loads(Path("evaluation-test.json").read_text(encoding="utf-8"))
    assert first["written_by"] == "sentiment.evaluate" and first["data"] == "test"
    assert run_cli(main, ["--model", str(sentiment_bundle), "--csv", "test.csv"]) == 0
    assert json.loads(Path("evaluation-test.json").read_text(encoding="utf-8")) == first
