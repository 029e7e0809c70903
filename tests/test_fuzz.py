"""Property-based fuzzing: arbitrary input raises nothing but the project's typed errors,
and the invariants hold (offsets slice back, spans never overlap, rows are kept).

Each property names what it feeds and what must hold. More specific properties live
beside their modules (tests/ner/test_tokenizer.py, tests/ner/test_tags.py).
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ner.tags import continues, iob1_to_iob2, is_valid_tag, spans
from shared.errors import DataError, UserError

# Any code point, lone surrogates included (st.text leaves them out by default).
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=60)
CELL = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20)
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _valid_iob2(tags) -> bool:
    previous = "O"
    for tag in tags:
        if tag.startswith("I-") and not continues(previous, tag):
            return False
        previous = tag
    return True


@FUZZ
@given(ANY_TEXT)
def test_tokenizer_offsets_slice_back_or_a_data_error(text):
    from ner.tokenizer import tokenize

    try:
        tokens = tokenize(text)
    except DataError as error:
        assert "not valid Unicode" in str(error)
        return
    end = 0
    for token in tokens:
        assert text[token.start : token.end] == token.text and token.start >= end
        end = token.end


@pytest.mark.slow
@FUZZ
@given(st.lists(ANY_TEXT, min_size=1, max_size=4))
def test_entities_slice_back_and_never_overlap(entity_tagger, texts):
    try:
        found = entity_tagger.predict_batch(texts)
    except DataError as error:
        assert "not valid Unicode" in str(error)
        return
    assert len(found) == len(texts)
    for text, entities in zip(texts, found):
        end = 0
        for entity in entities:
            assert text[entity.start : entity.end] == entity.text
            assert entity.start >= end and entity.end > entity.start and 0.0 <= entity.score <= 1.0
            end = entity.end


@pytest.mark.slow
@FUZZ
@given(st.lists(ANY_TEXT, min_size=1, max_size=4))
def test_sentiment_probabilities_or_a_data_error(sentiment_classifier, texts):
    try:
        predictions = sentiment_classifier.predict(texts)
    except DataError as error:
        assert "empty text" in str(error) or "not valid Unicode" in str(error)
        return
    assert len(predictions) == len(texts)
    for prediction in predictions:
        assert sum(prediction.probabilities.values()) == pytest.approx(1.0, abs=1e-4)


@given(st.lists(st.sampled_from(["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "I-MISC"]), max_size=40))
def test_iob1_to_iob2_always_gives_valid_iob2_with_the_same_spans(tags):
    converted = iob1_to_iob2(tags)
    assert _valid_iob2(converted) and all(is_valid_tag(tag) for tag in converted)
    assert iob1_to_iob2(converted) == converted
    assert spans(converted) == spans(tags)


@given(st.text(max_size=40), st.one_of(st.text(max_size=10), st.integers(), st.floats()))
def test_label_maps_parse_or_raise_a_data_error_and_mapping_never_raises(spec, raw):
    from sentiment.data import map_label, parse_label_map

    try:
        mapping = parse_label_map(spec)
    except DataError:
        return
    label = map_label(raw, mapping)
    assert label is None or label in (0, 1, 2)


@given(st.integers(-50, 50), st.integers(0, 20), st.sampled_from(["negative", "neutral", "positive"]))
def test_star_ranges_map_every_value_inside_and_none_outside(low, width, target):
    from sentiment.data import LABELS, map_label, parse_label_map

    mapping = parse_label_map(f"{low}-{low + width}:{target}")
    assert all(map_label(value, mapping) == LABELS.index(target) for value in range(low, low + width + 1))
    assert map_label(low - 1, mapping) is None and map_label(float(low + width), mapping) == LABELS.index(target)


def _csv_bytes(header, rows, delimiter=",") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


CLASS_NAMES = ("negative", " Neutral ", "POSITIVE", "0", "1", "2")
# Label cells: a valid class, or text without digits, which no default label map accepts.
LABEL_CELL = st.one_of(st.sampled_from(CLASS_NAMES), st.text("abcxyz -_", max_size=6))
TEXT_CELL = st.one_of(st.text("abc xyz.!", min_size=1, max_size=12), CELL)
LABELLED = st.tuples(st.lists(st.tuples(TEXT_CELL, LABEL_CELL), min_size=1, max_size=12), st.sampled_from(",;\t|"))

TABLE = st.integers(1, 4).flatmap(
    lambda width: st.tuples(
        st.lists(st.text("abcxyz_", min_size=1, max_size=6), min_size=width, max_size=width, unique=True),
        st.lists(st.lists(CELL, min_size=width, max_size=width), min_size=1, max_size=12),
        st.sampled_from([",", ";", "\t", "|"]),
    )
)


@FUZZ
@given(LABELLED)
@example(([("A fine film", "positive"), ("=1+1 dull", " 0 "), ("so-so", "Neutral")], ";"))
def test_labelled_csv_keeps_every_row_or_names_the_bad_one(tmp_path, table):
    """Every row comes back, in order, with its class; or the first bad row is named."""
    from sentiment.data import LABELS, parse_label_map, read_labelled_csv

    rows, delimiter = table
    path = tmp_path / "data.csv"
    path.write_bytes(_csv_bytes(["text", "label"], rows, delimiter))
    names = [name.strip().lower() for name in CLASS_NAMES]
    classes = [names.index(label.strip().lower()) % 3 if label.strip().lower() in names else None for _, label in rows]
    bad = [
        number for number, ((text, _), cls) in enumerate(zip(rows, classes), start=2) if not text.strip() or cls is None
    ]
    if bad:
        with pytest.raises(DataError, match=f"^{re.escape(str(path))}: row {bad[0]}, column"):
            read_labelled_csv(path, "text", "label", parse_label_map(None))
        return
    data = read_labelled_csv(path, "text", "label", parse_label_map(None))
    assert list(data.texts) == [text for text, _ in rows]
    assert [LABELS[label] for label in data.labels] == [LABELS[cls] for cls in classes]


@FUZZ
@given(TABLE)
def test_uploaded_csv_keeps_rows_and_columns(table):
    from app_pages.scoring import read_uploaded_csv

    header, rows, delimiter = table
    try:
        frame = read_uploaded_csv(_csv_bytes(header, rows, delimiter), "up.csv")
    except DataError as error:
        assert str(error).startswith("up.csv: "), error
        return
    assert list(frame.columns) == header
    assert frame.values.tolist() == rows


@given(st.binary(max_size=300))
def test_uploaded_bytes_give_a_frame_or_a_data_error(data):
    from app_pages.scoring import read_uploaded_csv

    try:
        read_uploaded_csv(data, "up.csv")
    except UserError as error:
        assert str(error).startswith("up.csv: ") and "\n" not in str(error)


@FUZZ
@given(st.lists(CELL, min_size=1, max_size=30))
def test_text_file_rows_are_one_per_line_in_order(tmp_path, lines):
    from shared.inputs import file_rows

    lines = [line.replace("\r", " ").replace("\n", " ") for line in lines]  # the two line ends
    path = tmp_path / "in.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = list(file_rows(path, "text"))
    assert [text for _, _, text in rows] == lines
    assert [number for number, _, _ in rows] == list(range(1, len(lines) + 1))
