"""A tree model end to end: trained from bracketed trees with its own parser, raw text in
through the API and through the exported SavedModel, and its bad input."""

import json

import numpy as np
import pytest

from shared.errors import DataError, UnsupportedError
from tests.conftest import NO_VECTORS, REVIEWS_ARGS, TINY_TREE_MODEL, TREE_ARGS, run_module

TEXTS = ["A gorgeous, witty film.", "dull", "The plot is dull and the acting is even worse than the plot."]


def test_a_tree_bundle_reads_raw_text_as_a_sequence_bundle_does(tree_bundle):
    from sentiment import SentimentClassifier

    classifier = SentimentClassifier.load(tree_bundle)
    assert classifier.architecture == "tree"
    metadata = json.loads((tree_bundle / "metadata.json").read_text())
    assert metadata["config"]["model"]["architecture"] == "tree" and set(metadata["metrics"]) == {"dev", "test"}
    parser = metadata["training"]["parser"]  # stage 1: the parser alone, its best dev epoch kept
    assert parser["epochs"] == 3 and len(parser["dev_bracketing_f1"]) == 3
    assert parser["dev_bracketing_f1"][parser["best_epoch"] - 1] == max(parser["dev_bracketing_f1"])
    assert metadata["metrics"]["dev"]["bracketing"]["f1"] == pytest.approx(max(parser["dev_bracketing_f1"]), abs=1e-6)
    batch = classifier.predict(TEXTS)
    assert [p.text for p in batch] == TEXTS
    for prediction in batch:
        assert sum(prediction.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
        assert prediction.label == max(prediction.probabilities, key=prediction.probabilities.get)
    single = classifier.predict(TEXTS[2])
    assert single.probabilities == pytest.approx(batch[2].probabilities, abs=1e-5)
    with pytest.raises(UnsupportedError, match="call predict_tree"):
        classifier.predict_steps(TEXTS[0])
    prediction, read = classifier.predict_with_reading(TEXTS[2])  # what the pages show: the tree
    assert (prediction, read) == (classifier.predict(TEXTS[2]), classifier.predict_tree(TEXTS[2]))
    with pytest.raises(DataError, match="text 0: empty text"):
        classifier.predict([" "])
    printed = run_module("sentiment.predict", "--model", str(tree_bundle), TEXTS[0])  # loads in a new process
    assert printed.returncode == 0 and f'"{TEXTS[0]}",{batch[0].label},' in printed.stdout, printed.stderr


def test_the_exported_tree_model_parses_and_composes_in_the_graph(tree_bundle, tmp_path):
    import tensorflow as tf

    from sentiment import SentimentClassifier
    from shared.export import export_model

    export_model(SentimentClassifier.load(tree_bundle), tmp_path / "saved")
    serve = tf.saved_model.load(str(tmp_path / "saved")).signatures["serving_default"]
    served = serve(text=tf.constant(TEXTS))
    expected = SentimentClassifier.load(tree_bundle).predict_proba(TEXTS)
    np.testing.assert_allclose(served["probabilities"].numpy(), expected, atol=1e-5)
    assert [label.decode() for label in served["label"].numpy()] == [
        ("negative", "neutral", "positive")[row] for row in expected.argmax(axis=1)
    ]


def test_a_text_of_only_characters_the_tokenizer_drops_gets_a_prediction_on_every_path(tree_bundle, tmp_path):
    """U+200B is not whitespace to Python, but the tokenizer drops it: alone in a batch,
    the parser's character CNN once had no width to pool over."""
    import tensorflow as tf

    from sentiment import SentimentClassifier
    from shared.export import export_model

    classifier = SentimentClassifier.load(tree_bundle)
    alone = classifier.predict_proba(["\u200b"])
    beside = classifier.predict_proba(["\u200b", TEXTS[0]])
    np.testing.assert_allclose(alone[0], beside[0], atol=1e-5)
    assert classifier.predict("\u200b\u200b").label in classifier.labels
    assert classifier.predict_tree("\u200b").nodes == []
    export_model(classifier, tmp_path / "saved")
    serve = tf.saved_model.load(str(tmp_path / "saved")).signatures["serving_default"]
    np.testing.assert_allclose(serve(text=tf.constant(["\u200b"]))["probabilities"].numpy(), alone, atol=1e-5)
    printed = run_module("sentiment.predict", "--model", str(tree_bundle), "\u200b")
    assert printed.returncode == 0 and "Traceback" not in printed.stderr, printed.stderr


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        ("(3 (2 a) (2 b)\n", TINY_TREE_MODEL, "{path}: line 1: malformed tree (expected ')' at character 14)"),
        ("(3 (2 a) (7 b))\n", TINY_TREE_MODEL, "{path}: line 1: malformed tree (expected a label 0-4 at character 10)"),
        ("(3 (a) (2 b))\n", TINY_TREE_MODEL, "{path}: line 1: malformed tree (expected a label 0-4 at character 4)"),
        ("(3 (2 a) (2 b) (2 c))\n", TINY_TREE_MODEL, "{path}: line 1: a node with 3 children over 'a b c': {binary}"),
        ("\n\n", TINY_TREE_MODEL, "{path}: no trees"),
        ("(2  )\n", TINY_TREE_MODEL, "{path}: line 1: malformed tree (empty or unterminated leaf at character 3)"),
        (
            "(2 \u200b)\n",
            TINY_TREE_MODEL,
            "{path}: no tree has a word the model reads (every leaf is punctuation the tokenizer drops)",
        ),
    ],
    ids=[
        "unbalanced", "label-outside-the-set", "no-label", "three-children", "empty",
        "blank-leaf", "no-word",
    ],
)  # fmt: skip
@pytest.mark.parametrize("split", ["--trees", "--dev-trees", "--test-trees"])
def test_a_bad_tree_file_is_one_error_line_and_nothing_written(
    tmp_path, capsys, tiny_config_file, content, extra, message, split
):
    """Every split is read and checked before the training starts, so a bad dev or
    test file ends the run at once and leaves no work folder."""
    from sentiment.train import main
    from shared.cli import run_cli

    path = tmp_path / "train.txt"
    path.write_text(content, encoding="utf-8")
    args = list(TREE_ARGS)
    args[args.index(split) + 1] = str(path)
    code = run_cli(main, [*args, "--config", str(tiny_config_file), *extra, "--out", str(tmp_path / "m")])
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: " + message.format(path=path, binary="trees must be binary")
    ]
    assert not (tmp_path / "m").exists() and not (tmp_path / "m.training").exists()


