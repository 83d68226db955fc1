"""Constructors: zeros, ones, full, arange, and the *_like versions (which also build graph nodes)."""
import numpy as np

from .. import arguments
from ..core.apply import apply
from ..core.dtypes import DEFAULT_FLOAT, as_dtype
from ..core.op import Op
from ..core.registry import register
from ..core.tensor import Tensor


def _shape(shape, who):
    return arguments.shape((shape,) if arguments.is_int(shape) else shape, who, "shape",
                           minimum=0, unknown=False)


@register("passos", differentiable=False)
def zeros(shape, dtype=None, requires_grad=False):
    """A tensor of zeros (float32 unless `dtype` says)."""
    return Tensor(np.zeros(_shape(shape, "zeros"), as_dtype(dtype) or DEFAULT_FLOAT), requires_grad)


@register("passos", differentiable=False)
def ones(shape, dtype=None, requires_grad=False):
    """A tensor of ones (float32 unless `dtype` says)."""
    return Tensor(np.ones(_shape(shape, "ones"), as_dtype(dtype) or DEFAULT_FLOAT), requires_grad)


@register("passos", differentiable=False)
def full(shape, fill_value, dtype=None, requires_grad=False):
    """A tensor filled with `fill_value` (float32 for float values unless `dtype` says)."""
    dtype = as_dtype(dtype) or (DEFAULT_FLOAT if isinstance(fill_value, float) else None)
    return Tensor(np.full(_shape(shape, "full"), fill_value, dtype), requires_grad)


@register("passos", differentiable=False)
def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in [start, stop), like numpy.arange (floats become float32)."""
    values = np.arange(start, stop, step) if stop is not None else np.arange(start)
    dtype = as_dtype(dtype) or (DEFAULT_FLOAT if values.dtype.kind == "f" else None)
    return Tensor(values.astype(dtype) if dtype is not None else values)


class FilledLike(Op):
    """A tensor shaped like its input, filled with a constant (no gradient)."""

    differentiable = False

    def __init__(self, value, dtype=None):
        self.kind = "zeros_like" if value == 0 else "ones_like"
        self.value = value
        self.to = as_dtype(dtype)

    def attrs(self):
        return {"dtype": None if self.to is None else str(self.to)}

    def forward(self, x):
        return np.full(np.shape(x), self.value, self.to or np.asarray(x).dtype)

    def shape(self, x):
        return x

    def dtype(self, x):
        return self.to or np.dtype(x)


@register("passos", differentiable=False)
def zeros_like(x, dtype=None, name=None):
    """Zeros with the shape (and dtype, unless given) of `x`."""
    return apply(FilledLike(0, dtype), x, name=name)


@register("passos", differentiable=False)
def ones_like(x, dtype=None, name=None):
    """Ones with the shape (and dtype, unless given) of `x`."""
    return apply(FilledLike(1, dtype), x, name=name)
