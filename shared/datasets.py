"""A small registry of named datasets, found in a mirror folder or downloaded and verified.

Lookup order for `locate_dataset("sst")`:
1. the mirror folder: `$RNNTEXT_DATA_DIR`, else `../shared/datasets` beside the
   project when that folder exists;
2. the download cache: `$RNNTEXT_CACHE_DIR`, else `data/cache` in a checkout, else
   `~/.cache/rnntext/datasets`;
3. a download from the public source into the cache.
Every file is checked against its SHA-256 before use, wherever it came from.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from shared.errors import DataError, DatasetNotFoundError
from shared.files import FolderKind, atomic_path, sha256_of

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class DatasetSpec:
    """A named dataset: its files with checksums and where to download them.

    Attributes:
        name: registry name, also the folder name in the mirror and cache.
        files: file name -> expected SHA-256.
        url: a zip archive holding the files, or None when there is no public
            download of this exact split.
        members: file name -> path inside the archive.
        source: a human description of the origin and licence.
        splits: split (train, dev, test) -> its file.
        text_format: how the files hold their texts (a key of TEXT_READERS).
    """

    name: str
    files: MappingProxyType
    url: str | None
    members: MappingProxyType
    source: str
    splits: MappingProxyType
    text_format: str


def _spec(name, files, url, members, source, text_format, splits) -> DatasetSpec:
    return DatasetSpec(
        name, MappingProxyType(files), url, MappingProxyType(members), source, MappingProxyType(splits), text_format
    )


SPLITS = ("train", "dev", "test")


REGISTRY = MappingProxyType(
    {
        "sst": _spec(
            "sst",
            {
                "train.txt": "e2f3f41b0b1e6d4dddc0effe3bfc2d27ed8928079aa9a03d652311614fc5feb7",
                "dev.txt": "0e9336aed6e4730e19f58d00a77b3f0297efdb755f7b5e598c98a05e3f97ea40",
                "test.txt": "6e54806dee95cf80cd918e7dfb3f6770f6df24bf826f289a4d1f709e1c8f6761",
            },
            "https://nlp.stanford.edu/sentiment/trainDevTestTrees_PTB.zip",
            {"train.txt": "trees/train.txt", "dev.txt": "trees/dev.txt", "test.txt": "trees/test.txt"},
            "Stanford Sentiment Treebank (Socher et al. 2013), PTB trees",
            "ptb-trees",
            {"train": "train.txt", "dev": "dev.txt", "test": "test.txt"},
        ),
        "airline-tweets": _spec(
            "airline-tweets",
            {
                "train.csv": "337486d6e4bb36c56d44f26e3829c56b6ff0b4d36153ddbe6246ac0cebf8f469",
                "dev.csv": "3d452f07a157b4248ae87a3efeea51e41b9bebe2843dc7a4de0a014e7920f31d",
                "test.csv": "192d97a5a4b97c9d8aaf03e2b13ada35e176af3c530349dd860cd3ba67d17ca4",
            },
            None,
            {},
            "Twitter US Airline Sentiment (Crowdflower, CC BY-NC-SA 4.0), deduplicated "
            "stratified split; the original needs a Kaggle login, so there is no public "
            "download of this split",
            "csv",
            {"train": "train.csv", "dev": "dev.csv", "test": "test.csv"},
        ),
        "conll2003": _spec(
            "conll2003",
            {
                "train.txt": "c99b26852dabf57ca9d30a0e892b84544cc8962003151e14a71077c55dc66db5",
                "valid.txt": "f1f6469322876887de1d04acd43c59b02f59d5b02acf42c027132fa1bf349cb2",
                "test.txt": "82e0c72d262f86ad3e78b15c5d980bbf87cb205aa4bf6d2d97643f463f8d7ff7",
            },
            None,
            {},
            "CoNLL-2003 English NER (Tjong Kim Sang & De Meulder 2003), IOB2 tags; the text "
            "is Reuters RCV1, whose licence forbids redistribution, so there is no public "
            "download: request RCV1 from NIST and build the files with the CoNLL scripts",
            "conll",
            {"train": "train.txt", "dev": "valid.txt", "test": "test.txt"},
        ),
    }
)


DATASETS = tuple(REGISTRY)


def _tree_texts(path: Path):
    from shared.treebank import read_trees

    return (" ".join(root.tokens) for root in read_trees(path))


def _csv_texts(path: Path):
    from shared.inputs import iter_csv

    rows = iter_csv(path, ["text"])
    next(rows)  # the header
    return (row["text"] for row in rows)


def _conll_texts(path: Path):
    from shared.inputs import column_blocks

    return (" ".join(fields[0] for _, fields in block) for block in column_blocks(path))


# text_format -> path -> the raw texts of one file (a sentence a text; CoNLL's tokens joined by spaces).
TEXT_READERS = MappingProxyType({"ptb-trees": _tree_texts, "csv": _csv_texts, "conll": _conll_texts})


def dataset_texts(name: str, registry=REGISTRY) -> dict[str, list[str] | None]:
    """The raw texts of registered dataset `name`, per split (None where it has none):
    what a language model reads of it, its labels unused."""
    spec = get_spec(name, registry)
    folder = locate_dataset(name, registry=registry)
    read = TEXT_READERS[spec.text_format]
    return {split: list(read(folder / spec.splits[split])) if split in spec.splits else None for split in SPLITS}


def mirror_dir() -> Path | None:
    """The configured mirror folder, or None when there is none."""
    configured = os.environ.get("RNNTEXT_DATA_DIR")
    if configured:
        return Path(configured).expanduser()
    default = PROJECT_ROOT.parent / "shared" / "datasets"
    return default if default.is_dir() else None


CHECKOUT_DATA = PROJECT_ROOT / "data"


def cache_dir() -> Path:
    """The folder downloads are cached in: $RNNTEXT_CACHE_DIR, else `data/cache` in a
    checkout (git-ignored), else ~/.cache/rnntext/datasets (an installed package)."""
    configured = os.environ.get("RNNTEXT_CACHE_DIR")
    if configured:
        return Path(configured).expanduser()
    if (CHECKOUT_DATA / "README.md").is_file():
        return CHECKOUT_DATA / "cache"
    return Path.home() / ".cache" / "rnntext" / "datasets"


def get_spec(name: str, registry=REGISTRY) -> DatasetSpec:
    """Return the registry entry for `name` or raise a DatasetNotFoundError listing the names."""
    try:
        return registry[name]
    except KeyError:
        known = ", ".join(sorted(registry))
        raise DatasetNotFoundError(f"unknown dataset {name!r}; known datasets: {known}") from None


def locate_dataset(name: str, *, download: bool = True, registry=REGISTRY) -> Path:
    """Return a folder holding every file of dataset `name`, verified by checksum.

    Raises:
        DatasetNotFoundError: neither the mirror nor the cache has it and it cannot be
            downloaded; the message names both places.
        DataError: a file is present but its checksum does not match.
    """
    spec = get_spec(name, registry)
    mirror = mirror_dir()
    for folder in ([mirror / name] if mirror else []) + [cache_dir() / name]:
        if all((folder / file).is_file() for file in spec.files):
            _verify(spec, folder)
            return folder
    mirror_text = str(mirror / name) if mirror else "(no mirror: set RNNTEXT_DATA_DIR)"
    if spec.url is None or not download:
        raise DatasetNotFoundError(
            f"dataset {name!r} not found in mirror {mirror_text} or cache {cache_dir() / name}; "
            f"{'it has no public download; ' if spec.url is None else ''}"
            f"put {', '.join(spec.files)} into one of them"
        )
    try:
        return _download(spec, cache_dir() / name)
    except (urllib.error.URLError, OSError, zipfile.BadZipFile) as error:
        raise DatasetNotFoundError(
            f"dataset {name!r} not found in mirror {mirror_text}, and downloading {spec.url} "
            f"into {cache_dir() / name} failed: {error}"
        ) from None


def _verify(spec: DatasetSpec, folder: Path) -> None:
    for file, expected in spec.files.items():
        actual = sha256_of(folder / file)
        if actual != expected:
            raise DataError(
                f"{folder / file}: checksum mismatch for dataset {spec.name!r} "
                f"(expected sha256 {expected[:12]}..., got {actual[:12]}...)"
            )


def _download(spec: DatasetSpec, target: Path) -> Path:
    print(f"Downloading {spec.name} from {spec.url} ...", flush=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        archive = Path(scratch) / "archive.zip"
        with urllib.request.urlopen(spec.url, timeout=60) as response, open(archive, "wb") as out:
            shutil.copyfileobj(response, out)
        # A non-empty cache folder that failed the checks above may hold files a user
        # put there by hand: it is refused (OutputError), not replaced.
        with (
            atomic_path(target, is_dir=True, kind=FolderKind(f"a complete cache of dataset {spec.name!r}")) as staging,
            zipfile.ZipFile(archive) as bundle,
        ):
            for file, member in spec.members.items():
                with bundle.open(member) as source, open(staging / file, "wb") as out:
                    shutil.copyfileobj(source, out)
            _verify(spec, staging)
    return target


def files_fingerprint(files: dict, **settings) -> dict:
    """What a bundle records about a user's own data files: the train file's name, the
    path and SHA-256 of each split's file (None splits left out) and how they were read."""
    present = {split: path for split, path in files.items() if path}
    return {
        "name": Path(present["train"]).name,
        "files": {split: {"path": str(path), "sha256": sha256_of(path)} for split, path in present.items()},
        **settings,
    }


def dataset_fingerprint(name: str, registry=REGISTRY) -> dict:
    """Name, source and per-file checksums of a dataset, for bundle metadata."""
    spec = get_spec(name, registry)
    return {"name": name, "source": spec.source, "sha256": dict(spec.files)}
