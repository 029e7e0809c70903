"""The language-model Python API: load a bundle, score text, look at the next token, sample."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shared.api import BundleModel
from shared.config import check_seed
from shared.errors import DataError
from shared.inputs import check_texts

BATCH_SIZE = 64
MAX_SAMPLE_LENGTH = 100_000


@dataclass(frozen=True)
class TextScore:
    """How well the model predicts one text: total bits and bits per token (per character
    for a character model), and perplexity (2 ** bits per token)."""

    text: str
    tokens: int
    bits: float
    bits_per_token: float
    perplexity: float


@dataclass(frozen=True)
class SampleStep:
    """One sampled token, its probability, and the most likely candidates at that step."""

    index: int
    token: str
    probability: float
    candidates: dict[str, float]


def check_sampling(length, temperature, top_k, seed) -> None:
    """DataError unless length is in [1, MAX_SAMPLE_LENGTH], temperature a positive finite
    number and top_k a whole number of at least 0; ConfigError for a seed out of range."""
    check_seed(seed)
    if isinstance(length, bool) or not isinstance(length, int) or not 1 <= length <= MAX_SAMPLE_LENGTH:
        raise DataError(f"length must be a whole number from 1 to {MAX_SAMPLE_LENGTH:,}, got {length!r}")
    if isinstance(temperature, bool) or not isinstance(temperature, int | float) or not math.isfinite(temperature):
        raise DataError(f"temperature must be a positive number, got {temperature!r}")
    if temperature <= 0:
        raise DataError(
            f"temperature must be positive (for nearly greedy text use a small one, like 0.1), got {temperature!r}"
        )
    if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 0:
        raise DataError(f"top_k must be a whole number, 0 for no limit, got {top_k!r}")


class LanguageModel(BundleModel):
    """A trained character- or word-level language model. Thread-safe.

    Example:
        >>> lm = LanguageModel.load("models/lm")
        >>> lm.sample("The film ", length=80, temperature=0.5, seed=1)
        'The film is a stylish ...'
        >>> lm.bits_per_token(["A fine film."])   # bits per character (per word: a word model)
        2.1
    """

    TASK = "lm"
    MODEL_MODULE = "lm.model"

    def __init__(self, model, metadata: dict | None = None, path: str | Path | None = None):
        """Wrap an end-to-end Keras model (raw strings in, next-token probabilities out)."""
        import tensorflow as tf

        from lm.inference import chunk_scorer, sampler
        from lm.model import LOOKUP, NETWORK, TOKENIZE

        super().__init__(model, metadata, path)
        self._tokenize = model.get_layer(TOKENIZE)
        self._lookup = model.get_layer(LOOKUP)
        self.network = model.get_layer(NETWORK)
        self.level = self._tokenize.level
        self.direction = "backward" if self._tokenize.reverse else "forward"
        self.vocabulary = tuple(str(token) for token in self._lookup.get_vocabulary())  # ids 0, 1: padding, unknown
        self._scorer = chunk_scorer(self.network)
        self._sample = tf.function(
            sampler(self.network),
            input_signature=[
                tf.TensorSpec([None], tf.int32),
                tf.TensorSpec([], tf.int32),
                tf.TensorSpec([], tf.float32),
                tf.TensorSpec([], tf.int32),
                tf.TensorSpec([], tf.int64),
            ],
        )
        self._step = tf.function(self._step_logits, reduce_retracing=True)

    @property
    def tokens(self) -> tuple[str, ...]:
        """The tokens the model predicts (its vocabulary without padding and unknown)."""
        return self.vocabulary[2:]

    @property
    def labels(self) -> tuple[str, ...]:
        """Deprecated: `tokens` (a language model predicts tokens, not labels)."""
        import warnings

        warnings.warn("LanguageModel.labels is deprecated: use LanguageModel.tokens", DeprecationWarning, stacklevel=2)
        return self.tokens

    # ------------------------------------------------------------ tokens
    def encode(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Token ids of each text, the line boundary first."""
        import tensorflow as tf

        ids = self._lookup(self._tokenize(tf.constant(list(texts), tf.string))).numpy()
        return [row[row > 0] for row in ids]

    def detokenize(self, ids: Iterable[int]) -> str:
        """Tokens back to text: characters joined, or words joined by spaces within lines."""
        tokens = [self.vocabulary[int(i)] for i in ids]
        if self.level == "char":
            return "".join(tokens)
        return re.sub(" ?\n ?", "\n", " ".join(tokens))

    def unknown_tokens(self, text: str) -> list[str]:
        """The tokens of `text` this model never saw in training (it reads them as the
        unknown token), once each, in order."""
        from lm.model import UNKNOWN_ID, split_tokens

        (text,) = check_texts([text], allow_empty=True)
        tokens = split_tokens([text], self.level)
        ids = self._lookup(tokens).flat_values.numpy()
        words = [token.decode("utf-8") for token in tokens.flat_values.numpy()]
        return list(dict.fromkeys(word for word, i in zip(words, ids) if i == UNKNOWN_ID))

    def join(self, prime: str, sample: str) -> str:
        """`prime` and a `sample` drawn after it (before it, for a backward model) as one
        text, joined as the model joins its tokens: a space between two words of a word model."""
        first, second = (sample, prime) if self.direction == "backward" else (prime, sample)
        touching = first and second and not first[-1].isspace() and not second[0].isspace()
        return first + (" " if self.level == "word" and touching else "") + second

    def _check_prime(self, prime: str) -> np.ndarray:
        from lm.model import UNKNOWN_ID

        (prime,) = check_texts([prime], allow_empty=True)
        ids = self.encode([prime])[0]
        if self.level == "char" and (ids == UNKNOWN_ID).any():  # which ones: only then tokenized again
            shown = ", ".join(repr(char) for char in sorted(self.unknown_tokens(prime))[:5])
            raise DataError(f"the prime holds characters this model never saw in training: {shown}")
        return ids.astype(np.int32)

    # ------------------------------------------------------------ scoring
    def _predict_texts(self, texts: list[str]) -> list[TextScore]:
        from lm.inference import row_bits
        from shared.sequences import length_sorted_batches

        texts = check_texts(texts, allow_empty=True)
        encoded = self.encode(texts)
        bits = np.zeros(len(texts))
        for batch in length_sorted_batches(np.array([len(ids) for ids in encoded]), BATCH_SIZE):
            padded = np.zeros((len(batch), max(len(encoded[i]) for i in batch)), dtype=np.int32)
            for row, index in enumerate(batch):
                padded[row, : len(encoded[index])] = encoded[index]
            bits[batch] = row_bits(self.network, padded, scorer=self._scorer)
        results = []
        for text, ids, total in zip(texts, encoded, bits):
            tokens = len(ids) - 1
            per_token = total / tokens if tokens else 0.0
            results.append(TextScore(text, tokens, float(total), float(per_token), float(2.0**per_token)))
        return results

    def bits_per_token(self, texts: str | Sequence[str]) -> float:
        """Bits per token (per character, or per word) over `texts`, each read from the
        start of a line."""
        scores = self.predict([texts] if isinstance(texts, str) else texts)
        tokens = sum(s.tokens for s in scores)
        if not tokens:
            raise DataError("no text to score")
        return sum(s.bits for s in scores) / tokens

    def perplexity(self, texts: str | Sequence[str]) -> float:
        """Perplexity per token over `texts`: 2 ** `bits_per_token`."""
        return 2.0 ** self.bits_per_token(texts)

    def score(self, texts: str | Sequence[str]) -> float:
        """Deprecated: `bits_per_token` (a character model's old `score`) or `perplexity` (a word model's)."""
        import warnings

        new = "bits_per_token" if self.level == "char" else "perplexity"
        warnings.warn(f"LanguageModel.score is deprecated: use LanguageModel.{new}", DeprecationWarning, stacklevel=2)
        return getattr(self, new)(texts)

    def evaluate_text(self, pieces: Iterable[str]) -> dict:
        """Bits per character (and, for a word model, perplexity) of a long text given in
        pieces, read in order with the recurrent state carried across lines."""
        from lm.inference import stream_bits

        ids, characters = [], 0
        for piece in pieces:
            ids.append(self.encode([piece])[0][1:].astype(np.int32))
            characters += len(piece)
        if self.direction == "backward":  # each piece is already reversed; so is their order
            ids.reverse()
        ids = np.concatenate([np.array([self.vocabulary.index("\n")], dtype=np.int32), *ids])
        tokens = len(ids) - 1
        if tokens < 1:
            raise DataError("no text to score")
        bits = stream_bits(self.network, ids, scorer=self._scorer)
        report = {
            "bits_per_char": round(bits / characters, 4),
            "characters": characters,
            "tokens": tokens,
            "unknown_share": round(float((ids == 1).mean()), 6),
        }
        if self.level == "word":
            report["perplexity"] = round(2.0 ** (bits / tokens), 2)
            report["bits_per_word"] = round(bits / tokens, 4)
        return report

    # ------------------------------------------------------------ next token and sampling
    def _step_logits(self, ids, states):
        from lm.model import run_chunk

        logits, states = run_chunk(self.network, ids, states)
        return logits[:, -1], states

    def next_distribution(self, text: str, top: int | None = None) -> dict[str, float]:
        """The probability of each token coming next after `text`, most likely first (the
        `top` most likely only, when given)."""
        import tensorflow as tf

        (text,) = check_texts([text], allow_empty=True)
        probabilities = self.model(tf.constant([text]), training=False).numpy()[0]
        order = np.argsort(-probabilities, kind="stable")
        order = [i for i in order if i >= 2][:top]
        return {self.vocabulary[i]: float(probabilities[i]) for i in order}

    def sample(
        self, prime: str = "", length: int = 200, temperature: float = 1.0, top_k: int = 0, seed: int = 0
    ) -> str:
        """`length` tokens sampled after `prime` (before it, for a backward model), as text
        without the prime.

        The same seed gives the same text, here and in the exported SavedModel.
        """
        check_sampling(length, temperature, top_k, seed)
        ids = self._sample(self._check_prime(prime), length, float(temperature), top_k, int(seed)).numpy()
        return self.detokenize(ids[::-1] if self.direction == "backward" else ids)

    def generate(
        self, prime: str = "", length: int = 200, temperature: float = 1.0, top_k: int = 0, seed: int = 0, top: int = 5
    ) -> Iterator[SampleStep]:
        """`sample`, one token at a time, with the `top` most likely candidates of each step
        (at `temperature`). Yields the same tokens as `sample` with the same arguments, in
        the order drawn (right to left for a backward model)."""
        import tensorflow as tf

        from lm.inference import choose_next
        from lm.model import zero_states

        check_sampling(length, temperature, top_k, seed)
        prime_ids = self._check_prime(prime)
        last, states = self._step(tf.constant(prime_ids[None, :]), zero_states(self.network, 1))
        for step in range(length):
            token = choose_next(last, float(temperature), top_k, int(seed), step)
            probabilities = tf.nn.softmax(tf.cast(last[0], tf.float32) / temperature).numpy()
            probabilities[:2] = 0.0
            probabilities /= probabilities.sum()
            best = np.argsort(-probabilities, kind="stable")[:top]
            chosen = int(token[0])
            yield SampleStep(
                step,
                self.vocabulary[chosen],
                float(probabilities[chosen]),
                {self.vocabulary[i]: float(probabilities[i]) for i in best},
            )
            last, states = self._step(token[:, None], states)
