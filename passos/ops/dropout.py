"""Inverted dropout: zero each value with probability `rate`, scale the rest by 1 / (1 - rate)."""
import numpy as np

from ..core.apply import apply
from ..core.op import Op
from . import random as passos_random


class Dropout(Op):
    """A fresh random mask on every run (eager call or graph plan step), from `passos.random`."""

    kind = "dropout"
    saves = True

    def __init__(self, rate, noise_shape=None):
        if not 0 <= rate < 1:
            raise ValueError(f"dropout: rate must be in [0, 1), got {rate}")
        self.rate = rate
        self.noise_shape = noise_shape

    def forward(self, x):
        shape = np.shape(x) if self.noise_shape is None else tuple(
            d if n is None else n for d, n in zip(np.shape(x), self.noise_shape))
        keep = passos_random.generator().random(shape, dtype=np.float32) >= self.rate
        scale = np.asarray(1.0 / (1.0 - self.rate), dtype=np.asarray(x).dtype)
        mask = keep * scale
        return x * mask, mask

    def vjp(self, gy, xs, y, saved, needs):
        return (gy * saved,)

    def shape(self, x):
        return x


def dropout(x, rate, noise_shape=None, name=None):
    """x with a random fraction `rate` of its values zeroed and the rest scaled up (training only)."""
    return apply(Dropout(rate, noise_shape), x, name=name)
