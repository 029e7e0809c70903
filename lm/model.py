"""The recurrent language model: raw strings in, the next token's distribution out.

Tokens are characters, or words as the sentiment app standardizes them; a text
starts with the line-boundary token (`\\n`), so its first token is predicted as a
line's first token is in training. A backward model reads every text from its end
(the tokens reversed), so it predicts what comes before. The end-to-end model is
`text -> tokenize -> lookup -> network -> next-token probabilities`; `network` maps
token ids to next-token logits at every position and is what training fits.

Training runs a copy of the network with stateful recurrent layers over parallel
streams of the text (truncated backpropagation through time); scoring long text and
sampling carry the state explicitly through `run_chunk`, one chunk or one token at
a time, with the same layers.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers

from lm.config import ModelConfig
from shared.text import PACKAGE, standardize_text

BOUNDARY = "\n"  # ends a line, and starts every scored or sampled text
UNKNOWN = "[UNK]"
MASK = ""  # id 0: padding, never a token
UNKNOWN_ID = 1  # id 0 is padding
FIRST_TOKEN_ID = UNKNOWN_ID + 1
TOKENIZE = "tokenize"
LOOKUP = "lookup"
NETWORK = "network"
CELLS = {"lstm": layers.LSTM, "gru": layers.GRU}


def split_tokens(texts, level: str):
    """Strings (batch,) -> ragged tokens (batch, None), without the leading boundary.

    Characters are Unicode code points. Words follow `standardize_text` within each
    line, and every line break is the token `\\n`.
    """
    texts = tf.convert_to_tensor(texts, dtype=tf.string)
    if level == "char":
        return tf.strings.unicode_split(texts, "UTF-8")
    lines = tf.strings.split(texts, sep=BOUNDARY)
    words = tf.strings.split(standardize_text(lines.flat_values))
    ends = tf.fill([words.nrows(), 1], BOUNDARY)
    lines_with_ends = tf.concat([words, tf.RaggedTensor.from_tensor(ends)], axis=1)
    per_text = tf.RaggedTensor.from_row_splits(
        lines_with_ends.values, tf.gather(lines_with_ends.row_splits, lines.row_splits)
    )
    return per_text[:, :-1]  # the last line has no break after it


def reverse_rows(tokens):
    """Each row of a 2-D RaggedTensor in reverse order."""
    rows = tokens.value_rowids()
    within = tf.range(tf.size(tokens.values, out_type=rows.dtype)) - tf.gather(tokens.row_starts(), rows)
    return tokens.with_values(tf.gather(tokens.values, tf.gather(tokens.row_limits(), rows) - 1 - within))


@keras.saving.register_keras_serializable(package=PACKAGE)
class Tokenize(layers.Layer):
    """Strings (batch,) -> tokens (batch, time), the line boundary first, padded with "".

    With `reverse` (a backward model) each text's tokens come last to first, so the
    model reads it from its end.
    """

    def __init__(self, level: str, reverse: bool = False, **kwargs):
        super().__init__(**kwargs)
        if level not in ("char", "word"):
            raise ValueError(f"level must be char or word, got {level!r}")
        self.level = level
        self.reverse = reverse

    def call(self, texts):
        tokens = split_tokens(texts, self.level)
        if self.reverse:
            tokens = reverse_rows(tokens)
        starts = tf.RaggedTensor.from_tensor(tf.fill([tokens.nrows(), 1], BOUNDARY))
        return tf.concat([starts, tokens], axis=1).to_tensor(default_value=MASK)

    def get_config(self):
        return {**super().get_config(), "level": self.level, "reverse": self.reverse}


@keras.saving.register_keras_serializable(package=PACKAGE)
class NextTokenProbabilities(layers.Layer):
    """(logits (batch, time, vocabulary), ids) -> the distribution after each row's last token."""

    def call(self, logits, ids):
        lengths = tf.math.count_nonzero(ids, axis=1, dtype=tf.int32)
        last = tf.gather(logits, lengths - 1, axis=1, batch_dims=1)
        return tf.nn.softmax(last, axis=-1)


