"""One reader per input format, for the predict verb's local engine and its Ray engine alike."""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyarrow import fs

from shared.errors import DataError
from shared.inputs import check_inputs, file_kind, read_rows, source_rows


@pytest.fixture
def inputs(tmp_path):
    table = pa.table({"text": ["A fine film.", "", "Dull."], "stars": [5, 3, 1]})
    pq.write_table(table, tmp_path / "reviews.parquet")
    (tmp_path / "reviews.csv").write_text("stars,text\n5,A fine film.\n3,\n1,Dull.\n", encoding="utf-8")
    (tmp_path / "reviews.jsonl").write_text('{"text": "A fine film."}\n"Dull."\n', encoding="utf-8")
    (tmp_path / "reviews.txt").write_text("A fine film.\nDull.\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("name", "kind", "columns", "rows"),
    [
        ("reviews.parquet", "parquet", ["text", "stars"], [(1, "A fine film."), (2, ""), (3, "Dull.")]),
        ("reviews.csv", "csv", ["stars", "text"], [(2, "A fine film."), (3, ""), (4, "Dull.")]),
        ("reviews.jsonl", "jsonl", ["text"], [(1, "A fine film."), (2, "Dull.")]),
        ("reviews.txt", "text", ["text"], [(1, "A fine film."), (2, "Dull.")]),
    ],
)
def test_the_local_and_the_ray_engine_read_a_file_the_same_way(inputs, name, kind, columns, rows):
    path = inputs / name
    assert file_kind(path) == kind
    local_columns, local_rows = read_rows(path, "text")
    local_rows = list(local_rows)
    assert local_columns == columns
    assert [(number, text) for number, _, text in local_rows] == rows
    assert list(source_rows(fs.LocalFileSystem(), str(path), "text", chunk_rows=2)) == local_rows


def test_a_parquet_file_without_the_text_column_is_one_error_before_any_row(inputs):
    with pytest.raises(DataError, match=r"reviews.parquet: no column 'review'"):
        read_rows(inputs / "reviews.parquet", "review")
    with pytest.raises(DataError, match=r"reviews.parquet: no column 'review'"):
        check_inputs(fs.LocalFileSystem(), [str(inputs / "reviews.parquet")], "review")


def test_a_file_that_is_not_parquet_says_so(tmp_path):
    (tmp_path / "fake.parquet").write_text("text\nhello\n", encoding="utf-8")
    with pytest.raises(DataError, match="fake.parquet: not a Parquet file"):
        read_rows(tmp_path / "fake.parquet", "text")
