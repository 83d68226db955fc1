"""Weight initialisers and the random draws they share: the arrays both front ends start from.

`passos.keras.initializers` gives them Keras 2's names, defaults and serialization;
`passos.compat.v1` wraps them as TF1's. Draws come from `passos.random` (or a generator seeded
with `seed=`), so `passos.random.seed(n)` makes initialisation reproducible.

>>> RandomUniform(-1.0, 1.0, seed=0)((2, 3)).shape
(2, 3)
"""
import numpy as np

from .ops import random as passos_random


def compute_fans(shape):
    """(fan_in, fan_out): Dense (in, out); conv kernels (..., in, out) times the window size."""
    if len(shape) < 2:
        return (shape[0], shape[0]) if len(shape) else (1, 1)
    receptive = int(np.prod(shape[:-2]))
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base: `init(shape, dtype)` returns a NumPy array."""

    def __call__(self, shape, dtype="float32"):
        raise NotImplementedError

    def get_config(self):
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def _rng(self):
        seed = getattr(self, "seed", None)
        return passos_random.generator() if seed is None else np.random.default_rng(seed)


class Zeros(Initializer):
    def __call__(self, shape, dtype="float32"):
        return np.zeros(shape, dtype)


class Ones(Initializer):
    def __call__(self, shape, dtype="float32"):
        return np.ones(shape, dtype)


class Constant(Initializer):
    def __init__(self, value=0):
        self.value = value

    def __call__(self, shape, dtype="float32"):
        return np.full(shape, self.value, dtype)


class RandomNormal(Initializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype="float32"):
        return self._rng().normal(self.mean, self.stddev, shape).astype(dtype)


class RandomUniform(Initializer):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype="float32"):
        return self._rng().uniform(self.minval, self.maxval, shape).astype(dtype)


class TruncatedNormal(RandomNormal):
    def __call__(self, shape, dtype="float32"):
        return passos_random.truncated_normal(self._rng(), self.mean, self.stddev, shape).astype(dtype)


class VarianceScaling(Initializer):
    """Variance scale / n, n = fan_in, fan_out or their mean; truncated normal or uniform."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="normal", seed=None):
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"VarianceScaling: mode must be 'fan_in', 'fan_out' or 'fan_avg', "
                             f"got {mode!r}")
        if distribution not in ("normal", "truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(f"VarianceScaling: unknown distribution {distribution!r}")
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def __call__(self, shape, dtype="float32"):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        rng = self._rng()
        if self.distribution == "uniform":
            limit = np.sqrt(3.0 * variance)
            return rng.uniform(-limit, limit, shape).astype(dtype)
        if self.distribution == "untruncated_normal":
            return rng.normal(0.0, np.sqrt(variance), shape).astype(dtype)
        # 0.8796...: the stddev of a unit normal truncated at two standard deviations
        stddev = np.sqrt(variance) / 0.87962566103423978
        return passos_random.truncated_normal(rng, 0.0, stddev, shape).astype(dtype)


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix from the QR decomposition of a normal sample, times `gain`."""

    def __init__(self, gain=1.0, seed=None):
        self.gain, self.seed = gain, seed

    def __call__(self, shape, dtype="float32"):
        rows = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
        cols = shape[-1]
        sample = self._rng().normal(0.0, 1.0, (max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(sample)
        q *= np.sign(np.diag(r))
        q = q if rows >= cols else q.T
        return (self.gain * q[:rows, :cols]).reshape(shape).astype(dtype)


class Identity(Initializer):
    """gain times the identity matrix (2-D shapes only)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype="float32"):
        if len(shape) != 2:
            raise ValueError(f"Identity initializer needs a 2-D shape, got {tuple(shape)}")
        return (self.gain * np.eye(*shape)).astype(dtype)
