"""`export --format onnx` and rnntext_runtime: the exported core and the Python text rules
give the Keras bundle's answers, without TensorFlow."""

import json
import shutil

import numpy as np
import pytest

import rnntext_runtime
from tests.conftest import FIXTURES, run_in_process, run_python

TORTURE = json.loads((FIXTURES / "unicode_torture.json").read_text())
REVIEWS = [
    "A gorgeous, witty, seductive movie.",
    "The plot is thin and the acting is wooden.",
    "It was fine, I guess.",
    "Don't bother: the worst film I've seen in years!!",
    "I LOVED it \U0001f60d",
]


@pytest.fixture(scope="module")
def sentiment_onnx(tmp_path_factory, sentiment_bundle):
    out = tmp_path_factory.mktemp("portable") / "sentiment-onnx"
    assert run_in_process_ok(
        "sentiment.export", "--model", str(sentiment_bundle), "--format", "onnx", "--out", str(out)
    )
    return out


@pytest.fixture(scope="module")
def tensorflow_classifier(sentiment_classifier):
    """The loaded bundle's model computed by TensorFlow (as during training): the reference."""
    from sentiment import SentimentClassifier

    classifier = SentimentClassifier(sentiment_classifier.model, sentiment_classifier.metadata)
    assert (classifier.engine, sentiment_classifier.engine) == ("tensorflow", "onnxruntime")
    return classifier


@pytest.fixture(scope="module")
def tensorflow_tagger(entity_tagger):
    from ner import EntityTagger

    tagger = EntityTagger(entity_tagger.model, entity_tagger.metadata)
    assert (tagger.engine, entity_tagger.engine) == ("tensorflow", "onnxruntime")
    return tagger


def run_in_process_ok(module: str, *args: str) -> bool:
    import importlib

    from shared.cli import run_cli

    return run_cli(importlib.import_module(module).main, list(args)) == 0


@pytest.mark.parametrize("engine", ["rnntext_runtime", "the API's fast path"])
def test_sentiment_onnx_gives_the_bundles_labels_and_probabilities(
    engine, sentiment_onnx, sentiment_classifier, tensorflow_classifier
):
    runtime = rnntext_runtime.load(sentiment_onnx) if engine == "rnntext_runtime" else sentiment_classifier
    texts = REVIEWS + TORTURE
    expected = tensorflow_classifier.predict(texts)
    found = runtime.predict(texts)
    assert [p.label for p in found] == [p.label for p in expected]
    assert np.allclose(runtime.predict_proba(texts), tensorflow_classifier.predict_proba(texts), atol=1e-5, rtol=0)
    one = runtime.predict(REVIEWS[0])
    assert (one.text, one.label, list(one.probabilities)) == (REVIEWS[0], expected[0].label, list(runtime.labels))


def test_the_rules_file_holds_the_vocabulary_labels_and_translated_steps(sentiment_onnx, sentiment_classifier):
    rules = json.loads((sentiment_onnx / "rules.json").read_text(encoding="utf-8"))
    assert (rules["format"], rules["version"], rules["task"]) == ("rnntext-onnx", 1, "sentiment")
    assert rules["labels"] == list(sentiment_classifier.labels)
    assert rules["vocabulary"][:2] == ["", "[UNK]"]
    assert [step["op"] for step in rules["standardize"]][:2] == ["replace", "lower"]
    assert sorted(path.name for path in sentiment_onnx.iterdir()) == ["model.onnx", "rules.json"]


def test_the_runtime_refuses_bad_texts_with_a_typed_error(sentiment_onnx):
    runtime = rnntext_runtime.load(sentiment_onnx)
    for bad, message in (
        ([""], "text 0: empty text"),
        (["ok", 3], "text 1: expected a string"),
        (["\ud800"], "Unicode"),
    ):
        with pytest.raises(rnntext_runtime.InputError, match=message):
            runtime.predict(bad)


def test_a_folder_that_is_no_export_is_a_typed_error(tmp_path, sentiment_bundle):
    with pytest.raises(rnntext_runtime.RuntimeModelError, match="no rules.json"):
        rnntext_runtime.load(sentiment_bundle)
    (tmp_path / "rules.json").write_text("{not json")
    with pytest.raises(rnntext_runtime.RuntimeModelError, match="not readable JSON"):
        rnntext_runtime.load(tmp_path)
    (tmp_path / "rules.json").write_text(json.dumps({"format": "rnntext-onnx", "version": 99}))
    with pytest.raises(rnntext_runtime.RuntimeModelError, match="format version 99; this runtime reads 1"):
        rnntext_runtime.load(tmp_path)


def test_an_export_with_a_damaged_file_is_a_typed_error(tmp_path, sentiment_onnx):
    folder = tmp_path / "copy"
    shutil.copytree(sentiment_onnx, folder)
    rules = json.loads((folder / "rules.json").read_text())
    (folder / "model.onnx").write_bytes((sentiment_onnx / "model.onnx").read_bytes()[:1000])
    with pytest.raises(rnntext_runtime.RuntimeModelError, match=r"model.onnx: onnxruntime cannot load it \("):
        rnntext_runtime.load(folder)
    shutil.copy(sentiment_onnx / "model.onnx", folder / "model.onnx")
    for damaged, message in (
        ({key: value for key, value in rules.items() if key != "labels"}, "KeyError('labels')"),
        ({**rules, "standardize": [{"op": "upper"}]}, "unknown text step 'upper'"),
        ({**rules, "standardize": [{"op": "replace", "pattern": "(", "rewrite": ""}]}, "missing ), unterminated"),
    ):
        (folder / "rules.json").write_text(json.dumps(damaged))
        with pytest.raises(rnntext_runtime.RuntimeModelError, match="rules.json: incomplete or malformed") as raised:
            rnntext_runtime.load(folder)
        assert message in str(raised.value)


