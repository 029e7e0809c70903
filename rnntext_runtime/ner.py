"""The entity tagger without TensorFlow: tokens and features in Python, the network in
onnxruntime, Viterbi decoding and entity scores in numpy, as `ner.EntityTagger` does."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rnntext_runtime import crf
from rnntext_runtime.batching import BATCH_SIZE, UNKNOWN, length_sorted_batches
from rnntext_runtime.inputs import check_texts
from rnntext_runtime.model import RuntimeModel
from rnntext_runtime.tags import OUTSIDE, entity_types, spans
from rnntext_runtime.text import Token, align, compile_steps


@dataclass(frozen=True)
class Entity:
    """A found entity: `text == original_text[start:end]`; `score` is the probability
    that it is right (span and type): the mean probability of its tokens' tags, through
    the model's calibration curve when it has one."""

    label: str
    text: str
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class TaggedTokens:
    """IOB2 tags, each tag's probability, and each token's entity score (`Entity.score`
    of the entity it belongs to; 0 outside entities)."""

    tags: list[str]
    scores: list[float]
    entity_scores: list[float]


def _interpolated(values: np.ndarray, points: list[list[float]]) -> np.ndarray:
    """`ner.model.interpolated` in float32: the calibration curve, flat beyond its ends."""
    xs = np.array([x for x, _ in points], dtype="float32")
    ys = np.array([y for _, y in points], dtype="float32")
    if len(points) == 1:
        return np.full_like(values, ys[0])
    flat = np.clip(values, xs[0], xs[-1])
    upper = np.clip(np.searchsorted(xs, flat, side="right"), 1, len(points) - 1)
    x0, x1, y0, y1 = xs[upper - 1], xs[upper], ys[upper - 1], ys[upper]
    width = x1 - x0
    share = np.divide(flat - x0, width, out=np.zeros_like(flat), where=width != 0)
    return (y0 + share * (y1 - y0)).astype("float32")


