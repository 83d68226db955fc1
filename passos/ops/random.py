"""Seeded random numbers: one generator behind initialisers, dropout and shuffling.

>>> import passos
>>> passos.random.seed(0); a = passos.random.normal((2,)).numpy()
>>> passos.random.seed(0); bool((a == passos.random.normal((2,)).numpy()).all())
True
"""
import numpy as np

from ..core.dtypes import DEFAULT_FLOAT, as_dtype
from ..core.tensor import Tensor

_state = {"rng": np.random.default_rng()}


def seed(n):
    """Make every later random draw reproducible."""
    _state["rng"] = np.random.default_rng(n)


def generator():
    """The shared NumPy Generator (for layers, dropout and data shuffling)."""
    return _state["rng"]


def stream(seed):
    """A generator of its own for an op built with `seed` (a seeded dropout's masks)."""
    return np.random.default_rng(seed)


def bits(n, rng=None):
    """n uniform uint32 draws from the raw bits of `rng` (the shared generator by default).

    2.5x faster than uniform floats, which dropout would only compare with its rate.
    """
    raw = (_state["rng"] if rng is None else rng).bit_generator.random_raw((n + 1) // 2)
    return raw.view(np.uint32)[:n]


def truncated_normal(rng, mean, stddev, shape):
    """Normal samples, redrawn until all lie within two standard deviations of the mean."""
    values = rng.normal(0.0, 1.0, shape)
    outside = np.abs(values) > 2
    while outside.any():
        values[outside] = rng.normal(0.0, 1.0, int(outside.sum()))
        outside = np.abs(values) > 2
    return mean + stddev * values


def _shape(shape):
    return (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(shape)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, requires_grad=False):
    """Samples of N(mean, stddev**2), float32 unless `dtype` says."""
    values = _state["rng"].normal(mean, stddev, _shape(shape))
    return Tensor(values.astype(as_dtype(dtype) or DEFAULT_FLOAT), requires_grad)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, requires_grad=False):
    """Samples uniform in [minval, maxval), float32 unless `dtype` says."""
    values = _state["rng"].uniform(minval, maxval, _shape(shape))
    return Tensor(values.astype(as_dtype(dtype) or DEFAULT_FLOAT), requires_grad)
