"""Linear-chain CRF decoding in numpy, as `ner.crf` does it in TensorFlow (the same
padding conventions): Viterbi paths (float32, step for step) and tag marginals.

Shapes: emissions [batch, time, K], mask [batch, time] (bool, left-aligned),
transitions [K, K] (from, to), start and end [K].
"""

from __future__ import annotations

import numpy as np


def viterbi(emissions, mask, transitions, start, end) -> np.ndarray:
    """Best tag sequence per row, [batch, time] int (0 on padding)."""
    batch, steps, tags = emissions.shape
    padded = not mask.all()  # one text, or rows of one length: no step to skip
    delta = start + emissions[:, 0]
    pointers = np.zeros((steps, batch, tags), dtype="int64")
    identity = np.broadcast_to(np.arange(tags), (batch, tags))
    for t in range(1, steps):
        candidates = delta[:, :, None] + transitions[None]
        best, following = candidates.argmax(axis=1), candidates.max(axis=1) + emissions[:, t]
        if padded:  # a padded step keeps the score and points back to the same tag
            keep = mask[:, t, None]
            best, following = np.where(keep, best, identity), np.where(keep, following, delta)
        pointers[t], delta = best, following
    path = np.zeros((batch, steps), dtype="int64")
    path[:, steps - 1] = (delta + end).argmax(axis=1)
    for t in range(steps - 1, 0, -1):
        path[:, t - 1] = pointers[t, np.arange(batch), path[:, t]]
    return np.where(mask, path, 0)


def _scaled(values: np.ndarray) -> np.ndarray:
    """Each row over tags divided by its sum."""
    return values / values.sum(axis=-1, keepdims=True)


def marginals(emissions, mask, transitions, start, end) -> np.ndarray:
    """p(tag at t = k | emissions), [batch, time, K]: the forward-backward algorithm.

    Computed in probability space, each step scaled to sum to 1 (float64): a few numpy
    calls a step instead of a log-sum-exp's dozen, which is what a long sentence's one-text
    call spends its time on. The same distribution as `ner.crf.marginals` (log space,
    float32) to about 1e-6.
    """
    batch, steps, tags = emissions.shape
    padded = not mask.all()
    emissions = emissions.astype("float64")
    # Constant shifts (per row and step, or of a whole matrix) cancel in the scaling.
    emitted = np.exp(emissions - emissions.max(axis=-1, keepdims=True))
    following = np.exp(transitions.astype("float64") - transitions.max())
    backward = following.T.copy()
    first = start + emissions[:, 0]
    alphas = np.zeros((steps, batch, tags))
    alphas[0] = _scaled(np.exp(first - first.max(axis=-1, keepdims=True)))
    for t in range(1, steps):
        alpha = _scaled((alphas[t - 1] @ following) * emitted[:, t])
        alphas[t] = np.where(mask[:, t, None], alpha, alphas[t - 1]) if padded else alpha
    betas = np.zeros_like(alphas)
    betas[steps - 1] = _scaled(np.broadcast_to(np.exp(end.astype("float64") - end.max()), (batch, tags)))
    for t in range(steps - 2, -1, -1):
        beta = _scaled((emitted[:, t + 1] * betas[t + 1]) @ backward)
        betas[t] = np.where(mask[:, t + 1, None], beta, betas[t + 1]) if padded else beta
    return _scaled(alphas * betas).transpose(1, 0, 2).astype("float32")
