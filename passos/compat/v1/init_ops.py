"""TF1 initializers (tf.zeros_initializer(), tf.random_normal_initializer(...) ...), with TF1's defaults.

Each is called as `init(shape, dtype=None, partition_info=None)` and returns a
NumPy array; random ones draw from `passos.random` unless given a `seed`.

>>> import passos.compat.v1 as tf
>>> tf.constant_initializer([1, 2])([2]).tolist()
[1.0, 2.0]
"""
import numpy as np

from ... import initializers as shared
from ...graph.graph import Symbol
from . import dtypes, random_ops


class Initializer:
    """Base: a TF1 initializer object with a default dtype."""

    def __init__(self, dtype=dtypes.float32):
        self.dtype = dtypes.as_dtype(dtype)

    def _dtype(self, dtype):
        return (dtypes.as_dtype(dtype) if dtype is not None else self.dtype).dtype

    def __call__(self, shape, dtype=None, partition_info=None):
        raise NotImplementedError

    def get_config(self):
        return {k: v for k, v in vars(self).items() if k != "dtype"}


class zeros_initializer(Initializer):  # noqa: N801 - the TF1 names are lowercase classes
    def __call__(self, shape, dtype=None, partition_info=None):
        return np.zeros(shape, self._dtype(dtype))


class ones_initializer(Initializer):  # noqa: N801
    def __call__(self, shape, dtype=None, partition_info=None):
        return np.ones(shape, self._dtype(dtype))


class constant_initializer(Initializer):  # noqa: N801
    """A scalar fills the shape; a list or array is reshaped to it (same number of values)."""

    def __init__(self, value=0, dtype=dtypes.float32, verify_shape=False):
        super().__init__(dtype)
        self.value = value

    def __call__(self, shape, dtype=None, partition_info=None):
        value = np.asarray(self.value, self._dtype(dtype))
        if value.size == 1:
            return np.full(shape, value.reshape(()), value.dtype)
        if value.size != int(np.prod(shape)):
            raise ValueError(f"constant_initializer: {value.size} values cannot fill shape "
                             f"{tuple(shape)}")
        return value.reshape(shape)


class _Wrapped(Initializer):
    """A TF1 initializer drawing with one of passos.initializers."""

    def __init__(self, initializer, dtype, in_graph=None):
        super().__init__(dtype)
        self._shared, self.in_graph = initializer, in_graph

    def get_config(self):
        return self._shared.get_config()

    def __call__(self, shape, dtype=None, partition_info=None):
        if self.in_graph is not None:
            return self.in_graph(shape, self._dtype(dtype))
        return self._shared(tuple(shape), self._dtype(dtype))


def _in_graph(draw, params, seed):
    """Given tensor parameters, TF1 initializers build a random op in the graph: (shape, dtype) ->
    that node; None when all are numbers (then the draw happens when the initializer runs)."""
    if not any(isinstance(v, Symbol) for v in params.values()):
        return None
    return lambda shape, dtype: draw(list(shape), dtype=dtype, seed=seed, **params)


class random_normal_initializer(_Wrapped):  # noqa: N801
    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=dtypes.float32):
        super().__init__(shared.RandomNormal(mean, stddev, seed), dtype, _in_graph(
            random_ops.random_normal, {"mean": mean, "stddev": stddev}, seed))


class truncated_normal_initializer(_Wrapped):  # noqa: N801
    """Normal samples redrawn until within two standard deviations of the mean."""

    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=dtypes.float32):
        super().__init__(shared.TruncatedNormal(mean, stddev, seed), dtype, _in_graph(
            random_ops.truncated_normal, {"mean": mean, "stddev": stddev}, seed))


class random_uniform_initializer(_Wrapped):  # noqa: N801
    """Uniform in [minval, maxval); maxval defaults to 1 (TF1)."""

    def __init__(self, minval=0, maxval=None, seed=None, dtype=dtypes.float32):
        maxval = 1.0 if maxval is None else maxval
        super().__init__(shared.RandomUniform(minval, maxval, seed), dtype, _in_graph(
            random_ops.random_uniform, {"minval": minval, "maxval": maxval}, seed))


class variance_scaling_initializer(_Wrapped):  # noqa: N801
    """scale / n (n = fan_in, fan_out or their mean); TF1 defaults: fan_in, truncated normal."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 dtype=dtypes.float32):
        super().__init__(shared.VarianceScaling(scale, mode, distribution, seed), dtype)


class orthogonal_initializer(_Wrapped):  # noqa: N801
    def __init__(self, gain=1.0, seed=None, dtype=dtypes.float32):
        super().__init__(shared.Orthogonal(gain, seed), dtype)


def glorot_uniform_initializer(seed=None, dtype=dtypes.float32):
    """Uniform in ±sqrt(6 / (fan_in + fan_out)); get_variable's default for floats."""
    return variance_scaling_initializer(1.0, "fan_avg", "uniform", seed, dtype)


def glorot_normal_initializer(seed=None, dtype=dtypes.float32):
    """Truncated normal with variance 2 / (fan_in + fan_out)."""
    return variance_scaling_initializer(1.0, "fan_avg", "truncated_normal", seed, dtype)


def he_normal(seed=None):
    return variance_scaling_initializer(2.0, "fan_in", "truncated_normal", seed)


def he_uniform(seed=None):
    return variance_scaling_initializer(2.0, "fan_in", "uniform", seed)


def lecun_normal(seed=None):
    return variance_scaling_initializer(1.0, "fan_in", "truncated_normal", seed)


def lecun_uniform(seed=None):
    return variance_scaling_initializer(1.0, "fan_in", "uniform", seed)
