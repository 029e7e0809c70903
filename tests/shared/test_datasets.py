import hashlib
import zipfile
from types import MappingProxyType

import pytest

from shared.datasets import REGISTRY, DatasetSpec, dataset_texts, locate_dataset
from shared.errors import DataError, DatasetNotFoundError


def _spec(files: dict[str, bytes], url=None, text_format="conll") -> DatasetSpec:
    return DatasetSpec(
        "toy",
        MappingProxyType({name: hashlib.sha256(data).hexdigest() for name, data in files.items()}),
        url,
        MappingProxyType({name: f"inner/{name}" for name in files}),
        "test data",
        MappingProxyType({name.split(".")[0]: name for name in files}),
        text_format,
    )


@pytest.fixture
def places(tmp_path, monkeypatch):
    mirror, cache = tmp_path / "mirror", tmp_path / "cache"
    monkeypatch.setenv("RNNTEXT_DATA_DIR", str(mirror))
    monkeypatch.setenv("RNNTEXT_CACHE_DIR", str(cache))
    return mirror, cache


FILES = {"train.txt": b"one\n", "test.txt": b"two\n"}


def test_registry_knows_the_project_datasets():
    assert {"sst", "airline-tweets", "conll2003"} <= set(REGISTRY)


def test_found_in_mirror_and_verified(places):
    mirror, _ = places
    (mirror / "toy").mkdir(parents=True)
    for name, data in FILES.items():
        (mirror / "toy" / name).write_bytes(data)
    assert locate_dataset("toy", registry={"toy": _spec(FILES)}) == mirror / "toy"


def test_checksum_mismatch_names_the_file(places):
    mirror, _ = places
    (mirror / "toy").mkdir(parents=True)
    (mirror / "toy" / "train.txt").write_bytes(b"tampered\n")
    (mirror / "toy" / "test.txt").write_bytes(FILES["test.txt"])
    with pytest.raises(DataError, match=r"train.txt: checksum mismatch"):
        locate_dataset("toy", registry={"toy": _spec(FILES)})


def test_downloads_archive_into_cache_and_verifies(places, tmp_path):
    _, cache = places
    archive = tmp_path / "toy.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for name, data in FILES.items():
            bundle.writestr(f"inner/{name}", data)
    registry = {"toy": _spec(FILES, url=archive.as_uri())}
    folder = locate_dataset("toy", registry=registry)
    assert folder == cache / "toy"
    assert (folder / "train.txt").read_bytes() == FILES["train.txt"]
    archive.unlink()  # second lookup comes from the cache, no download
    assert locate_dataset("toy", registry=registry) == folder


def test_download_with_wrong_checksum_leaves_nothing_in_cache(places, tmp_path):
    _, cache = places
    archive = tmp_path / "toy.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("inner/train.txt", b"other\n")
        bundle.writestr("inner/test.txt", FILES["test.txt"])
    with pytest.raises(DataError, match="checksum mismatch"):
        locate_dataset("toy", registry={"toy": _spec(FILES, url=archive.as_uri())})
    assert not (cache / "toy").exists()


def test_missing_everywhere_names_mirror_and_cache(places):
    mirror, cache = places
    with pytest.raises(DatasetNotFoundError) as error:
        locate_dataset("toy", registry={"toy": _spec(FILES)})
    assert str(mirror / "toy") in str(error.value) and str(cache / "toy") in str(error.value)


def test_failed_download_names_both_places_and_url(places, tmp_path):
    mirror, cache = places
    url = (tmp_path / "nowhere.zip").as_uri()
    with pytest.raises(DatasetNotFoundError, match="downloading .*nowhere.zip") as error:
        locate_dataset("toy", registry={"toy": _spec(FILES, url=url)})
    assert str(mirror / "toy") in str(error.value) and str(cache / "toy") in str(error.value)


def test_unknown_name_lists_known_ones():
    with pytest.raises(DatasetNotFoundError, match="known datasets: airline-tweets, conll2003, sst"):
        locate_dataset("imdb")


@pytest.mark.parametrize(
    ("text_format", "train", "texts"),
    [
        ("ptb-trees", b"(3 (2 A) (4 (3 fine) (2 film)))\n\n(1 (2 -LRB-) (1 dull))\n", ["A fine film", "( dull"]),
        ("csv", b'label,text\npositive,"Great, really"\nnegative,late again\n', ["Great, really", "late again"]),
        (
            "conll",
            b"-DOCSTART- O\n\nEU B-ORG\nrejects O\n\n\nPeter B-PER\n-DOCSTART- O\nBonn B-LOC\n",
            ["EU rejects", "Peter", "Bonn"],
        ),
    ],
    ids=["ptb-trees", "csv", "conll"],
)
def test_a_datasets_raw_texts_come_from_the_registry(places, text_format, train, texts):
    """What a language model reads of a dataset: a text per sentence, labels unused, and
    None for a split the dataset does not have."""
    mirror, _ = places
    (mirror / "toy").mkdir(parents=True)
    files = {"train.txt": train}
    for name, data in files.items():
        (mirror / "toy" / name).write_bytes(data)
    assert dataset_texts("toy", registry={"toy": _spec(files, text_format=text_format)}) == {
        "train": texts,
        "dev": None,
        "test": None,
    }
