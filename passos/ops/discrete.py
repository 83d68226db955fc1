"""Ops without a gradient: sign, round, stop_gradient and the run-time shape of a tensor.

Their outputs change in steps (sign, round), or are meant to block the
gradient (stop_gradient), or are integers (shape): backward stops at them,
as in TensorFlow and PyTorch, where their gradient is zero.
"""
import numpy as np

from ..core.apply import apply
from ..core.op import ElementwiseOp, Op


class Sign(ElementwiseOp):
    kind = "sign"
    differentiable = False

    def forward(self, x):
        return np.sign(x)


class Round(ElementwiseOp):
    """Round to the nearest integer, halves to even (NumPy's and TensorFlow's rule)."""

    kind = "round"
    differentiable = False

    def forward(self, x):
        return np.round(x)


class StopGradient(ElementwiseOp):
    """The value of x, with no gradient flowing back through it."""

    kind = "stop_gradient"
    differentiable = False

    def forward(self, x):
        return np.array(x, copy=True)


class ShapeOf(Op):
    """The shape of x at run time, as a 1-D int32 array."""

    kind = "shape"
    differentiable = False

    def forward(self, x):
        return np.asarray(np.shape(x), np.int32)

    def shape(self, x):
        return (len(x),)

    def dtype(self, *dtypes):
        return np.dtype(np.int32)


SIGN, ROUND, STOP_GRADIENT, SHAPE_OF = Sign(), Round(), StopGradient(), ShapeOf()


def sign(x, name=None):
    """-1, 0 or 1 by the sign of each element (no gradient)."""
    return apply(SIGN, x, name=name)


def round(x, name=None):  # noqa: A001 - the NumPy name
    """The nearest integer, halves to even, elementwise (no gradient)."""
    return apply(ROUND, x, name=name)


def stop_gradient(x, name=None):
    """x itself, treated as a constant by backward."""
    return apply(STOP_GRADIENT, x, name=name)


def shape_of(x, name=None):
    """The run-time shape of x as an int32 vector (known even where the static shape has None)."""
    return apply(SHAPE_OF, x, name=name)
