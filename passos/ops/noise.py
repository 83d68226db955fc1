"""Random draws shaped like a tensor, fresh on every run: the noise of Keras' noise layers.

GaussianNoise, GaussianDropout and AlphaDropout are this op composed with arithmetic, so
their gradients come from the arithmetic ops (the noise itself has none). Draws come
from the shared generator (`passos.random`), or, with `seed`, from the op's own stream.
"""
import numpy as np

from ..core.apply import apply
from ..core.op import Op
from ..core.shapes import ShapeError, describe
from . import random as passos_random

DISTRIBUTIONS = ("normal", "uniform")


class RandomLike(Op):
    """Standard normal or uniform [0, 1) draws of x's shape (or `noise_shape`), x's float dtype."""

    kind = "random_like"
    differentiable = False

    def __init__(self, distribution, noise_shape=None, seed=None):
        if distribution not in DISTRIBUTIONS:
            raise ValueError(f"random_like: distribution must be one of {DISTRIBUTIONS}, got "
                             f"{distribution!r}")
        self.distribution = distribution
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self._stream = None if seed is None else passos_random.stream(seed)

    def attrs(self):
        return {"distribution": self.distribution, "noise_shape": self.noise_shape,
                "seed": self.seed}

    def forward(self, x):
        x = np.asarray(x)
        shape = self.shape(x.shape)
        rng = self._stream or passos_random.generator()
        draws = rng.standard_normal(shape) if self.distribution == "normal" else rng.random(shape)
        return draws.astype(self.dtype(x.dtype), copy=False)

    def shape(self, x):
        noise = self.noise_shape
        if noise is None:
            return x
        if len(noise) != len(x) or any(n not in (None, 1) and d is not None and n != d
                                       for d, n in zip(x, noise)):
            raise ShapeError(f"random_like: noise_shape {describe(noise)} does not fit inputs of "
                             f"shape {describe(x)}; use 1 (shared) or None (from x) per axis")
        return tuple(d if n is None else n for d, n in zip(x, noise))

    def dtype(self, x):
        return np.dtype(x) if np.dtype(x).kind == "f" else np.dtype(np.float32)


def random_like(x, distribution="normal", noise_shape=None, seed=None, name=None):
    """Fresh random draws shaped like `x` on every eager call or plan run (no gradient).

    Hold one op (a layer does) for a seeded sequence of draws.
    """
    return apply(RandomLike(distribution, noise_shape, seed), x, name=name)
