"""Layers that move values: RepeatVector (a vector repeated over steps) and Permute (axes reordered)."""
import numpy as np

from ... import arguments
from ...core.shapes import describe
from ...ops.movement import getitem, transpose
from ..engine.base_layer import Layer, layer_error, layer_label


class RepeatVector(Layer):
    """(batch, features) -> (batch, n, features): the input repeated n times (a decoder's input)."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = arguments.positive_int(n, layer_label(self), "n")

    def check_input(self, shape):
        if len(shape) != 2:
            raise layer_error(self, f"expects 2-D inputs (batch, features), got shape "
                                    f"{describe(shape)}")

    def call(self, x, training=False):
        steps = getitem(x, (slice(None), None))  # (batch, 1, features)
        return getitem(steps, (slice(None), np.zeros(self.n, np.intp)))  # that step n times

    def get_config(self):
        return {**super().get_config(), "n": self.n}


class Permute(Layer):
    """Reorder the non-batch axes: dims (1-based, as Keras) e.g. (2, 1) swaps steps and features."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        dims = tuple(dims) if isinstance(dims, (list, tuple)) else None
        if dims is None or sorted(dims) != list(range(1, len(dims) + 1)):
            raise layer_error(self, f"dims must be a permutation of 1 .. n (the non-batch "
                                    f"axes, 1-based), got {dims!r}")
        self.dims = dims

    def check_input(self, shape):
        if len(shape) != len(self.dims) + 1:
            raise layer_error(self, f"has dims {self.dims} for {len(self.dims)} non-batch axes, "
                                    f"got inputs of shape {describe(shape)}")

    def call(self, x, training=False):
        return transpose(x, (0,) + self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": list(self.dims)}