@pytest.mark.parametrize("branching", ["left", "right"])
def test_a_tree_of_1500_words_reads_without_recursion(tmp_path, branching):
    """SST sets no limit on depth: a left- or right-branching tree of 1,500 words is
    parsed, converted and encoded without reaching Python's recursion limit."""
    from sentiment.data import read_sst_trees
    from sentiment.parser.model import gold_splits
    from sentiment.trees import encode_trees

    words = [f"w{i}" for i in range(1500)]
    line = f"(2 {words[0]})" if branching == "left" else f"(2 {words[-1]})"
    for word in words[1:] if branching == "left" else reversed(words[:-1]):
        line = f"(3 {line} (2 {word}))" if branching == "left" else f"(3 (2 {word}) {line})"
    path = tmp_path / "deep.txt"
    path.write_text(line + "\n", encoding="utf-8")
    (tree,) = read_sst_trees(path)
    assert tree.tokens == tuple(words)
    splits = gold_splits(tree)
    assert len(splits) == 1499 and (0, 1500, 1499 if branching == "left" else 1) in splits
    assert encode_trees([tree]).left.shape == (1, 1499, 1)


def test_trees_train_only_a_tree_model(tmp_path, capsys, tiny_config_file):
    from sentiment.train import main
    from shared.cli import run_cli

    assert run_cli(main, [*TREE_ARGS, "--config", str(tiny_config_file), "--out", str(tmp_path / "m")]) == 2
    assert capsys.readouterr().err.splitlines() == ["error: --trees trains a tree model: add --model.architecture tree"]
    assert not (tmp_path / "m").exists() and not (tmp_path / "m.training").exists()


