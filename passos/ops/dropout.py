"""Inverted dropout: zero each value with probability `rate`, scale the rest by 1 / (1 - rate)."""
import numpy as np

from ..core.apply import apply
from ..core.op import Op
from . import random as passos_random


class Dropout(Op):
    """A fresh random mask on every run (eager call or graph plan step), from `passos.random`."""

    kind = "dropout"
    formulas = ("∂dropout(x)/∂x = mask: 0 where dropped, 1/(1-rate) where kept",)
    elementwise = True
    saves = True

    def __init__(self, rate, noise_shape=None):
        if not 0 <= rate < 1:
            raise ValueError(f"dropout: rate must be in [0, 1), got {rate}")
        self.rate = rate
        self.noise_shape = noise_shape

    def forward(self, x):
        shape = np.shape(x) if self.noise_shape is None else tuple(
            d if n is None else n for d, n in zip(np.shape(x), self.noise_shape))
        dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
        mask = np.empty(shape, dtype)
        np.greater_equal(_random_bits(mask.size).reshape(shape), self._threshold(), out=mask)
        mask *= dtype.type(1.0 / (1.0 - self.rate))
        return x * mask, mask

    def _threshold(self):
        """Raw 32-bit draws at or above this keep their value: probability 1 - rate."""
        return np.uint32(min(round(self.rate * 2**32), 2**32 - 1))

    def vjp(self, gy, xs, y, saved, needs):
        return (gy * saved,)

    def shape(self, x):
        return x


def _random_bits(n):
    """n uniform uint32 draws from the shared generator's raw bits.

    Drawn straight from the bit generator: 2.5x faster than uniform floats,
    which dropout would only compare with the rate.
    """
    raw = passos_random.generator().bit_generator.random_raw((n + 1) // 2)
    return raw.view(np.uint32)[:n]


def dropout(x, rate, noise_shape=None, name=None):
    """x with a random fraction `rate` of its values zeroed and the rest scaled up (training only)."""
    return apply(Dropout(rate, noise_shape), x, name=name)
