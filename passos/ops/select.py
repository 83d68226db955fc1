"""Picking values by position along an axis: take_along_axis (PyTorch's gather, NumPy's
take_along_axis), top_k (the k largest of the last axis, with their indices) and in_top_k.

take_along_axis is differentiable in x: the gradient scatters back, a place picked twice
receiving both gradients. The indices top_k and in_top_k find have no gradient (as in
TensorFlow and PyTorch); top_k's values are take_along_axis of them, so they have one.
"""
import numpy as np

from ..core.apply import apply
from ..core.op import Op
from ..core.registry import register
from ..core.shapes import ShapeError, describe, normalize_axis
from .gather import _as_indices


class TakeAlongAxis(Op):
    """y[..., j, ...] = x[..., indices[..., j, ...], ...] along `axis`; x and indices have
    the same rank, and y the shape of the indices."""

    kind = "take_along_axis"
    formulas = ("∂y/∂x: gy added back at each picked place (scatter-add)", "indices: no gradient")

    def __init__(self, axis=-1):
        self.axis = axis

    def _checked(self, x, indices):
        axis = normalize_axis(self.kind, self.axis, np.ndim(x))[0]
        return axis, _as_indices(indices, np.shape(x), axis, self.kind)

    def forward(self, x, indices):
        axis, indices = self._checked(x, indices)
        return np.take_along_axis(x, indices, axis)

    def vjp(self, gy, xs, y, saved, needs):
        x, indices = xs
        axis, indices = self._checked(x, indices)
        places = list(np.ix_(*(np.arange(n) for n in indices.shape)))
        places[axis] = indices
        g = np.zeros(np.shape(x), gy.dtype)
        np.add.at(g, tuple(places), gy)
        return g, None

    def shape(self, x, indices):
        axis = normalize_axis(self.kind, self.axis, len(x))[0]
        if len(indices) != len(x) or any(
                i != axis and None not in (a, b) and a != b and b != 1
                for i, (a, b) in enumerate(zip(x, indices))):
            raise ShapeError(f"{self.kind}: indices of shape {describe(indices)} must have the "
                             f"rank of x {describe(x)} and its sizes off axis {axis}")
        return tuple(indices)

    def dtype(self, x, indices):
        return x


class TopKIndices(Op):
    """The indices of the k largest values along the last axis, largest first (ties: the
    lower index first, as TensorFlow and PyTorch order them)."""

    kind = "top_k_indices"
    differentiable = False

    def __init__(self, k):
        self.k = k

    def forward(self, x):
        self.shape(np.shape(x))
        order = np.argsort(-np.asarray(x), axis=-1, kind="stable")
        return np.ascontiguousarray(order[..., :self.k], dtype=np.int32)

    def shape(self, x):
        if not x:
            raise ShapeError(f"top_k: needs at least 1-D input, got shape {describe(x)}")
        if x[-1] is not None and x[-1] < self.k:
            raise ShapeError(f"top_k: k = {self.k} is more than the {x[-1]} values of the last "
                             f"axis (input of shape {describe(x)})")
        return (*x[:-1], self.k)

    def dtype(self, x):
        return np.dtype(np.int32)


class InTopK(Op):
    """Whether each row's target class is among its k largest predictions (TF1's rule: ties
    at the boundary count as in; a target out of range or a non-finite prediction, not)."""

    kind = "in_top_k"
    differentiable = False

    def __init__(self, k):
        self.k = k

    def forward(self, predictions, targets):
        self.shape(np.shape(predictions), np.shape(targets))
        p, t = np.asarray(predictions), np.asarray(targets).astype(np.int64)
        valid = (t >= 0) & (t < p.shape[1])
        value = p[np.arange(len(p)), np.where(valid, t, 0)]
        above = (p > value[:, None]).sum(axis=1)
        return valid & np.isfinite(value) & (above < self.k)

    def shape(self, predictions, targets):
        if len(predictions) != 2 or len(targets) != 1 or None not in (predictions[0], targets[0]) \
                and predictions[0] != targets[0]:
            raise ShapeError(f"in_top_k: expects predictions (batch, classes) and targets "
                             f"(batch,), got shapes {describe(predictions)} and "
                             f"{describe(targets)}")
        return tuple(targets)

    def dtype(self, predictions, targets):
        return np.dtype(bool)


def _k(k, who):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"{who}: k must be a positive integer, got {k!r}")
    return int(k)


@register("passos")
def take_along_axis(x, indices, axis=-1, name=None):
    """x's values at `indices` along `axis` (indices of x's rank); differentiable in x.

    >>> import numpy as np, passos
    >>> passos.take_along_axis(np.array([[1.0, 5.0, 3.0]]), np.array([[1, 1, 0]])).numpy()
    array([[5., 5., 1.]])
    """
    return apply(TakeAlongAxis(axis), x, indices, name=name)


@register("passos", differentiable=False)
def top_k(x, k=1, name=None):
    """(values, indices) of the k largest entries of x's last axis, largest first; the
    values have a gradient (through take_along_axis), the int32 indices none.

    >>> import numpy as np, passos
    >>> values, indices = passos.top_k(np.array([[1.0, 5.0, 3.0]]), k=2)
    >>> values.numpy(), indices.numpy()
    (array([[5., 3.]]), array([[1, 2]], dtype=int32))
    """
    indices = apply(TopKIndices(_k(k, "top_k")), x, name=name)
    return take_along_axis(x, indices, -1), indices


@register("passos", differentiable=False)
def in_top_k(predictions, targets, k, name=None):
    """True where targets[i] is among the k largest of predictions[i] (TF1's tf.nn.in_top_k).

    >>> import numpy as np, passos
    >>> passos.in_top_k(np.array([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]]), np.array([2, 2]), 2).numpy()
    array([ True,  True])
    """
    return apply(InTopK(_k(k, "in_top_k")), predictions, targets, name=name)
