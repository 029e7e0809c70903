"""The sentiment model's configuration; the defaults are the benchmarked settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

from shared.config import TrainingSettings, require_fraction, require_positive
from shared.vectors import BEFORE_VECTORS


@dataclass(frozen=True)
class SequenceSettings:
    """The sequence architecture's own settings (`model.sequence`): `layers` RNN layers,
    `bidirectional`, then `pooling` over the time steps. `encoder` names a word
    language-model bundle (lm.train --level word): each word both know starts from the
    LM's embedding of it (the embedding size is the LM's), and `encoder_layers` of its
    recurrent layers, with their trained weights, run between the embedding and this
    model's own RNN stack."""

    bidirectional: bool = True
    layers: int = 1
    pooling: Literal["last", "mean", "max"] = "max"
    encoder: str = ""
    encoder_layers: int = 0

    def __post_init__(self):
        if self.encoder_layers < 0 or (self.encoder_layers and not self.encoder):
            raise ValueError("encoder_layers needs an encoder and must be 0 or more")
        if not (0 if self.encoder_layers else 1) <= self.layers <= 3:
            raise ValueError("layers must be 1, 2 or 3 (or 0 on top of encoder_layers)")
        if self.layers == 0 and self.pooling == "last":
            raise ValueError("pooling 'last' needs layers of this model's own; use max or mean over the encoder's")


@dataclass(frozen=True)
class ParserSettings:
    """A tree model's own parser (`model.parser`), trained first, alone, on the treebank's
    bracketing: `dim` its word vectors, `char_filters` a character CNN's (0 for none);
    `layers` BiLSTMs of `units`, `dropout` on their inputs and outputs, `word_dropout`; a
    span MLP of `hidden`."""

    dim: int = 50  # the default vectors' size; 100 without vectors (LEARNED_SIZES)
    units: int = 128
    hidden: int = 128
    layers: int = 2
    char_filters: int = 50
    dropout: float = 0.3
    word_dropout: float = 0.1

    def __post_init__(self):
        require_positive(self, "dim", "units", "hidden", "layers")
        if self.char_filters < 0:
            raise ValueError("char_filters must be 0 (no character features) or more")
        require_fraction(self, "dropout", "word_dropout")


@dataclass(frozen=True)
class TreeSettings:
    """The tree architecture's own settings (`model.tree`): `parser_bundle` names a tree
    bundle whose parser (frozen) gives texts without trees theirs, instead of a parser
    of its own (`model.parser`)."""

    parser_bundle: str = ""


@dataclass(frozen=True)
class ModelConfig:
    """Architecture: text standardization and vocabulary, embedding, the network, and each
    architecture's own section.

    `architecture` "sequence" reads the text as a chain (an RNN stack, then pooling:
    `sequence`); "tree" composes it over a binary parse tree (a recursive network, `cell`
    lstm: the Tree-LSTM, simple_rnn: tanh(W [c1; c2] + b), gru: a gated mix), with a
    softmax at every node, over the trees of its own parser (`parser`) or of a taken one
    (`tree.parser_bundle`).

    `vectors` names a set of pretrained word vectors (`shared.vectors`, e.g. glove-6b-50d;
    "none" for none): each word of the vocabulary the set knows starts from its vector
    (the embedding size is the set's; a tree model's leaves and its parser's words both),
    the `vectors_vocabulary` most frequent words of the
    set join the training words in the vocabulary (so a word never seen in training still
    gets its vector when predicting), and `freeze_vectors` keeps the embedding as it
    starts. The rows are copied into the model: a bundle needs no vectors package.
    """

    architecture: Literal["sequence", "tree"] = "sequence"

    vocabulary_size: int = 20000
    max_length: int = 256
    embedding_dim: int = 50  # the default vectors' size; 128 without vectors (LEARNED_SIZES)
    cell: Literal["lstm", "gru", "simple_rnn"] = "gru"
    units: int = 64
    embedding_dropout: float = 0.1
    dropout: float = 0.3
    vectors: str = "glove-6b-50d"
    vectors_vocabulary: int = 50_000
    freeze_vectors: bool = False
    sequence: SequenceSettings = field(default_factory=SequenceSettings)
    tree: TreeSettings = field(default_factory=TreeSettings)
    parser: ParserSettings = field(default_factory=ParserSettings)

    def __post_init__(self):
        check_vectors(self)
        if self.architecture == "tree" and self.sequence.encoder:
            raise ValueError("a tree model takes no encoder (the word LM feeds the sequence model)")
        if self.tree.parser_bundle and self.architecture != "tree":
            raise ValueError(
                "tree.parser_bundle (a tree bundle's parser) is for a tree model: add --model.architecture tree"
            )
        require_positive(self, "vocabulary_size", "max_length", "embedding_dim", "units")
        require_fraction(self, "embedding_dropout", "dropout")