def test_the_runtime_imports_and_predicts_where_tensorflow_cannot_be_imported(sentiment_onnx):
    """A process whose `import tensorflow` (and keras, onnx) fails: the runtime still loads and predicts."""
    code = (
        "import sys\n"
        "class Refuse:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('tensorflow', 'keras', 'onnx', 'shared', 'sentiment', 'ner'):\n"
        "            raise ImportError('refused: ' + name)\n"
        "sys.meta_path.insert(0, Refuse())\n"
        "import rnntext_runtime\n"
        f"print(rnntext_runtime.load({str(sentiment_onnx)!r}).predict({REVIEWS[0]!r}).label)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'onnx')))\n"
    )
    done = run_python(code, timeout=120)
    assert done.returncode == 0, done.stderr
    label, modules = done.stdout.splitlines()
    assert label in ("negative", "neutral", "positive") and modules == "[]"


def test_a_tree_model_keeps_tensorflow_and_says_it_exports_as_a_savedmodel_only(capfd, tmp_path, tree_bundle):
    from sentiment import SentimentClassifier

    assert SentimentClassifier.load(tree_bundle).engine == "tensorflow"
    done = run_in_process(
        capfd, "sentiment.export", "--model", str(tree_bundle), "--format", "onnx", "--out", str(tmp_path / "x")
    )
    assert done.returncode == 2 and done.stderr.strip().splitlines() == [
        "error: a tree model exports as a SavedModel only (no --format onnx)"
    ]
    assert not (tmp_path / "x").exists()


SENTENCES = [
    "Angela Merkel visited Paris on Tuesday.",
    "Barack Obama met officials of the European Union in Berlin .",
    "Germany's U.S.-led deal with AT&T, said Mr. O'Neill in New York.",
    "",
    "   ",
    " ".join(["Angela Merkel met Barack Obama in Berlin ."] * 70),  # 560 tokens: read in windows
]


@pytest.fixture(scope="module")
def ner_onnx(tmp_path_factory, ner_bundle):
    out = tmp_path_factory.mktemp("portable") / "ner-onnx"
    assert run_in_process_ok("ner.export", "--model", str(ner_bundle), "--format", "onnx", "--out", str(out))
    return out


@pytest.mark.parametrize("engine", ["rnntext_runtime", "the API's fast path"])
def test_ner_onnx_finds_the_bundles_entities_with_their_offsets(engine, ner_onnx, entity_tagger, tensorflow_tagger):
    runtime = rnntext_runtime.load(ner_onnx) if engine == "rnntext_runtime" else entity_tagger
    texts = SENTENCES + TORTURE
    found, expected = runtime.predict(texts), tensorflow_tagger.predict(texts)
    spans = lambda rows: [[(e.label, e.text, e.start, e.end) for e in row] for row in rows]  # noqa: E731
    assert spans(found) == spans(expected) and any(expected)
    # Entity scores pass through the calibration curve, whose steep steps can move the
    # fourth digit for a difference of 1e-6 in a tag probability.
    scores = [(e.score, f.score) for row, other in zip(found, expected) for e, f in zip(row, other)]
    assert max(abs(a - b) for a, b in scores) <= 1e-3
    assert runtime.predict(SENTENCES[0]) == found[0]


def test_ner_onnx_gives_the_bundles_tags_and_tag_probabilities(ner_onnx, tensorflow_tagger):
    runtime = rnntext_runtime.load(ner_onnx)
    rows = [[token.text for token in runtime.tokenize(text)] for text in SENTENCES + TORTURE]
    found, expected = runtime.tag_tokens(rows), tensorflow_tagger.tag_tokens(rows)
    assert [row.tags for row in found] == [row.tags for row in expected]
    flat = lambda rows: np.array([p for row in rows for p in row.scores])  # noqa: E731
    assert np.allclose(flat(found), flat(expected), atol=1e-5, rtol=0)


def test_the_runtimes_tokens_and_offsets_are_the_taggers(ner_onnx, entity_tagger, tensorflow_tagger):
    from ner.tokenizer import tokenize

    runtime = rnntext_runtime.load(ner_onnx)
    for text in SENTENCES + TORTURE:
        expected = tokenize(text)
        assert runtime.tokenize(text) == entity_tagger.tokenize(text) == tensorflow_tagger.tokenize(text) == expected


def test_a_language_model_says_it_exports_as_a_savedmodel_only(capfd, tmp_path, lm_bundle):
    done = run_in_process(
        capfd, "lm.export", "--model", str(lm_bundle), "--format", "onnx", "--out", str(tmp_path / "x")
    )
    assert done.returncode == 2 and done.stderr.strip().splitlines() == [
        "error: lm models export as a SavedModel only (no --format onnx)"
    ]