def lookup_layer(vocabulary: list[str]) -> layers.StringLookup:
    """Tokens -> ids: 0 padding (the token ""), 1 unknown, then `vocabulary` (which holds neither)."""
    return layers.StringLookup(vocabulary=list(vocabulary), mask_token=MASK, oov_token=UNKNOWN, name=LOOKUP)


def rnn_layers(network: keras.Model) -> list:
    return [layer for layer in network.layers if isinstance(layer, tuple(CELLS.values()))]


def build_network(config: ModelConfig, vocabulary_size: int, *, batch_size: int | None = None) -> keras.Model:
    """Token ids (batch, time) -> next-token logits (batch, time, vocabulary_size).

    With `batch_size`, the recurrent layers are stateful: each batch continues the
    streams of the one before (training); without, every call starts from zeros.
    """
    stateful = batch_size is not None
    ids = keras.Input(batch_shape=(batch_size, None), dtype="int32", name="token_ids")
    frozen = config.vectors != "none" and config.freeze_vectors
    x = layers.Embedding(vocabulary_size, config.embedding_dim, trainable=not frozen, name="embedding")(ids)
    for index in range(config.layers):
        rnn = CELLS[config.cell](
            config.units, return_sequences=True, return_state=True, stateful=stateful, name=f"rnn_{index}"
        )
        x = rnn(x)[0]
        x = layers.Dropout(config.dropout, name=f"dropout_{index}")(x)
    logits = layers.Dense(vocabulary_size, name="logits")(x)
    return keras.Model(ids, logits, name=NETWORK)


def build_end_to_end(config: ModelConfig, vocabulary: list[str], network: keras.Model) -> keras.Model:
    """Raw strings (batch,) -> next-token probabilities (batch, vocabulary size); the saved artifact.

    `network` is copied into a stateless network (a trained stateful one may be passed).
    """
    stateless = build_network(config, len(vocabulary) + FIRST_TOKEN_ID)
    stateless.set_weights(network.get_weights())
    text = keras.Input(shape=(), dtype="string", name="text")
    tokenize = Tokenize(config.level, reverse=config.direction == "backward", name=TOKENIZE)
    ids = lookup_layer(vocabulary)(tokenize(text))
    probabilities = NextTokenProbabilities(name="next_token")(stateless(ids), ids)
    return keras.Model(text, probabilities, name="language_model")


def zero_states(network: keras.Model, batch_size) -> list:
    """The initial recurrent state of every layer for `batch_size` rows."""
    states = []
    for rnn in rnn_layers(network):
        sizes = rnn.cell.state_size if isinstance(rnn.cell.state_size, list | tuple) else [rnn.cell.state_size]
        states.append([tf.zeros([batch_size, size]) for size in sizes])
    return states


def run_chunk(network: keras.Model, ids, states):
    """(ids (batch, time), states) -> (next-token logits (batch, time, vocabulary), states after the chunk).

    Inference only (no dropout); chunks fed in order give what one call over their
    concatenation gives.
    """
    x = network.get_layer("embedding")(ids)
    new_states = []
    for rnn, state in zip(rnn_layers(network), states, strict=True):
        x, *state = rnn(x, initial_state=state, training=False)
        new_states.append(state)
    return network.get_layer("logits")(x), new_states


def hidden_sequence(network: keras.Model, ids):
    """(ids (batch, time)) -> the last recurrent layer's output at every position, from zero state."""
    x = network.get_layer("embedding")(ids)
    for rnn, state in zip(rnn_layers(network), zero_states(network, tf.shape(ids)[0]), strict=True):
        x = rnn(x, initial_state=state, training=False)[0]
    return x


def reset_streams(network: keras.Model) -> None:
    """Zero the carried state of a stateful (training) network."""
    for rnn in rnn_layers(network):
        if rnn.stateful:
            rnn.reset_state()
