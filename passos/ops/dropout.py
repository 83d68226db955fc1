"""Inverted dropout, the one op behind Keras' `Dropout` layer and TF1's `tf.nn.dropout`.

Each value is zeroed with probability `rate` and the rest scaled by 1 / (1 - rate), so the
expected value is unchanged. The rate is an input, so TF1 can feed it (`keep_prob`).

>>> import numpy as np, passos
>>> passos.random.seed(0)
>>> y = dropout(passos.tensor(np.ones(8)), 0.5).numpy()
>>> sorted(set(y.tolist()))
[0.0, 2.0]
"""
import numpy as np

from .. import arguments
from ..core.apply import apply
from ..core.op import Op
from ..core.shapes import ShapeError, describe
from . import random as passos_random


class Dropout(Op):
    """x * mask, with a fresh random mask on every run (eager call or plan step).

    The mask has the shape of x, or `noise_shape` (None taken from x, 1 shared along that
    axis). Draws come from `passos.random`, or, with `seed`, from the op's own stream: a Keras
    layer or a TF1 node keeps one op, so the same seed gives the same masks through either.
    """

    kind = "dropout"
    formulas = ("∂dropout(x)/∂x = mask: 0 where dropped, 1/(1-rate) where kept",)
    elementwise = True
    saves = True

    def __init__(self, noise_shape=None, seed=None):
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self._stream = None if seed is None else passos_random.stream(seed)

    def attrs(self):
        return {"noise_shape": self.noise_shape, "seed": self.seed}

    def forward(self, x, rate):
        rate = float(rate)
        if not 0 <= rate < 1:
            raise ValueError(f"dropout: rate must be in [0, 1) (keep_prob in (0, 1]), got {rate}")
        x = np.asarray(x)
        if x.dtype.kind != "f":
            x = x.astype(np.float32)
        if rate == 0:  # nothing dropped (keep_prob fed as 1.0): the values pass exactly
            return x, x.dtype.type(1)
        shape = x.shape if self.noise_shape is None else tuple(
            d if n is None else n for d, n in zip(x.shape, self.noise_shape))
        mask = np.empty(shape, x.dtype)
        bits = passos_random.bits(mask.size, self._stream).reshape(shape)
        # raw 32-bit draws at or above the threshold are kept: probability 1 - rate
        np.greater_equal(bits, np.uint32(min(round(rate * 2**32), 2**32 - 1)), out=mask)
        mask *= x.dtype.type(1.0 / (1.0 - rate))
        return x * mask, mask

    def vjp(self, gy, xs, y, saved, needs):
        return gy * saved, None

    def shape(self, x, rate):
        if len(rate) != 0:
            raise ShapeError(f"dropout: the rate (or keep_prob) must be a scalar, got shape "
                             f"{describe(rate)}")
        noise = self.noise_shape
        if noise is not None and (len(noise) != len(x) or any(
                n not in (None, 1) and d is not None and n != d for d, n in zip(x, noise))):
            raise ShapeError(f"dropout: noise_shape {describe(noise)} does not fit inputs of "
                             f"shape {describe(x)}; use 1 (shared) or None (from x) per axis")
        return x

    def dtype(self, x, rate):
        return x if np.dtype(x).kind == "f" else np.dtype(np.float32)


def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """x with a random fraction `rate` of its values zeroed and the rest scaled up.

    With `seed` each call's op starts its own stream; a `keras.layers.Dropout` keeps one op.
    """
    if not hasattr(rate, "shape"):  # a number: check it now rather than at the first run
        rate = arguments.number(rate, "dropout", "rate", 0, 1)
    return apply(Dropout(noise_shape, seed), x, rate, name=name)
