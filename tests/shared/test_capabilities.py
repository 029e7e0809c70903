"""The capabilities apps give the registry (`shared.capabilities`): an app's own data
files read again from what a bundle records of them, as `evaluate --baseline`, the
Errors page and retraining from the Annotate page read them."""

import pytest

from shared.errors import DataError
from shared.tasks import get_app
from shared.verbs.train import train_arguments, training_config
from tests.conftest import NER_ARGS, REVIEWS_ARGS, TREE_ARGS, template_text


def lm_text_args(folder, *, dev: bool = False) -> list[str]:
    (folder / "text.txt").write_text(template_text(60, seed=3), encoding="utf-8")
    (folder / "dev.txt").write_text(template_text(10, seed=4), encoding="utf-8")
    return ["--text", str(folder / "text.txt"), *(["--dev-text", str(folder / "dev.txt")] if dev else [])]


def read_files(app, argv: list[str]):
    args, overrides = train_arguments(app, None).parse_known_args(argv)
    config = training_config(app, args, overrides)
    return app.files.read_training_files(args, config, 7), config


@pytest.mark.parametrize(
    "name, argv",
    [
        ("sentiment", REVIEWS_ARGS),
        ("sentiment", [*TREE_ARGS, "--model.architecture", "tree"]),
        ("ner", NER_ARGS),
        ("lm", None),
    ],
    ids=["sentiment-csv", "sentiment-trees", "ner-conll", "lm-text"],
)
def test_an_apps_files_read_again_from_their_record_give_the_same_data(name, argv, tmp_path):
    app = get_app(name)
    source, config = read_files(app, argv if argv is not None else lm_text_args(tmp_path))
    again = app.files.read_training_files(app.files.recorded_arguments(source.description), config, 7)
    assert again.description == source.description
    assert again.splits == source.splits  # the same dev held out by the same seed


def test_a_language_models_own_dev_text_is_not_recorded_so_it_is_not_guessed(tmp_path):
    app = get_app("lm")
    source, _ = read_files(app, lm_text_args(tmp_path, dev=True))
    with pytest.raises(DataError, match="records its --text files only, not its --dev-text ones"):
        app.files.recorded_arguments(source.description)