@dataclass(frozen=True)
class TrainingConfig(TrainingSettings):
    """Optimisation: epochs, batch size, learning rate, clipping, early stopping, data weighting.

    `phrases` trains on every labelled SST subtree. Phrases are mostly neutral, so
    `prior_correction` weights training examples by (dev class share / train class
    share) ** prior_correction: 1 makes the training label mix match dev's, 0 leaves
    it. `word_dropout` replaces that share of training tokens with the unknown token.
    `parser_epochs`: a tree model's parser trains alone first, this many epochs (the best
    on dev bracketing kept). `calibration` "temperature" fits a temperature to the logits on dev after training
    (the bundle's probabilities are calibrated; the argmax never changes); "none" keeps
    the network's own.
    """

    epochs: int = 8
    batch_size: int = 128
    learning_rate: float = 0.002
    clip_norm: float = 1.0
    patience: int = 2
    phrases: bool = True
    prior_correction: float = 0.5
    word_dropout: float = 0.0
    calibration: Literal["temperature", "none"] = "temperature"
    parser_epochs: int = 10

    def __post_init__(self):
        super().__post_init__()
        if not 0.0 <= self.prior_correction <= 1.0:
            raise ValueError("prior_correction must be in [0, 1]")
        require_fraction(self, "word_dropout")
        require_positive(self, "parser_epochs")


def check_vectors(config) -> None:
    """ValueError for vectors this model cannot take (`shared.vectors.settings_problem`):
    the embedding, and a tree model's own parser's, are the vectors' size; no encoder beside them."""
    from shared.vectors import NONE, settings_problem

    problem = settings_problem(
        config.vectors,
        config.embedding_dim,
        "embedding_dim",
        freeze=config.freeze_vectors,
        vocabulary=config.vectors_vocabulary,
    )
    if problem is not None:
        raise ValueError(problem)
    if config.vectors != NONE and config.sequence.encoder:
        raise ValueError("vectors and an encoder would both start the embedding: choose one (vectors none)")
    if config.vectors != NONE and config.architecture == "tree" and not config.tree.parser_bundle:
        problem = settings_problem(config.vectors, config.parser.dim, "parser.dim", freeze=False, vocabulary=0)
        if problem is not None:  # the parser's words start from the vectors too
            raise ValueError(problem)


# Where the tree model's benchmark (benchmarks.tree_benchmark, chosen on dev) differs
# from the sequence model's defaults: the Tree-LSTM, wider, on smaller batches.
TREE_DEFAULTS = {"model": {"cell": "lstm", "units": 128}, "training": {"batch_size": 32}}
# The vectors by default (chosen on dev over 3 seeds: benchmarks/results/seeds-sentiment-
# sst-vectors.md for the sequence model, tree-sst-vectors.md for the tree model and its
# parser), the most frequent words of the set added (measured for the sequence model),
# and the embedding sizes learned from scratch when a model has none.
VECTORS_VOCABULARY = {"sequence": ModelConfig.vectors_vocabulary, "tree": 0}
LEARNED_SIZES = {"embedding_dim": 128, "parser.dim": 100}  # parser.dim: a tree model's parser's
# Where a key of the flat model section before architecture sections lives now (old
# configs, overrides and bundles' records still load: `shared.config.MOVED_KEYS`).
MOVED = {
    "model.parser": "model.tree.parser_bundle",  # first: the parser's own fields move into model.parser next
    **{f"model.{name}": f"model.sequence.{name}" for name in SequenceSettings.__dataclass_fields__},
    **{f"model.parser_{name}": f"model.parser.{name}" for name in ParserSettings.__dataclass_fields__},
}


@dataclass(frozen=True)
class SentimentConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)

    # What a bundle trained before a field existed was trained with (`shared.config.config_of_record`).
    BEFORE_ADDED: ClassVar[dict] = BEFORE_VECTORS
    MOVED_KEYS: ClassVar[dict] = MOVED  # old dotted keys -> new (`shared.config.with_moved_keys`)
    # a bundle the model took (its record's name) -> the field that named it (`recorded_config`)
    TAKEN_FIELDS: ClassVar[dict] = {"encoder": "model.sequence.encoder", "parser": "model.tree.parser_bundle"}

    @staticmethod
    def defaults_for(settings: dict) -> dict:
        """The defaults that differ by architecture and follow the vectors, for `settings`
        (the config file and overrides, merged; `shared.config.load_config`): a tree
        model's are TREE_DEFAULTS; the vectors are ModelConfig's unless the settings name
        theirs, an encoder or an embedding size of their own (`shared.vectors.vector_defaults`)."""
        from shared.config import merged
        from shared.vectors import vector_defaults

        model = settings.get("model") if isinstance(settings.get("model"), dict) else {}
        sequence = model.get("sequence") if isinstance(model.get("sequence"), dict) else {}
        architecture = "tree" if model.get("architecture") == "tree" else "sequence"
        vectors = vector_defaults(
            settings,
            default=ModelConfig.vectors,
            learned=LEARNED_SIZES,
            vocabulary=VECTORS_VOCABULARY[architecture],
            without=bool(sequence.get("encoder")),
        )
        return merged(TREE_DEFAULTS, vectors) if architecture == "tree" else vectors
