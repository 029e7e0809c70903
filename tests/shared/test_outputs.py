"""Output paths are checked, all of them, before a command writes any."""

import pytest

from shared.errors import OutputError
from shared.outputs import check_distinct, check_new_file, check_report_target
from shared.recorded_paths import paths_relative_to, paths_resolved, without_paths


def test_two_outputs_that_are_one_file_are_refused_through_a_link_too(tmp_path):
    (tmp_path / "real.json").write_text("{}")
    (tmp_path / "link.json").symlink_to(tmp_path / "real.json")
    with pytest.raises(OutputError, match="--output and --errors name the same file"):
        check_distinct({"--output": tmp_path / "real.json", "--errors": tmp_path / "link.json"})
    with pytest.raises(OutputError, match="--output and --errors name the same file"):
        check_distinct({"--output": tmp_path / "a" / ".." / "r.json", "--errors": tmp_path / "r.json"})
    check_distinct({"--output": tmp_path / "r.json", "--errors": tmp_path / "e.csv", "--other": None})


def test_a_path_that_cannot_be_written_is_refused_before_anything_is_written(tmp_path):
    (tmp_path / "file.txt").write_text("mine")
    with pytest.raises(OutputError, match=r"file.txt is a file, not a folder; choose another path for --out"):
        check_new_file(tmp_path / "file.txt" / "deeper" / "x.csv", "--out")
    with pytest.raises(OutputError, match=r"^/proc/x.csv: cannot be written"):
        check_report_target(tmp_path.__class__("/proc/x.csv"))
    with pytest.raises(OutputError, match="is a folder; give a file path for --out"):
        check_report_target(tmp_path, "--out")
    check_new_file(tmp_path / "new" / "folder" / "x.csv", "--out")  # folders still to make are fine
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]  # the probe left nothing


def test_a_bundle_records_its_files_relative_to_itself_and_finds_them_again(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    description = {
        "name": "train.csv",
        "files": {"train": {"path": "data/train.csv", "sha256": "a"}},
        "extra": [{"name": "x.jsonl", "path": str(tmp_path / "data" / "x.jsonl"), "sha256": "b"}],
    }
    recorded = paths_relative_to(description, tmp_path / "models" / "m")
    assert recorded["files"]["train"]["path"] == "../../data/train.csv"
    assert recorded["extra"][0]["path"] == "../../data/x.jsonl" and str(tmp_path) not in str(recorded)
    monkeypatch.chdir("/")
    again = paths_resolved(recorded, tmp_path / "models" / "m")
    assert again["files"]["train"]["path"] == str(tmp_path / "data" / "train.csv")
    assert without_paths(again) == without_paths(description)
    old = {"name": "train.csv", "files": {"train": {"path": "data/train.csv", "sha256": "a"}}}
    assert paths_resolved(old, tmp_path / "models" / "m") == old  # bundles from before: paths as typed
    assert paths_relative_to({"name": "sst", "sha256": {"a": "b"}}, tmp_path) == {"name": "sst", "sha256": {"a": "b"}}
