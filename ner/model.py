"""The tagger network: a batch of token strings in, per-token tag scores out.

`tokens [batch, time] (string, "" = padding)` -> word ids (case-folded, digits
mapped to 0, vocabulary inside the model) + casing class + characters through a
CNN -> dropout -> BiLSTM/GRU x1-2 -> dense tag scores -> `ChainCRF`, which holds
the transition scores and IOB2 constraints and decodes with Viterbi. The saved
`.keras` file is the whole pipeline from tokens to tags; `ner.tokenizer` turns raw
text into tokens (also inside the exported SavedModel).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers

import lm.transfer  # noqa: F401  (registers the layer of taggers trained with --char-lm)
from ner import crf
from ner.config import ModelConfig
from ner.tags import allowed_transitions
from shared.layers import Characters, CharCNN, WordDropout
from shared.text import PACKAGE
from shared.text_rules import apply_steps

TAGGER = "tagger"
CASINGS = ("pad", "lower", "title", "upper", "mixed", "number", "has_digit", "punctuation", "other")
RNN_CELLS = {"lstm": layers.LSTM, "gru": layers.GRU}


# Case-fold and map every digit to 0: the key of the word embedding (`shared.text_rules` steps).
WORD_KEY = (("lower",), ("replace", r"\pN", "0"))
# A token's casing class: the first of these (RE2) patterns it matches whole, else "other".
CASING_RULES = (
    (r"", 0),
    (r"[\p{Ll}\pM]+", 1),
    (r"\p{Lu}[\p{Ll}\pM]+", 2),
    (r"[\p{Lu}\pM]+", 3),
    (r"[\pL\pM]+", 4),
    (r"[\pN.,:/-]*\pN[\pN.,:/-]*", 5),
    (r".*\pN.*", 6),
    (r"[\pP\pS]+", 7),
)


def normalize_words(tokens):
    """Case-fold and map every digit to 0: the key of the word embedding."""
    return apply_steps(tokens, WORD_KEY)


def casing_ids(tokens):
    """Index into CASINGS for each token (0 for padding)."""
    result = tf.fill(tf.shape(tokens), len(CASINGS) - 1)
    for pattern, index in reversed(CASING_RULES):
        result = tf.where(tf.strings.regex_full_match(tokens, pattern), index, result)
    return result


@keras.saving.register_keras_serializable(package=PACKAGE)
class WordKeys(layers.Layer):
    """Token strings -> normalized word strings (the word vocabulary's keys)."""

    def call(self, tokens):
        return normalize_words(tokens)


@keras.saving.register_keras_serializable(package=PACKAGE)
class Casing(layers.Layer):
    """Token strings -> casing class ids (see CASINGS)."""

    def call(self, tokens):
        return casing_ids(tokens)


@keras.saving.register_keras_serializable(package=PACKAGE)
class ChainCRF(layers.Layer):
    """Passes tag scores through and owns decoding.

    With `learn_transitions` (the CRF output) it holds trainable transition, start and
    end scores and its loss is the CRF negative log-likelihood; without, scores are
    per-token logits trained with cross-entropy. Either way decoding is Viterbi with
    IOB2's forbidden transitions.
    """

    def __init__(self, tags: list[str], learn_transitions: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.tags = list(tags)
        self.learn_transitions = learn_transitions
        self.supports_masking = True
        allowed, allowed_start = allowed_transitions(self.tags)
        self._penalty = np.where(allowed, 0.0, crf.FORBIDDEN).astype("float32")
        self._start_penalty = np.where(allowed_start, 0.0, crf.FORBIDDEN).astype("float32")

    def build(self, input_shape):
        size = len(self.tags)
        if self.learn_transitions:
            self.transitions = self.add_weight(shape=(size, size), initializer="zeros", name="transitions")
            self.start = self.add_weight(shape=(size,), initializer="zeros", name="start")
            self.end = self.add_weight(shape=(size,), initializer="zeros", name="end")

    def call(self, scores, mask=None):
        return scores

    def compute_mask(self, inputs, mask=None):
        return mask

    def chain(self):
        """(transitions, start, end) with the IOB2 constraints applied."""
        transitions, start = tf.constant(self._penalty), tf.constant(self._start_penalty)
        end = tf.zeros_like(start)
        if self.learn_transitions:
            transitions = transitions + self.transitions
            start, end = start + self.start, self.end
        return transitions, start, end

    def _unary(self, scores):
        scores = tf.cast(scores, "float32")
        return scores if self.learn_transitions else tf.nn.log_softmax(scores)

    def loss(self, scores, tags, mask):
        """Mean per-sentence negative log-likelihood (CRF) or per-token cross-entropy."""
        scores = tf.cast(scores, "float32")
        if self.learn_transitions:
            return -tf.reduce_mean(crf.log_likelihood(scores, tags, mask, *self.chain()))
        weights = tf.cast(mask, "float32")
        losses = tf.nn.sparse_softmax_cross_entropy_with_logits(tf.cast(tags, tf.int32), scores)
        return tf.reduce_sum(losses * weights) / tf.maximum(tf.reduce_sum(weights), 1.0)

    def decode(self, scores, mask):
        """(tag ids [batch, time], confidence of each chosen tag [batch, time])."""
        unary = self._unary(scores)
        chain = self.chain()
        path = crf.viterbi(unary, mask, *chain)
        probabilities = crf.marginals(unary, mask, *chain) if self.learn_transitions else tf.exp(unary)
        confidence = tf.gather(probabilities, path, batch_dims=2)
        return path, tf.where(mask, confidence, tf.zeros_like(confidence))

    def get_config(self):
        return {**super().get_config(), "tags": self.tags, "learn_transitions": self.learn_transitions}


def build_tagger(config: ModelConfig, words: list[str], characters: list[str], tags: list[str], seed: int = 0):
    """Token strings [batch, time] -> tag scores [batch, time, len(tags)] (the `crf` layer last)."""
    tokens = keras.Input(shape=(None,), dtype="string", name="tokens")
    word_keys = WordKeys(name="word_keys")(tokens)
    word_ids = layers.StringLookup(vocabulary=list(words), mask_token="", name="words")(word_keys)
    word_ids = WordDropout(config.word_dropout, seed=seed, name="word_dropout")(word_ids)
    frozen = config.vectors != "none" and config.freeze_vectors
    word_vectors = layers.Embedding(
        len(words) + 2, config.word_dim, mask_zero=True, trainable=not frozen, name="word_embedding"
    )(word_ids)
    casing_ids = Casing(name="casing")(tokens)
    casing = layers.Embedding(len(CASINGS), config.casing_dim, mask_zero=True, name="casing_embedding")(casing_ids)
    char_ids = layers.StringLookup(vocabulary=list(characters), mask_token="", name="characters")(
        Characters(config.max_word_chars, name="split_characters")(tokens)
    )
    char_features = CharCNN(
        len(characters) + 2, config.char_dim, config.char_filters, config.char_kernel, name="char_cnn"
    )(char_ids)
    features = [word_vectors, casing, char_features]
    for direction, path in (("forward", config.char_lm_forward), ("backward", config.char_lm_backward)):
        if path:
            from lm.transfer import CharacterModel

            # Opened here, between the tagger's layers, so that they draw the same initial weights as ever.
            features.append(CharacterModel.open(path).embedding_layer(name=f"char_lm_{direction}")(tokens))
    x = layers.Concatenate(name="token_features")(features)
    # noise_shape None takes the input's size; 1 shares one mask along the sentence.
    noise_shape = (None, 1, None) if config.variational_dropout else None
    x = layers.Dropout(config.dropout, noise_shape=noise_shape, name="feature_dropout")(x)
    for index in range(config.layers):
        rnn = RNN_CELLS[config.cell](config.units, return_sequences=True)
        x = layers.Bidirectional(rnn, name=f"birnn_{index + 1}")(x)
        x = layers.Dropout(config.dropout, noise_shape=noise_shape, name=f"dropout_{index + 1}")(x)
    scores = layers.Dense(len(tags), name="tag_scores")(x)
    scores = ChainCRF(tags, learn_transitions=config.output == "crf", name="crf")(scores)
    return keras.Model(tokens, scores, name=TAGGER)


@keras.saving.register_keras_serializable(package=PACKAGE)
class TaggerTrainer(keras.Model):
    """Wraps a tagger for `fit`: inputs are padded tokens, targets tag ids; the loss is the
    tagger's `crf` layer loss over the real (non-padding) tokens."""

    def __init__(self, tagger: keras.Model, **kwargs):
        super().__init__(**kwargs)
        self.tagger = tagger

    def call(self, tokens, training=False):
        return self.tagger(tokens, training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        loss = self.tagger.get_layer("crf").loss(y_pred, y, tf.not_equal(x, ""))
        # Keras's convention under a tf.distribute strategy, as its own losses do: each
        # replica's loss is divided by the replica count (gradients are summed).
        return loss / tf.cast(tf.distribute.get_strategy().num_replicas_in_sync, loss.dtype)

    def get_config(self):
        return {"tagger": keras.saving.serialize_keras_object(self.tagger)}

    @classmethod
    def from_config(cls, config):
        return cls(keras.saving.deserialize_keras_object(config.pop("tagger")), **config)


# Token sequences longer than WINDOW are read in windows of WINDOW tokens that overlap by
# 2 * CONTEXT; each token's tag comes from the window where it has at least CONTEXT
# tokens of context on both sides (or sits at the text's edge), so an entity across a
# window border is seen whole. The Python API and the SavedModel both decode here.
WINDOW = 512
CONTEXT = 64


def decode(tagger: keras.Model, tokens, window: int = WINDOW, context: int = CONTEXT):
    """Padded tokens [batch, time] -> (tag ids, confidences), both [batch, time]."""
    crf_layer = tagger.get_layer("crf")

    def whole(rows):
        return crf_layer.decode(tagger(rows, training=False), tf.not_equal(rows, ""))

    def windowed():
        stride = window - 2 * context
        length = tf.shape(tokens)[1]
        count = (length - window + stride - 1) // stride + 1  # the last window reaches the end
        padded = tf.pad(tokens, [[0, 0], [0, (count - 1) * stride + window - length]], constant_values="")
        starts = tf.range(count) * stride
        frames = tf.gather(padded, starts[:, tf.newaxis] + tf.range(window)[tf.newaxis], axis=1)
        ids, confidence = whole(tf.reshape(frames, [-1, window]))  # [batch * count, window]
        positions = tf.range(length)
        owner = tf.clip_by_value((positions - context) // stride, 0, count - 1)
        flat = owner * window + positions - tf.gather(starts, owner)  # index into [count * window]
        batch = tf.shape(tokens)[0]
        pick = lambda values: tf.gather(tf.reshape(values, [batch, count * window]), flat, axis=1)  # noqa: E731
        return pick(ids), pick(confidence)

    return tf.cond(tf.shape(tokens)[1] <= window, lambda: whole(tokens), windowed)


def _tag_parts(tags: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(prefix code: 0 for O, 1 for B, 2 for I; index of the entity type) per tag id."""
    kinds = sorted({tag[2:] for tag in tags if tag != "O"})
    prefix = [0 if tag == "O" else 1 if tag.startswith("B-") else 2 for tag in tags]
    kind = [-1 if tag == "O" else kinds.index(tag[2:]) for tag in tags]
    return np.array(prefix, dtype="int32"), np.array(kind, dtype="int32")


def interpolated(values, points: list[list[float]]):
    """`values` through the piecewise-linear curve through `points` (x ascending), flat
    beyond its ends: `np.interp` in the graph."""
    xs = tf.constant([x for x, _ in points], tf.float32)
    ys = tf.constant([y for _, y in points], tf.float32)
    if len(points) == 1:
        return tf.fill(tf.shape(values), ys[0])
    flat = tf.clip_by_value(tf.reshape(tf.cast(values, tf.float32), [-1]), xs[0], xs[-1])
    upper = tf.clip_by_value(tf.searchsorted(xs, flat, side="right"), 1, len(points) - 1)
    x0, x1 = tf.gather(xs, upper - 1), tf.gather(xs, upper)
    y0, y1 = tf.gather(ys, upper - 1), tf.gather(ys, upper)
    share = tf.math.divide_no_nan(flat - x0, x1 - x0)
    return tf.reshape(y0 + share * (y1 - y0), tf.shape(values))


def entity_confidence(ids, confidence, mask, tags: list[str], points: list[list[float]] | None = None):
    """Each entity token's entity confidence, 0 elsewhere ([batch, time]): the mean
    probability of its entity's tags (entities as `ner.tags.spans` reads IOB2), through
    the bundle's calibration curve `points` when it has one."""
    prefix_of, kind_of = _tag_parts(tags)
    prefix, kind = tf.gather(prefix_of, ids), tf.gather(kind_of, ids)
    inside = tf.logical_and(prefix > 0, mask)
    shift = lambda values, fill: tf.pad(values[:, :-1], [[0, 0], [1, 0]], constant_values=fill)  # noqa: E731
    continues = (prefix == 2) & shift(inside, False) & tf.equal(shift(kind, -1), kind)
    starts = tf.cast(inside & ~continues, tf.int32)
    batch, width = tf.shape(ids)[0], tf.shape(ids)[1]
    segment = tf.cumsum(starts, axis=1) + tf.range(batch)[:, tf.newaxis] * (width + 1)
    weight = tf.cast(inside, tf.float32)
    count = batch * (width + 1)
    sums = tf.math.unsorted_segment_sum(tf.cast(confidence, tf.float32) * weight, segment, count)
    sizes = tf.math.unsorted_segment_sum(weight, segment, count)
    mean = tf.gather(tf.math.divide_no_nan(sums, sizes), segment)
    if points:
        mean = interpolated(mean, points)
    return mean * weight
