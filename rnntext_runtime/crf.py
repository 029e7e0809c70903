"""Linear-chain CRF decoding in numpy, step for step as `ner.crf` does it in TensorFlow
(float32; the same padding conventions): Viterbi paths and tag marginals.

Shapes: emissions [batch, time, K], mask [batch, time] (bool, left-aligned),
transitions [K, K] (from, to), start and end [K].
"""

from __future__ import annotations

import numpy as np


def _logsumexp(values: np.ndarray, axis: int) -> np.ndarray:
    top = values.max(axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0).astype(values.dtype)
    return (np.log(np.exp(values - top).sum(axis=axis)) + np.squeeze(top, axis)).astype(values.dtype)


def viterbi(emissions, mask, transitions, start, end) -> np.ndarray:
    """Best tag sequence per row, [batch, time] int (0 on padding)."""
    batch, steps, tags = emissions.shape
    delta = start + emissions[:, 0]
    pointers = np.zeros((steps, batch, tags), dtype="int64")
    identity = np.broadcast_to(np.arange(tags), (batch, tags))
    for t in range(1, steps):
        candidates = delta[:, :, None] + transitions[None]
        keep = mask[:, t, None]
        pointers[t] = np.where(keep, candidates.argmax(axis=1), identity)
        delta = np.where(keep, candidates.max(axis=1) + emissions[:, t], delta)
    path = np.zeros((batch, steps), dtype="int64")
    path[:, steps - 1] = (delta + end).argmax(axis=1)
    for t in range(steps - 1, 0, -1):
        path[:, t - 1] = pointers[t, np.arange(batch), path[:, t]]
    return np.where(mask, path, 0)


def _normalized(scores: np.ndarray) -> np.ndarray:
    return (scores - _logsumexp(scores, axis=-1)[..., None]).astype(scores.dtype)


def _softmax(scores: np.ndarray) -> np.ndarray:
    exp = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return (exp / exp.sum(axis=-1, keepdims=True)).astype(scores.dtype)


def marginals(emissions, mask, transitions, start, end) -> np.ndarray:
    """p(tag at t = k | emissions), [batch, time, K]: scaled forward-backward, as `ner.crf.marginals`."""
    batch, steps, tags = emissions.shape
    alphas = np.zeros((steps, batch, tags), dtype=emissions.dtype)
    alphas[0] = _normalized(start + emissions[:, 0])
    for t in range(1, steps):
        following = _logsumexp(alphas[t - 1][:, :, None] + transitions[None], axis=1) + emissions[:, t]
        alphas[t] = np.where(mask[:, t, None], _normalized(following), alphas[t - 1])
    betas = np.zeros_like(alphas)
    betas[steps - 1] = _normalized(np.broadcast_to(end, (batch, tags)).astype(emissions.dtype))
    for t in range(steps - 2, -1, -1):
        previous = _logsumexp(transitions[None] + (emissions[:, t + 1] + betas[t + 1])[:, None, :], axis=2)
        betas[t] = np.where(mask[:, t + 1, None], _normalized(previous), betas[t + 1])
    return _softmax(alphas + betas).transpose(1, 0, 2)