class TaggerRuntime(RuntimeModel):
    """An exported entity tagger: `predict(text)` -> entities with character offsets (a
    list), `predict(texts)` -> a list of such lists."""

    def __init__(self, rules: dict, session):
        super().__init__(rules, session)
        self.tags = list(rules["tags"])
        self._tokenize = compile_steps(rules["tokenize"], self._lowercase)
        self._separator = rules["separator"]
        word_key = compile_steps(rules["word_key"], self._lowercase)
        words = {word: index + 2 for index, word in enumerate(rules["words"])}
        characters = {char: index + 2 for index, char in enumerate(rules["characters"])}
        casing = [(re.compile(pattern), index) for pattern, index in rules["casing"]]
        other, max_chars = rules["casing_other"], rules["max_word_chars"]

        @functools.lru_cache(maxsize=1 << 16)
        def features(token: str) -> tuple[int, int, tuple[int, ...]]:
            casing_id = next((index for pattern, index in casing if pattern.fullmatch(token)), other)
            chars = tuple(characters.get(char, UNKNOWN) for char in token[:max_chars])
            return words.get(word_key(token), UNKNOWN), casing_id, chars

        self._features = features
        one_token = {name: np.ones((1, 1), "int64") for name in ("word_ids", "casing_ids", "token_rows")}
        one_token["char_ids"] = np.ones((2, 1), "int64")  # the chain does not depend on it; also a warm-up
        chain = [
            np.asarray(value, dtype="float32") for value in session.run(["transitions", "start", "end"], one_token)
        ]
        self._transitions, self._start, self._end = chain
        self._crf = rules["crf"]
        self._window, self._context = rules["window"], rules["context"]
        self.calibration = rules.get("calibration")

    @property
    def labels(self) -> tuple[str, ...]:
        """The entity types, sorted."""
        return tuple(entity_types(self.tags))

    def tokenize(self, text: str) -> list[Token]:
        """The tokens of `text` with character offsets (as `ner.tokenizer.tokenize`)."""
        return align(text, [piece for piece in self._tokenize(text).split(self._separator) if piece])

    def _decode_rows(self, rows: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        """(tag ids, confidences) [rows, width] of equal-width token rows ("" pads)."""
        shape = (len(rows), len(rows[0]))
        word_ids, casing_ids, token_rows = (np.zeros(shape, dtype="int64") for _ in range(3))
        distinct: dict[str, int] = {"": 0}  # each distinct token's row of char ids; 0 the padding token
        for r, row in enumerate(rows):
            for t, token in enumerate(row):
                if token:
                    word_ids[r, t], casing_ids[r, t], _ = self._features(token)
                    token_rows[r, t] = distinct.setdefault(token, len(distinct))
        chars = [self._features(token)[2] for token in list(distinct)[1:]]
        char_ids = np.zeros((len(distinct), max(1, max(map(len, chars), default=1))), dtype="int64")
        for index, ids in enumerate(chars, start=1):
            char_ids[index, : len(ids)] = ids
        inputs = {"word_ids": word_ids, "casing_ids": casing_ids, "token_rows": token_rows, "char_ids": char_ids}
        (emissions,) = self._session.run(["emissions"], inputs)
        mask = word_ids > 0
        chain = (self._transitions, self._start, self._end)
        path = crf.viterbi(emissions, mask, *chain)
        probabilities = crf.marginals(emissions, mask, *chain) if self._crf else np.exp(emissions)
        confidence = np.take_along_axis(probabilities, path[:, :, None], axis=2)[:, :, 0]
        return path, np.where(mask, confidence, 0).astype("float32")

    def _decode(self, rows: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        """`ner.model.decode`: whole rows, or overlapping windows when the batch is wider than the window."""
        length, window, context = len(rows[0]), self._window, self._context
        if length <= window:
            return self._decode_rows(rows)
        stride = window - 2 * context
        count = (length - window + stride - 1) // stride + 1
        wide = [row + [""] * ((count - 1) * stride + window - length) for row in rows]
        starts = np.arange(count) * stride
        frames = [row[start : start + window] for row in wide for start in starts]
        ids, confidence = (values.reshape(len(rows), count * window) for values in self._decode_rows(frames))
        positions = np.arange(length)
        owner = np.clip((positions - context) // stride, 0, count - 1)
        flat = owner * window + positions - starts[owner]
        return ids[:, flat], confidence[:, flat]

    def _entity_scores(self, ids: np.ndarray, confidence: np.ndarray, length: int) -> list[float]:
        """Each token's entity score: the mean tag probability of its entity, through the calibration curve."""
        tags = [self.tags[i] for i in ids[:length]]
        result = np.zeros(length, dtype="float32")
        for span in spans(tags):
            mean = np.float32(
                confidence[span.start : span.end].sum(dtype="float32") / np.float32(span.end - span.start)
            )
            result[span.start : span.end] = mean
        if self.calibration:
            inside = np.array([tag != OUTSIDE for tag in tags], dtype=bool)
            result = np.where(inside, _interpolated(result, self.calibration), 0).astype("float32")
        return result.tolist()

    def tag_tokens(self, token_lists: Sequence[Sequence[str]]) -> list[TaggedTokens]:
        """IOB2 tags and their probabilities for pre-tokenized sentences, in input order."""
        rows = [list(tokens) for tokens in token_lists]
        results: list[TaggedTokens | None] = [None] * len(rows)
        for batch in length_sorted_batches([len(row) for row in rows], BATCH_SIZE):
            width = max(1, max(len(rows[i]) for i in batch))
            ids, confidence = self._decode([rows[i] + [""] * (width - len(rows[i])) for i in batch])
            for row, index in enumerate(batch):
                length = len(rows[index])
                tags = [self.tags[i] for i in ids[row, :length]]
                entity = self._entity_scores(ids[row], confidence[row], length)
                results[index] = TaggedTokens(tags, confidence[row, :length].tolist(), entity)
        return results

    def _predict_texts(self, texts: list[str]) -> list[list[Entity]]:
        texts = check_texts(texts, allow_empty=True)
        token_rows = [self.tokenize(text) for text in texts]
        tagged = self.tag_tokens([[token.text for token in row] for row in token_rows])
        return [entities_of(text, row, result) for text, row, result in zip(texts, token_rows, tagged)]


def entities_of(text: str, tokens: list[Token], tagged: TaggedTokens) -> list[Entity]:
    """The entities of `text` that the tags of its `tokens` mark, with character offsets."""
    found = []
    for span in spans(tagged.tags):
        start, end = tokens[span.start].start, tokens[span.end - 1].end
        found.append(Entity(span.label, text[start:end], start, end, round(tagged.entity_scores[span.start], 4)))
    return found
