import pytest

from sentiment.data import (
    LABELS,
    LabelledTexts,
    holdout_split,
    map_label,
    parse_label_map,
    read_labelled_csv,
    read_sst,
)
from shared.errors import DataError
from tests.conftest import FIXTURES


def test_read_sst_maps_five_classes_to_three(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("(0 (0 awful) (2 film))\n(1 bad)\n(2 film)\n(3 good)\n(4 (4 great) (2 film))\n")
    data = read_sst(path)
    assert data.texts == ("awful film", "bad", "film", "good", "great film")
    assert [LABELS[i] for i in data.labels] == ["negative", "negative", "neutral", "positive", "positive"]


def test_read_sst_phrases_adds_every_unique_labelled_subtree(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("(4 (4 great) (2 film))\n(0 (0 awful) (2 film))\n")
    data = read_sst(path, phrases=True)
    assert data.texts == ("great film", "great", "film", "awful film", "awful")
    assert data.labels == (2, 2, 1, 0, 0)


def test_read_sst_reports_file_and_line_of_a_malformed_tree(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("(2 fine)\n(2 (2 broken)\n")
    with pytest.raises(DataError, match=r"t.txt: line 2: malformed tree"):
        read_sst(path)


def test_committed_sst_fixture_parses():
    data = read_sst(FIXTURES / "sst" / "train.txt", phrases=True)
    assert set(data.labels) == {0, 1, 2}


def test_label_map_expands_star_rating_ranges():
    mapping = parse_label_map("1-2:negative,3:neutral,4-5:positive")
    assert [map_label(raw, mapping) for raw in ("1", 2, "3", 4.0, " 5 ", "5.0")] == [0, 0, 1, 2, 2, 2]
    assert map_label("6", mapping) is None


def test_default_label_map_accepts_class_names_in_any_case_and_indices():
    mapping = parse_label_map(None)
    assert [map_label(raw, mapping) for raw in ("Negative", "NEUTRAL", "positive", "0", 2)] == [0, 1, 2, 0, 2]


def test_label_map_with_text_keys():
    mapping = parse_label_map("neg:negative,pos:positive")
    assert map_label("NEG", mapping) == 0 and map_label("pos", mapping) == 2


@pytest.mark.parametrize("spec", ["1-2", "1-2:awesome", ":negative", "5-1:positive"])
def test_label_map_rejects_bad_specs(spec):
    with pytest.raises(DataError):
        parse_label_map(spec)


def test_read_labelled_csv_reads_star_ratings():
    data = read_labelled_csv(
        FIXTURES / "reviews.csv", "review", "stars", parse_label_map("1-2:negative,3:neutral,4-5:positive")
    )
    assert len(data) == 30
    assert sorted(set(data.labels)) == [0, 1, 2]


def test_read_labelled_csv_sniffs_semicolon_delimiter(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text("text;label\ngreat, really;positive\nawful;negative\n")
    data = read_labelled_csv(path, "text", "label", parse_label_map(None))
    assert data.texts == ("great, really", "awful")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("review,stars\nfine,5\n", r"no column 'text'; columns are: review, stars"),
        ("text,label\n  ,positive\n", r"row 2, column 'text': empty text"),
        ("text,label\ngood,positive\nhmm,maybe\n", r"row 3, column 'label': unknown label 'maybe'"),
        ("text,label\n", r"no data rows"),
    ],
)
def test_read_labelled_csv_errors_name_file_row_and_column(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(DataError, match=message):
        read_labelled_csv(path, "text", "label", parse_label_map(None))


def test_read_labelled_csv_rejects_invalid_utf8(tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"text,label\n\xff\xfe,positive\n")
    with pytest.raises(DataError, match="not UTF-8"):
        read_labelled_csv(path, "text", "label", parse_label_map(None))


def test_holdout_split_is_stratified_and_disjoint():
    data = LabelledTexts(tuple(f"t{i}" for i in range(30)), tuple(i % 3 for i in range(30)))
    train, dev = holdout_split(data, 0.2, seed=0)
    assert len(train) + len(dev) == 30
    assert not set(train.texts) & set(dev.texts)
    assert sorted(dev.labels) == [0, 0, 1, 1, 2, 2]


def test_read_sst_sentences_keeps_duplicate_sentences(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("(4 (4 great) (2 film))\n(3 (4 great) (2 film))\n")
    assert read_sst(path).labels == (2, 2)
    assert len(read_sst(path, phrases=True)) == 3
