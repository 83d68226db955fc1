"""Reductions over axes: sum, mean, max, min (NumPy-style axis/keepdims), argmax, argmin."""
import numpy as np

from ..core.apply import apply
from ..core.op import Op
from ..core.registry import register
from ..core.shapes import normalize_axis, reduced_shape


class Reduction(Op):
    """Reduce `axis` (None = all) of one input; keepdims as in NumPy."""

    def __init__(self, axis=None, keepdims=False):
        self.axis = axis if axis is None or isinstance(axis, int) else tuple(axis)
        self.keepdims = keepdims

    def shape(self, x):
        return reduced_shape(x, normalize_axis(self.kind, self.axis, len(x)), self.keepdims)

    def _expand(self, g, x):
        """`g` with the reduced axes put back as size-1 dimensions."""
        if self.keepdims:
            return g
        if self.axis is None:
            return np.reshape(g, (1,) * np.ndim(x))
        return np.expand_dims(g, normalize_axis(self.kind, self.axis, np.ndim(x)))


class Sum(Reduction):
    kind = "sum"
    formulas = ("∂sum(x)/∂x = 1 (broadcast)",)

    def forward(self, x):
        return np.sum(x, axis=self.axis, keepdims=self.keepdims)

    def vjp(self, gy, xs, y, saved, needs):
        x = xs[0]
        return (np.broadcast_to(self._expand(gy, x), np.shape(x)),)


class Mean(Reduction):
    kind = "mean"
    formulas = ("∂mean(x)/∂x = 1/n (broadcast)",)

    def forward(self, x):
        x = np.asarray(x)
        if x.dtype.kind not in "fc" or not x.size:
            return np.mean(x, axis=self.axis, keepdims=self.keepdims)
        total = x.sum(axis=self.axis, keepdims=self.keepdims)  # faster than np.mean's dispatch
        return total / (x.size // total.size)

    def dtype(self, x):
        return x if np.dtype(x).kind in "fc" else np.dtype(np.float64)

    def vjp(self, gy, xs, y, saved, needs):
        x = xs[0]
        count = np.size(x) // (np.size(y) or 1)  # builtins max/min are shadowed here
        if self.axis is None:  # one value spread over x: a single fill
            return (np.full(np.shape(x), gy / count, gy.dtype),)
        return (np.broadcast_to(self._expand(gy / count, x), np.shape(x)),)


class Extreme(Reduction):
    """max or min; tied extremes share the gradient equally (as torch.amax)."""

    def __init__(self, kind, axis=None, keepdims=False):
        super().__init__(axis, keepdims)
        self.kind = kind
        self.reduce = np.max if kind == "max" else np.min

    def attrs(self):
        return {"axis": self.axis, "keepdims": self.keepdims}

    @property
    def formulas(self):
        extreme = "maximum" if self.kind == "max" else "minimum"
        return (f"∂{self.kind}(x)/∂x = 1 at the {extreme} (tied {extreme[:3]}ima share), else 0",)

    def forward(self, x):
        return self.reduce(x, axis=self.axis, keepdims=self.keepdims)

    def vjp(self, gy, xs, y, saved, needs):
        x = xs[0]
        hit = np.equal(x, self._expand(y, x))
        g = self._expand(gy, x)
        count = np.sum(hit, axis=self.axis, keepdims=True, dtype=g.dtype)
        return (hit * (g / count),)


class ArgExtreme(Op):
    """Index of the largest (argmax) or smallest (argmin) value along an axis."""

    differentiable = False

    def __init__(self, kind, axis=None):
        self.kind = kind
        self.axis = axis
        self.find = np.argmax if kind == "argmax" else np.argmin

    def attrs(self):
        return {"axis": self.axis}

    def forward(self, x):
        return self.find(x, axis=self.axis)

    def shape(self, x):
        if self.axis is None:
            return ()
        return reduced_shape(x, normalize_axis(self.kind, self.axis, len(x)), False)

    def dtype(self, x):
        return np.dtype(np.int64)


@register("passos")
def sum(x, axis=None, keepdims=False, name=None):  # noqa: A001 - the NumPy name
    """Sum over `axis` (an int, a tuple, or None for all)."""
    return apply(Sum(axis, keepdims), x, name=name)


@register("passos")
def mean(x, axis=None, keepdims=False, name=None):
    """Mean over `axis` (an int, a tuple, or None for all)."""
    return apply(Mean(axis, keepdims), x, name=name)


@register("passos")
def max(x, axis=None, keepdims=False, name=None):  # noqa: A001 - the NumPy name
    """Largest value over `axis`; tied maxima share the gradient."""
    return apply(Extreme("max", axis, keepdims), x, name=name)


@register("passos")
def min(x, axis=None, keepdims=False, name=None):  # noqa: A001 - the NumPy name
    """Smallest value over `axis`; tied minima share the gradient."""
    return apply(Extreme("min", axis, keepdims), x, name=name)


@register("passos", differentiable=False)
def argmax(x, axis=None, name=None):
    """Index of the largest value along `axis` (flattened when None)."""
    return apply(ArgExtreme("argmax", axis), x, name=name)


@register("passos", differentiable=False)
def argmin(x, axis=None, name=None):
    """Index of the smallest value along `axis` (flattened when None)."""
    return apply(ArgExtreme("argmin", axis), x, name=name)