def test_trees_need_dev_trees(tmp_path, tiny_config_file):
    from sentiment.train import main

    with pytest.raises(DataError, match="--trees needs --dev-trees"):
        main([*TREE_ARGS[:2], "--config", str(tiny_config_file), *TINY_TREE_MODEL, "--out", str(tmp_path / "m")])


def test_a_tree_model_takes_no_encoder():
    from sentiment.config import ModelConfig, SequenceSettings

    with pytest.raises(ValueError, match="a tree model takes no encoder"):
        ModelConfig(architecture="tree", sequence=SequenceSettings(encoder="models/lm-words"), **NO_VECTORS)


def test_a_500_word_sentence_is_parsed_within_the_models_length(tree_bundle):
    from sentiment import SentimentClassifier

    prediction = SentimentClassifier.load(tree_bundle).predict(" ".join(["fine"] * 500))
    assert sum(prediction.probabilities.values()) == pytest.approx(1.0, abs=1e-5)


def test_predict_tree_gives_every_node_its_span_label_and_probabilities(tree_bundle, sentiment_classifier):
    from sentiment import SentimentClassifier

    classifier = SentimentClassifier.load(tree_bundle)
    text = "It isn\u2019t a BAD film, see www.example.com  twice!"
    tree = classifier.predict_tree(text)
    assert tree.root.probabilities == pytest.approx(classifier.predict(text).probabilities, abs=1e-5)
    leaves = [node for node in tree.nodes if not node.children]
    assert [leaf.text for leaf in leaves] == [
        "It",
        "is",
        "n\u2019t",
        "a",
        "BAD",
        "film",
        ",",
        "see",
        "www.example.com",
        "twice",
        "!",
    ]
    assert len(tree.nodes) == 2 * len(leaves) - 1  # binary: n leaves, n - 1 composed nodes
    for index, node in enumerate(tree.nodes):
        assert node.text == text[node.start : node.end]
        assert node.label == max(node.probabilities, key=node.probabilities.get)
        if node.children:
            left, right = (tree.nodes[child] for child in node.children)
            assert min(node.children) > index  # children after their parent
            assert (left.start, right.end) == (node.start, node.end) and left.end <= right.start
    assert [node.text for node in classifier.predict_tree("dull").nodes] == ["dull"]
    with pytest.raises(UnsupportedError, match="call predict_steps"):
        sentiment_classifier.predict_tree(text)


def test_evaluation_of_a_tree_model_adds_gold_trees_every_phrase_and_the_parsers_bracketing(tree_bundle, tmp_path):
    from sentiment import SentimentClassifier
    from sentiment.data import LabelledTrees, read_sst_trees
    from sentiment.task import TASK
    from tests.conftest import SST_FIXTURES

    classifier = SentimentClassifier.load(tree_bundle)
    trees = read_sst_trees(SST_FIXTURES / "train.txt")
    report = TASK.evaluate(classifier, LabelledTrees.of(trees))
    gold, brackets = report["gold_trees"], report["bracketing"]
    assert gold["phrases"] == sum(2 * len(tree.tokens) - 1 for tree in trees)  # every node of SST is labelled
    assert 0 <= gold["all_phrases_accuracy"] <= 1 and 0 <= brackets["f1"] <= 1
    assert report["binary_accuracy"] is not None
    table = report.table()
    assert "with the gold trees: accuracy" in table and "parser bracketing: precision" in table
    assert {"All phrases (gold trees)", "Parser bracketing F1"} <= set(report.view().numbers)


