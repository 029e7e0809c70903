"""Linear-chain CRF and constrained Viterbi decoding, written with TensorFlow ops.

Shapes: emissions [batch, time, K] (unnormalised tag scores), tags [batch, time]
(int), mask [batch, time] (bool, True for real tokens, left-aligned, every row at
least one token). `transitions[i, j]` scores tag i followed by tag j; `start` and
`end` score the first and last tag. Forbidden transitions carry `FORBIDDEN`, so
decoding never emits an `I-` tag that does not continue an entity.
"""

from __future__ import annotations

FORBIDDEN = -1e4


def _with_padding_step(emissions, mask):
    """Append one masked step, so the scans over steps 1.. never run on an empty sequence."""
    import tensorflow as tf

    emissions = tf.pad(emissions, [[0, 0], [0, 1], [0, 0]])
    return emissions, tf.pad(mask, [[0, 0], [0, 1]], constant_values=False)


def _time_major(tensor):
    import tensorflow as tf

    rank = len(tensor.shape)
    return tf.transpose(tensor, [1, 0] + list(range(2, rank)))


def sequence_score(emissions, tags, mask, transitions, start, end):
    """Score of the given tag sequences: sum of emission and transition scores, [batch]."""
    import tensorflow as tf

    weights = tf.cast(mask, emissions.dtype)
    tags = tf.cast(tags, tf.int32)
    score = tf.reduce_sum(tf.gather(emissions, tags, batch_dims=2) * weights, axis=1)
    pairs = tf.stack([tags[:, :-1], tags[:, 1:]], axis=-1)
    score += tf.reduce_sum(tf.gather_nd(transitions, pairs) * weights[:, 1:], axis=1)
    score += tf.gather(start, tags[:, 0])
    last = tf.reduce_sum(tf.cast(mask, tf.int32), axis=1) - 1
    return score + tf.gather(end, tf.gather(tags, last, batch_dims=1))


def _forward(emissions, mask, transitions, start):
    """alpha [time + 1, batch, K] (time-major, with the padding step): log-sum of the scores
    of all prefixes ending in each tag; padded steps carry the last real step's alpha."""
    import tensorflow as tf

    alpha = start + emissions[:, 0]

    def step(previous, inputs):
        emission, keep = inputs
        following = tf.reduce_logsumexp(previous[:, :, None] + transitions[None], axis=1) + emission
        return tf.where(keep[:, None], following, previous)

    alphas = tf.scan(step, (_time_major(emissions[:, 1:]), _time_major(mask[:, 1:])), initializer=alpha)
    return tf.concat([alpha[None], alphas], axis=0)


def log_partition(emissions, mask, transitions, start, end):
    """log of the sum over all tag sequences of exp(score), [batch] (forward algorithm)."""
    import tensorflow as tf

    emissions, mask = _with_padding_step(emissions, mask)
    alphas = _forward(emissions, mask, transitions, start)
    return tf.reduce_logsumexp(alphas[-1] + end[None], axis=1)


def log_likelihood(emissions, tags, mask, transitions, start, end):
    """log p(tags | emissions) per sequence, [batch]."""
    return sequence_score(emissions, tags, mask, transitions, start, end) - log_partition(
        emissions, mask, transitions, start, end
    )


def _normalized(scores):
    """Scores less their log-sum over tags: the same distribution, kept near 0 (float32 loses
    about 1e-4 of a tag probability when alpha and beta grow to hundreds over a sentence)."""
    import tensorflow as tf

    return scores - tf.reduce_logsumexp(scores, axis=-1, keepdims=True)


def marginals(emissions, mask, transitions, start, end):
    """p(tag at t = k | emissions), [batch, time, K], by the forward-backward algorithm.

    Each step's alpha and beta are normalized over tags (scaled forward-backward); the
    marginal at t is softmax(alpha_t + beta_t), since sum_k alpha_t(k) beta_t(k) = Z at
    every t. `rnntext_runtime.crf.marginals` computes the same, step for step, in numpy.
    """
    import tensorflow as tf

    steps = tf.shape(emissions)[1]
    emissions, mask = _with_padding_step(emissions, mask)
    alpha = _normalized(start + emissions[:, 0])

    def forward(previous, inputs):
        emission, keep = inputs
        following = tf.reduce_logsumexp(previous[:, :, None] + transitions[None], axis=1) + emission
        return tf.where(keep[:, None], _normalized(following), previous)

    alphas = tf.scan(forward, (_time_major(emissions[:, 1:]), _time_major(mask[:, 1:])), initializer=alpha)
    alphas = tf.concat([alpha[None], alphas], axis=0)
    beta = _normalized(tf.broadcast_to(end[None], tf.shape(emissions[:, 0])))

    def backward(following, inputs):
        emission, keep = inputs  # of the step after the one being computed
        previous = tf.reduce_logsumexp(transitions[None] + (emission + following)[:, None, :], axis=2)
        return tf.where(keep[:, None], _normalized(previous), following)

    betas = tf.scan(backward, (_time_major(emissions[:, 1:]), _time_major(mask[:, 1:])), initializer=beta, reverse=True)
    betas = tf.concat([betas, beta[None]], axis=0)
    probabilities = tf.nn.softmax(alphas + betas, axis=-1)
    return tf.transpose(probabilities, [1, 0, 2])[:, :steps]


def viterbi(emissions, mask, transitions, start, end):
    """Best tag sequence per row, [batch, time] int32 (0 on padding)."""
    import tensorflow as tf

    steps = tf.shape(emissions)[1]
    emissions, mask = _with_padding_step(emissions, mask)
    num_tags = tf.shape(emissions)[2]
    delta = start + emissions[:, 0]
    identity = tf.broadcast_to(tf.range(num_tags)[None], tf.shape(delta))

    def step(carry, inputs):
        previous, _ = carry
        emission, keep = inputs
        candidates = previous[:, :, None] + transitions[None]
        best = tf.argmax(candidates, axis=1, output_type=tf.int32)
        following = tf.reduce_max(candidates, axis=1) + emission
        # Padded steps keep the score and point back to the same tag.
        return tf.where(keep[:, None], following, previous), tf.where(keep[:, None], best, identity)

    deltas, pointers = tf.scan(
        step, (_time_major(emissions[:, 1:]), _time_major(mask[:, 1:])), initializer=(delta, identity)
    )
    final = deltas[-1] + end[None]
    last = tf.argmax(final, axis=1, output_type=tf.int32)

    def back(tag, pointer):
        return tf.gather(pointer, tag, batch_dims=1)

    earlier = tf.scan(back, pointers, initializer=last, reverse=True)
    path = tf.transpose(tf.concat([earlier, last[None]], axis=0))
    return tf.where(mask, path, tf.zeros_like(path))[:, :steps]
