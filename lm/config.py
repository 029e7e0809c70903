"""The language model's configuration; the defaults are the benchmarked settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from shared.config import TrainingSettings, require_fraction, require_positive


@dataclass(frozen=True)
class ModelConfig:
    """Tokens and network: character or word level, vocabulary, embedding, LSTM stack.

    A character model keeps every character seen at least `min_count` times (at most
    `vocabulary_size`); a word model keeps the `vocabulary_size` most frequent words of
    the sentiment app's standardization (lowercased, punctuation split off). The rest
    read as the unknown token. A backward model reads the text from its end and
    predicts each token from those after it (the other half of contextual string
    embeddings). A word model's `vectors` (`shared.vectors`) start its embedding (its size
    is theirs; `freeze_vectors` keeps them), and through it the sentiment model it is
    taken into (`--encoder`).
    """

    level: Literal["char", "word"] = "char"
    direction: Literal["forward", "backward"] = "forward"
    vocabulary_size: int = 300
    min_count: int = 2
    embedding_dim: int = 64
    cell: Literal["lstm", "gru"] = "lstm"
    layers: int = 1
    units: int = 512
    dropout: float = 0.2
    vectors: str = "none"
    freeze_vectors: bool = False

    def __post_init__(self):
        from shared.vectors import NONE, settings_problem

        if not 1 <= self.layers <= 3:
            raise ValueError("layers must be 1, 2 or 3")
        if self.vectors != NONE and self.level != "word":
            raise ValueError("vectors are for a word model (--model.level word); a character model has no words")
        problem = settings_problem(
            self.vectors, self.embedding_dim, "embedding_dim", freeze=self.freeze_vectors, vocabulary=0
        )
        if problem is not None:
            raise ValueError(problem)
        require_positive(self, "vocabulary_size", "min_count", "embedding_dim", "units")
        require_fraction(self, "dropout")


@dataclass(frozen=True)
class TrainingConfig(TrainingSettings):
    """Truncated backpropagation through time over `batch_size` parallel streams of the text.

    Each batch holds the next `bptt` tokens of every stream, and the recurrent state
    is carried from batch to batch within an epoch. Each epoch starts the streams at
    another random offset below `bptt`, so the cuts between batches move.
    `learning_rate_decay` multiplies the learning rate after every epoch.
    """

    epochs: int = 10
    batch_size: int = 32
    bptt: int = 100
    learning_rate: float = 0.003
    learning_rate_decay: float = 1.0
    clip_norm: float = 1.0
    patience: int = 2

    def __post_init__(self):
        super().__post_init__()
        require_positive(self, "bptt")
        if not 0.0 < self.learning_rate_decay <= 1.0:
            raise ValueError("learning_rate_decay must be in (0, 1]")


@dataclass(frozen=True)
class LMConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)

    @staticmethod
    def defaults_for(settings: dict) -> dict:
        """With vectors (none by default), the embedding is their size (`shared.config.load_config`)."""
        from shared.vectors import NONE, vector_defaults

        return vector_defaults(settings, default=NONE, learned={"embedding_dim": ModelConfig.embedding_dim})
