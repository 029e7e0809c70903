"""The NER model's configuration; the defaults are the benchmarked settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

from shared.config import TrainingSettings, require_fraction, require_positive
from shared.vectors import BEFORE_VECTORS


@dataclass(frozen=True)
class ModelConfig:
    """Architecture: word, casing and character features, the BiRNN stack, the output layer.

    `output` "crf" trains a linear-chain CRF; "softmax" trains per-token softmax. Both
    decode with Viterbi under IOB2 constraints. `word_dropout` replaces that share of
    training words by the unknown word (the characters stay), so the character
    encoder learns to handle unseen words. `variational_dropout` drops the same
    features at every token of a sentence (one mask per sentence, as in Gal &
    Ghahramani) instead of a fresh mask per token. `char_lm_forward` and
    `char_lm_backward` name character language-model bundles whose states at word
    boundaries are added to the token features (contextual string embeddings, frozen,
    copied into the tagger). `vectors` names pretrained word vectors (`shared.vectors`)
    that start the word embedding (its size is theirs), looked up by the case-folded
    word as the embedding is, beside the casing feature; `vectors_vocabulary` adds the
    set's most frequent words to the vocabulary, `freeze_vectors` keeps them as they are.
    """

    vocabulary_size: int = 30000
    word_dim: int = 50  # the default vectors' size; 100 without vectors (LEARNED_SIZES)
    casing_dim: int = 8
    char_dim: int = 30
    char_filters: int = 100
    char_kernel: int = 3
    max_word_chars: int = 24
    cell: Literal["lstm", "gru"] = "lstm"
    units: int = 128
    layers: int = 1
    dropout: float = 0.5
    word_dropout: float = 0.4
    variational_dropout: bool = False
    output: Literal["crf", "softmax"] = "crf"
    char_lm_forward: str = ""
    char_lm_backward: str = ""
    vectors: str = "glove-6b-50d"
    vectors_vocabulary: int = 50_000
    freeze_vectors: bool = False

    def __post_init__(self):
        from shared.vectors import settings_problem

        problem = settings_problem(
            self.vectors, self.word_dim, "word_dim", freeze=self.freeze_vectors, vocabulary=self.vectors_vocabulary
        )
        if problem is not None:
            raise ValueError(problem)
        if not 1 <= self.layers <= 2:
            raise ValueError("layers must be 1 or 2")
        require_positive(
            self, "vocabulary_size", "word_dim", "casing_dim", "char_dim", "char_filters", "char_kernel",
            "max_word_chars", "units",
        )  # fmt: skip
        require_fraction(self, "dropout", "word_dropout")


@dataclass(frozen=True)
class TrainingConfig(TrainingSettings):
    """Optimisation: epochs, batch size, Adam learning rate, clipping, early stopping.

    `schedule` "cosine" decays the learning rate to 0 along a half cosine over all
    `epochs`; "constant" keeps it. `ema_momentum` > 0 keeps an exponential moving
    average of the weights (Keras' `use_ema`); each epoch ends by replacing the
    weights with that average, so dev scores, checkpoints and the next epoch all
    start from the smoothed weights. `calibration` "isotonic" fits, on dev after
    training, a monotone curve from an entity's mean tag probability to the rate at
    which such entities are right, and the bundle's entity scores go through it (tags
    never change); "none" keeps the mean tag probability.
    """

    epochs: int = 25
    batch_size: int = 32
    learning_rate: float = 0.001
    schedule: Literal["constant", "cosine"] = "constant"
    ema_momentum: float = 0.0
    clip_norm: float = 5.0
    patience: int = 8
    calibration: Literal["isotonic", "none"] = "isotonic"

    def __post_init__(self):
        super().__post_init__()
        require_fraction(self, "ema_momentum")


# The defaults' vectors and words added (ModelConfig's `vectors` and `vectors_vocabulary`)
# were chosen on dev over 3 seeds (benchmarks/results/seeds-ner-conll2003-vectors.md and
# -vectors-vocabulary.md); the word embedding's size learned from scratch without them:
LEARNED_SIZES = {"word_dim": 100}


@dataclass(frozen=True)
class NerConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)

    # What a bundle trained before a field existed was trained with (`shared.config.config_of_record`).
    BEFORE_ADDED: ClassVar[dict] = BEFORE_VECTORS

    @staticmethod
    def defaults_for(settings: dict) -> dict:
        """The vectors are ModelConfig's unless the settings name theirs or a word
        embedding size of their own; the word embedding is their size
        (`shared.config.load_config`, `shared.vectors.vector_defaults`)."""
        from shared.vectors import vector_defaults

        return vector_defaults(
            settings, default=ModelConfig.vectors, learned=LEARNED_SIZES, vocabulary=ModelConfig.vectors_vocabulary
        )
