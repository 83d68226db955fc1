"""Gather: rows of a table picked by integer indices (Keras' Embedding, TF's gather).

The gradient scatters back: each picked row receives the output gradient of every place
that picked it, added (a row picked twice gets both).
"""
import numpy as np

from ..core.apply import apply
from ..core.op import Op
from ..core.registry import register
from ..core.shapes import ShapeError, describe, normalize_axis


def _as_indices(indices, params_shape, axis, kind):
    """`indices` as integers checked against the `axis` size, or a ValueError naming the culprit."""
    indices = np.asarray(indices)
    if indices.dtype.kind == "f":  # Keras feeds token ids as floats; whole numbers only
        whole = indices.astype(np.int64)
        if not np.array_equal(whole, indices):
            raise ValueError(f"{kind}: indices must be whole numbers, got {indices.ravel()[:5]}")
        indices = whole
    elif indices.dtype.kind not in "iu":
        raise ValueError(f"{kind}: indices must be integers, got dtype {indices.dtype}")
    rows = params_shape[axis]
    bad = (indices < 0) | (indices >= rows)
    if bad.any():
        raise ValueError(f"{kind}: index {indices[bad].ravel()[0]} is out of range for axis "
                         f"{axis} of size {rows} (params of shape {params_shape}); indices run "
                         f"from 0 to {rows - 1}")
    return indices


class Gather(Op):
    """y = params[..., indices, ...] at axis `axis`: shape params[:axis] + indices + params[axis+1:]."""

    kind = "gather"
    formulas = ("∂y/∂params: gy added back into each picked row (scatter-add)",
                "indices: no gradient")

    def __init__(self, axis=0):
        self.axis = axis

    def _axis(self, rank):
        return normalize_axis(self.kind, self.axis, rank)[0]

    def forward(self, params, indices):
        axis = self._axis(params.ndim)
        return np.take(params, _as_indices(indices, params.shape, axis, self.kind), axis=axis)

    def vjp(self, gy, xs, y, saved, needs):
        params, indices = xs
        axis = self._axis(params.ndim)
        indices = _as_indices(indices, params.shape, axis, self.kind)
        g = np.zeros(params.shape, gy.dtype)
        lead = tuple(range(axis, axis + indices.ndim))
        np.add.at(np.moveaxis(g, axis, 0), indices,
                  np.moveaxis(gy, lead, tuple(range(indices.ndim))))
        return g, None

    def shape(self, params, indices):
        if not params:
            raise ShapeError(f"{self.kind}: cannot gather from a scalar (params of shape "
                             f"{describe(params)})")
        axis = self._axis(len(params))
        return tuple(params[:axis]) + tuple(indices) + tuple(params[axis + 1:])

    def dtype(self, params, indices):
        return params


@register("passos")
def gather(params, indices, axis=0, name=None):
    """params' slices at integer `indices` along `axis`; differentiable in params.

    >>> import numpy as np, passos
    >>> passos.gather(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), [2, 0, 2]).numpy()
    array([[5., 6.],
           [1., 2.],
           [5., 6.]])
    """
    return apply(Gather(axis), params, indices, name=name)