def test_the_parser_bracketing_of_gold_splits_is_perfect():
    """The bracketing measure itself: a parser that returns the gold tree scores 1."""
    from sentiment.parser.model import gold_splits
    from sentiment.tree.evaluation import bracketing
    from tests.sentiment.test_trees import TREES

    by_text = {" ".join(tree.tokens): tree for tree in TREES}

    def gold_parse(text):
        return len(by_text[text].tokens), gold_splits(by_text[text])

    def flat_parse(text):  # every node splits off its first token: a right-branching tree
        count = len(by_text[text].tokens)
        return count, [(i, count, i + 1) for i in range(count - 1)]

    texts = list(by_text)
    assert bracketing(gold_parse, texts, TREES) == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    # Tree 0's gold spans (0,2) (2,5) (3,5); right-branching gives (1,5) (2,5) (3,5); tree 2's (1,3) both.
    assert bracketing(flat_parse, texts, TREES) == {"precision": 0.75, "recall": 0.75, "f1": 0.75}


@pytest.fixture(scope="module")
def full_tree_run(tmp_path_factory, tiny_config_file):
    """(the app, the data, the config, the bundle) of an uninterrupted tiny tree training."""
    from shared.config import load_config
    from shared.tasks import get_app
    from shared.training import train
    from shared.verbs.train import train_arguments

    app = get_app("sentiment")
    args, overrides = train_arguments(app, None).parse_known_args(
        [*TREE_ARGS, *TINY_TREE_MODEL, "--training.epochs", "2"]
    )
    config = load_config(app.task.config_class, tiny_config_file, [*overrides, "--training.patience", "2"])
    source = app.files.read_training_files(args, config, 5)
    return app, source, config, train(app.task, source, config, tmp_path_factory.mktemp("tree") / "full", seed=5)


class Stop(Exception):
    pass


def parser_log(bundle) -> list[tuple[str, str, str]]:
    """(epoch, training loss, dev bracketing F1) of each epoch of the bundle's parser stage."""
    import csv

    with (bundle / "logs" / "parser" / "training.csv").open(newline="") as handle:
        return [(row["epoch"], row["loss"], row["dev_bracketing_f1"]) for row in csv.DictReader(handle)]


@pytest.mark.parametrize(
    "stage, epoch, parser_again",
    [("parser", 2, "Parser epoch 3/3"), (None, 1, None)],
    ids=["in-the-parser-stage", "in-the-composition"],
)
def test_a_tree_training_stopped_after_an_epoch_resumes_to_the_same_model(
    full_tree_run, tmp_path, capsys, stage, epoch, parser_again
):
    """Stopped after the parser stage's second epoch (its checkpoint, with its layers'
    random streams, carries it on) or after the composition's first (the parser trained
    in stage 1 is read back, not trained again), a resumed run ends where the
    uninterrupted one did (a SIGKILL'd run is the crash tests' business: the checkpoint
    is written the same way for every model)."""
    from sentiment import SentimentClassifier
    from shared.training import train

    app, source, config, full = full_tree_run

    def stop(record):
        if record.get("stage") == stage and record["epoch"] == epoch:
            raise Stop

    with pytest.raises(Stop):
        train(app.task, source, config, tmp_path / "stopped", seed=5, on_epoch=stop)
    capsys.readouterr()
    train(app.task, source, config, tmp_path / "stopped", seed=5, resume=True)
    printed = capsys.readouterr().out
    assert "Parser epoch 1/3" not in printed and "Parser epoch 2/3" not in printed
    assert (parser_again in printed) if parser_again else "Parser epoch" not in printed
    finished, resumed = (json.loads((folder / "metadata.json").read_text()) for folder in (full, tmp_path / "stopped"))
    assert resumed["training"]["resumed"] and resumed["training"]["epochs_run"] == finished["training"]["epochs_run"]
    assert resumed["training"]["parser"] == finished["training"]["parser"]
    assert parser_log(tmp_path / "stopped") == parser_log(full)  # every epoch's loss, to the last digit
    assert resumed["metrics"] == finished["metrics"]
    texts = ["a gorgeous, witty film", "dull and far too long"]
    full_p, resumed_p = (
        SentimentClassifier.load(folder).predict_proba(texts) for folder in (full, tmp_path / "stopped")
    )
    np.testing.assert_array_equal(resumed_p, full_p)


