"""Information theory of discrete distributions: entropy, KL divergence, cross-entropy.

In bits by default (base 2), as the course computes them; base=math.e gives nats.

>>> round(entropy([0.8, 0.2]), 2)
0.72
>>> round(kl_divergence([0.8, 0.2], [0.5, 0.5]), 2)
0.28
"""
import math

import numpy as np


def _distribution(name, p):
    p = np.asarray(getattr(p, "data", p), dtype=np.float64)
    if p.ndim == 0 or np.any(p < 0) or not np.allclose(p.sum(axis=-1), 1.0, atol=1e-6):
        raise ValueError(f"{name}: expected probabilities >= 0 summing to 1 along the last "
                         f"axis, got {np.round(p, 6).tolist()}")
    return p


def _log(x, base):
    with np.errstate(divide="ignore"):
        return np.log(x) / math.log(base)


def _result(value):
    value = value + 0.0  # -0.0 (from -sum of zeros) reads as 0.0
    return float(value) if np.ndim(value) == 0 else value


def entropy(p, base=2):
    """H(p) = -sum p log p; terms with p = 0 count as 0."""
    p = _distribution("entropy", p)
    return _result(-np.sum(np.where(p > 0, p * _log(np.where(p > 0, p, 1), base), 0), axis=-1))


def _pair(name, p, q):
    p, q = _distribution(name, p), _distribution(name, q)
    if p.shape != q.shape:
        raise ValueError(f"{name}: p has shape {p.shape} but q has shape {q.shape}")
    return p, q


def cross_entropy(p, q, base=2):
    """H(p, q) = -sum p log q = H(p) + D_KL(p || q); infinite where q = 0 < p."""
    p, q = _pair("cross_entropy", p, q)
    return _result(-np.sum(np.where(p > 0, p * _log(np.where(p > 0, q, 1), base), 0), axis=-1))


def kl_divergence(p, q, base=2):
    """D_KL(p || q) = sum p log(p / q): the extra cost of coding p with a code built for q."""
    p, q = _pair("kl_divergence", p, q)
    return _result(cross_entropy(p, q, base) - entropy(p, base))
