"""What the other apps take from a language model: the one module of `lm` they import.

    settings(path)                          its metadata and network settings, cheaply
    describe(path) -> LanguageModelSource   which LM it is (metadata and a checksum),
                                            read without loading the model
    WordEncoder.open(path)                  a word LM's vocabulary, embedding and
                                            recurrent layers (sentiment's --encoder)
    CharacterModel.open(path)               a character LM as contextual string
                                            embeddings (ner's --char-lm)

Each bundle is opened once. A classifier or tagger trained with an LM records its
`LanguageModelSource` (name, checksum, what it was trained on), never the path it was
read from: the LM's weights are copied into the new bundle.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from lm.embeddings import ContextualStringEmbedding  # registered, so a tagger that holds one loads
from shared.errors import BundleError


@dataclass(frozen=True)
class LanguageModelSource:
    """Which language model a bundle took: enough to find and check it again.

    Attributes:
        name: its bundle folder's name.
        sha256: the SHA-256 of its model file.
        level, direction: "char" or "word"; "forward" or "backward".
        embedding_dim, cell, units, layers, dropout: its network.
        dataset: what it was trained on (its bundle's dataset record).
        dev: its dev scores.
    """

    name: str
    sha256: str
    level: str
    direction: str
    embedding_dim: int
    cell: str
    units: int
    layers: int
    dropout: float
    dataset: dict
    dev: dict

    @property
    def reference(self) -> str:
        """One line that names it: what a bundle's config holds in place of the path."""
        return f"{self.name} (sha256 {self.sha256[:16]})"

    def record(self) -> dict:
        """What a bundle's metadata records of it (JSON-ready)."""
        return {**asdict(self), "reference": self.reference}


def settings(path: str | Path):
    """(the bundle's metadata, its LM `ModelConfig`) read without the model or its checksum:
    what choosing among LMs needs (their direction, embedding size).

    Raises:
        BundleError: not a language-model bundle.
    """
    import dataclasses

    from lm.config import LMConfig
    from shared.bundle import read_metadata
    from shared.config import config_of_record

    metadata = read_metadata(path, task="lm")
    model = config_of_record(LMConfig, metadata["config"]).model
    return metadata, dataclasses.replace(model, direction=metadata.get("direction", model.direction))


def describe(path: str | Path) -> LanguageModelSource:
    """The language model at `path`, from its metadata and its model file's checksum.

    Raises:
        BundleError: not a language-model bundle.
    """
    from shared.bundle import MODEL_FILE
    from shared.files import sha256_of

    path = Path(path)
    metadata, model = settings(path)
    return LanguageModelSource(
        name=path.resolve().name,
        sha256=sha256_of(path / MODEL_FILE),
        level=model.level,
        direction=model.direction,
        embedding_dim=model.embedding_dim,
        cell=model.cell,
        units=model.units,
        layers=model.layers,
        dropout=model.dropout,
        dataset=metadata.get("dataset", {}),
        dev=metadata.get("metrics", {}).get("dev", {}),
    )


def _open(path: str | Path, level: str):
    """(the LanguageModel, its source), checked to be of `level`."""
    from lm.language_model import LanguageModel

    source = describe(path)
    if source.level != level:
        needs = "contextual string embeddings need" if level == "char" else "an encoder needs"
        raise BundleError(f"{path}: a {source.level}-level language model; {needs} a {level}-level one")
    return LanguageModel.load(path), source


@dataclass(frozen=True)
class WordEncoder:
    """A word LM's parts that start a classifier: its vocabulary, embedding matrix and
    the trained weights of each recurrent layer (ULMFiT's first steps)."""

    source: LanguageModelSource
    vocabulary: tuple[str, ...]  # ids 0 and 1: padding and the unknown word
    embedding: object  # numpy array (len(vocabulary), embedding_dim)
    recurrent_weights: tuple[list, ...]  # per layer, as `get_weights()` gives them

    @classmethod
    def open(cls, path: str | Path) -> WordEncoder:
        """Raises BundleError when `path` is not a word-level language model."""
        model, source = _open(path, "word")
        network = model.network
        return cls(
            source,
            model.vocabulary,
            network.get_layer("embedding").get_weights()[0],
            tuple(network.get_layer(f"rnn_{index}").get_weights() for index in range(source.layers)),
        )

    def rows(self, words: list[str]):
        """(for each of `words`, the LM's embedding of it, or of the unknown word when
        the LM never saw it; how many it knew)."""
        from lm.model import UNKNOWN_ID

        index = {token: row for row, token in enumerate(self.vocabulary) if row > UNKNOWN_ID}
        rows = self.embedding[[index.get(word, UNKNOWN_ID) for word in words]]
        return rows, sum(word in index for word in words)


@dataclass(frozen=True)
class CharacterModel:
    """A character LM, whose states at word boundaries become token features."""

    source: LanguageModelSource
    network: object  # the LM's recurrent network (keras.Model), a copy of the bundle's
    vocabulary: tuple[str, ...]  # the tokens it predicts

    @classmethod
    def open(cls, path: str | Path) -> CharacterModel:
        """Raises BundleError when `path` is not a character-level language model."""
        import keras

        model, source = _open(path, "char")
        network = keras.models.clone_model(model.network)
        network.set_weights(model.network.get_weights())
        return cls(source, network, model.tokens)

    def embedding_layer(self, name: str | None = None):
        """The frozen `ContextualStringEmbedding` layer of this model."""
        reverse = self.source.direction == "backward"
        return ContextualStringEmbedding(self.network, list(self.vocabulary), reverse=reverse, name=name)


def by_direction(paths: list[str | Path]) -> dict[str, Path]:
    """Character LM bundles keyed by the direction each reads ("forward", "backward").

    Raises:
        ConfigError: two of them read the same way.
    """
    from shared.errors import ConfigError

    chosen: dict[str, Path] = {}
    for path in paths:
        direction = settings(path)[1].direction
        if direction in chosen:
            raise ConfigError(f"--char-lm: {chosen[direction]} and {path} are both {direction} models")
        chosen[direction] = Path(path)
    return chosen


def _embedding_layer_of(path, name: str | None = None):
    """What the deprecated `lm.embeddings.from_bundle` answers with."""
    return CharacterModel.open(path).embedding_layer(name)