def test_the_parser_stage_reports_its_epochs_and_leaves_its_logs_in_the_bundle(full_tree_run):
    app, _, config, full = full_tree_run
    parser = json.loads((full / "metadata.json").read_text())["training"]["parser"]
    assert parser["epochs"] == len(parser["dev_bracketing_f1"]) == config.training.parser_epochs == 3
    assert parser["dev_bracketing_f1"][parser["best_epoch"] - 1] == max(parser["dev_bracketing_f1"])
    logged = (full / "logs" / "parser" / "training.csv").read_text().splitlines()
    assert logged[0].split(",")[:3] == ["stage", "epoch", "loss"] and len(logged) == 4


def test_csv_rows_train_a_tree_model_whose_taken_parser_parses_as_its_bundle_does(
    tree_bundle, tmp_path, tiny_config_file
):
    from sentiment import SentimentClassifier
    from sentiment.train import main
    from sentiment.tree.taken_parser import parser_record

    out = tmp_path / "reviews-tree"
    args = [*REVIEWS_ARGS, "--config", str(tiny_config_file), "--model.architecture", "tree", "--model.cell", "gru"]
    assert main([*args, "--parser", str(tree_bundle), "--out", str(out), "--seed", "1"]) == 0
    text = (out / "metadata.json").read_text()
    metadata = json.loads(text)
    record = parser_record(tree_bundle)
    assert (
        metadata["taken"]["parser"] == record
        and metadata["config"]["model"]["tree"]["parser_bundle"] == record["reference"]
    )
    assert str(tree_bundle) not in text and str(tmp_path) not in text  # no path of this machine
    taken, source = SentimentClassifier.load(out), SentimentClassifier.load(tree_bundle)
    their_words = set(source.model.get_layer("vectorizer").get_vocabulary())
    our_words = set(taken.model.get_layer("vectorizer").get_vocabulary())
    assert our_words - their_words and their_words - our_words  # two vocabularies, each with words of its own
    texts = [*TEXTS, "Terrible acting, wonderful music, and a zyzzyva of a plot twist!"]
    for text in texts:  # every word, known to either or to neither, parsed as the taken bundle parses it
        ours, theirs = taken.predict_tree(text), source.predict_tree(text)
        assert [(n.start, n.end, n.children) for n in ours.nodes] == [
            (n.start, n.end, n.children) for n in theirs.nodes
        ]
    assert taken.predict(texts[0]).label in taken.labels


@pytest.mark.parametrize(
    "metadata, architecture",
    [
        ({"architecture": "tree", "config": {"model": {}}}, "tree"),
        ({"config": {"model": {"architecture": "tree"}}}, "tree"),  # a tree bundle from before the key
        ({"config": {"model": {"units": 8}}}, "sequence"),  # a bundle from before the tree model
        ({"labels": ["negative", "neutral", "positive"]}, "sequence"),
    ],
)
def test_the_architecture_is_read_from_the_metadata(metadata, architecture):
    from sentiment.architectures import architecture_of

    assert architecture_of(metadata) == architecture


def test_a_tree_bundle_recorded_before_the_architecture_key_still_reads_as_a_tree(tree_bundle, tmp_path):
    import shutil

    from sentiment import SentimentClassifier

    old = tmp_path / "old-tree"
    shutil.copytree(tree_bundle, old)
    metadata = json.loads((old / "metadata.json").read_text())
    assert metadata.pop("architecture") == "tree"
    (old / "metadata.json").write_text(json.dumps(metadata))
    classifier = SentimentClassifier.load(old)
    assert classifier.architecture == "tree" and classifier.predict_tree("a gorgeous, witty film").root.label
