"""Indexing by coordinates and by segment: gather_nd, scatter_nd and the segment reductions
(TensorFlow's tf.gather_nd, tf.scatter_nd, tf.segment_sum / tf.unsorted_segment_sum / max).

Each is the other's gradient: gather_nd's gradient scatters back (a place picked twice gets
both gradients), scatter_nd's gathers, and a segment sum's gradient gathers each row's
segment gradient. A segment max shares its gradient equally among tied maxima (as TF does).
"""
import numpy as np

from ..core.apply import apply
from ..core.op import Op
from ..core.registry import register
from ..core.shapes import ShapeError, describe


def _whole(indices, kind):
    """`indices` as int64, or a ValueError naming the op."""
    indices = np.asarray(indices)
    if indices.dtype.kind not in "iu":
        raise ValueError(f"{kind}: indices must be integers, got dtype {indices.dtype}")
    return indices.astype(np.int64, copy=False)


def _coordinates(indices, shape, kind):
    """The last axis of `indices` as a tuple of index arrays into `shape`, range-checked."""
    indices = _whole(indices, kind)
    k = indices.shape[-1] if indices.ndim else 0
    if indices.ndim == 0 or k > len(shape):
        raise ValueError(f"{kind}: indices of shape {indices.shape} need a last axis of at "
                         f"most {len(shape)} coordinates into shape {tuple(shape)}")
    bad = (indices < 0) | (indices >= np.asarray(shape[:k], np.int64))
    if bad.any():
        where = np.argwhere(bad)[0]
        raise ValueError(f"{kind}: index {indices[tuple(where)]} is out of range for axis "
                         f"{where[-1]} of size {shape[where[-1]]} (shape {tuple(shape)})")
    return tuple(np.moveaxis(indices, -1, 0))


def _nd_shape(kind, indices, table):
    """indices[:-1] + table[K:], checking K against the table's rank."""
    if not indices:
        raise ShapeError(f"{kind}: indices must be at least 1-D, got shape {describe(indices)}")
    k = indices[-1]
    if k is not None and k > len(table):
        raise ShapeError(f"{kind}: indices of shape {describe(indices)} give {k} coordinates, "
                         f"more than the rank of shape {describe(table)}")
    return tuple(indices[:-1]) + (tuple(table[k:]) if k is not None else ())


class GatherNd(Op):
    """y[i...] = params[indices[i..., 0], ..., indices[i..., K-1], ...]."""

    kind = "gather_nd"
    formulas = ("∂y/∂params: gy added back at each picked place (scatter-add)",
                "indices: no gradient")

    def forward(self, params, indices):
        return np.asarray(params)[_coordinates(indices, np.shape(params), self.kind)]

    def vjp(self, gy, xs, y, saved, needs):
        params, indices = xs
        g = np.zeros(np.shape(params), gy.dtype)
        np.add.at(g, _coordinates(indices, g.shape, self.kind), gy)
        return g, None

    def shape(self, params, indices):
        return _nd_shape(self.kind, indices, params)

    def dtype(self, params, indices):
        return params


class ScatterNd(Op):
    """y = zeros(shape) with updates added at the coordinates in indices (repeats add)."""

    kind = "scatter_nd"
    formulas = ("∂y/∂updates: gy gathered at the indices (gather_nd)", "indices: no gradient")

    def __init__(self, shape):
        self.out = tuple(int(d) for d in shape)

    def forward(self, indices, updates):
        self.shape(np.shape(indices), np.shape(updates))
        y = np.zeros(self.out, np.asarray(updates).dtype)
        np.add.at(y, _coordinates(indices, self.out, self.kind), updates)
        return y

    def vjp(self, gy, xs, y, saved, needs):
        return None, gy[_coordinates(xs[0], self.out, self.kind)]

    def shape(self, indices, updates):
        want = _nd_shape(self.kind, indices, self.out)
        if len(want) != len(updates) or any(None not in (a, b) and a != b
                                            for a, b in zip(want, updates)):
            raise ShapeError(f"{self.kind}: updates of shape {describe(updates)} do not fit "
                             f"indices of shape {describe(indices)} into shape "
                             f"{describe(self.out)}; updates need shape {describe(want)}")
        return self.out

    def dtype(self, indices, updates):
        return updates


class Segment(Op):
    """y[s] = sum (or max) of data[i] over the i with segment_ids[i] == s.

    num_segments None: TF's sorted segment_sum, sized max(segment_ids) + 1 at run time.
    Unsorted, negative ids are dropped; an empty segment is 0 (sum) or the lowest value (max;
    0 when sorted), as in TensorFlow.
    """

    formulas = ("∂y/∂data: gy[segment_ids] (max: shared among the tied maxima)",
                "segment_ids: no gradient")

    def __init__(self, reduce="sum", num_segments=None):
        self.reduce, self.num_segments = reduce, num_segments
        sorted_ = "" if num_segments is None else "unsorted_"
        self.kind = f"{sorted_}segment_{reduce}"

    def _ids(self, data, ids):
        ids = _whole(ids, self.kind)
        self.shape(np.shape(data), ids.shape)
        if self.num_segments is None:
            if (ids < 0).any() or (np.diff(ids.ravel()) < 0).any():
                raise ValueError(f"{self.kind}: segment_ids must be sorted and non-negative, "
                                 f"got {ids.ravel()[:8]}; use unsorted_{self.kind}")
            n = int(ids.max()) + 1 if ids.size else 0
        else:
            n = self.num_segments
            if (ids >= n).any():
                raise ValueError(f"{self.kind}: segment id {ids.max()} is out of range for "
                                 f"num_segments = {n}")
        return ids, n

    def forward(self, data, ids):
        data = np.asarray(data)
        ids, n = self._ids(data, ids)
        keep = ids >= 0
        rows = data[keep]
        out = (n,) + data.shape[ids.ndim:]
        if self.reduce == "sum":
            y = np.zeros(out, data.dtype)
            np.add.at(y, ids[keep], rows)
            return y
        low = np.finfo(data.dtype).min if data.dtype.kind == "f" else np.iinfo(data.dtype).min
        y = np.full(out, low, data.dtype)
        np.maximum.at(y, ids[keep], rows)
        if self.num_segments is None:  # sorted: an empty segment is 0
            y[np.bincount(ids.ravel(), minlength=n) == 0] = 0
        return y

    def vjp(self, gy, xs, y, saved, needs):
        data, ids = xs
        ids, n = self._ids(data, ids)
        keep = (ids >= 0).reshape(ids.shape + (1,) * (np.ndim(data) - ids.ndim))
        safe = np.where(ids >= 0, ids, 0)
        g = gy[safe] * keep
        if self.reduce == "max":
            tied = (np.asarray(data) == np.asarray(y)[safe]) & keep
            count = np.zeros(np.shape(y))
            np.add.at(count, safe, tied)
            g = g * tied / np.maximum(count[safe], 1)
        return g.astype(gy.dtype, copy=False), None

    def shape(self, data, ids):
        if len(ids) > len(data) or any(None not in (a, b) and a != b for a, b in zip(ids, data)):
            raise ShapeError(f"{self.kind}: segment_ids of shape {describe(ids)} must be a "
                             f"prefix of data's shape {describe(data)}")
        return (self.num_segments,) + tuple(data[len(ids):])

    def dtype(self, data, ids):
        return data


def _count(num_segments, who):
    if isinstance(num_segments, bool) or not isinstance(num_segments, (int, np.integer)) \
            or num_segments < 0:
        raise ValueError(f"{who}: num_segments must be a non-negative integer, "
                         f"got {num_segments!r}")
    return int(num_segments)


@register("passos")
def gather_nd(params, indices, name=None):
    """params at the coordinates on the last axis of `indices` (shape indices[:-1] +
    params[K:]); differentiable in params.

    >>> import numpy as np, passos
    >>> passos.gather_nd(np.array([[1.0, 2.0], [3.0, 4.0]]), [[1, 0], [0, 1]]).numpy()
    array([3., 2.])
    """
    return apply(GatherNd(), params, indices, name=name)


@register("passos")
def scatter_nd(indices, updates, shape, name=None):
    """Zeros of `shape` with `updates` added at the coordinates in `indices`; differentiable
    in updates.

    >>> import numpy as np, passos
    >>> passos.scatter_nd([[1], [3], [1]], np.array([1.0, 2.0, 3.0]), [4]).numpy()
    array([0., 4., 0., 2.])
    """
    return apply(ScatterNd(shape), indices, updates, name=name)


@register("passos")
def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """Sums of data's rows by segment id: shape (num_segments,) + data.shape[ids.ndim:].

    >>> import numpy as np, passos
    >>> passos.unsorted_segment_sum(np.array([1.0, 2.0, 4.0]), [1, 0, 1], 3).numpy()
    array([2., 5., 0.])
    """
    n = _count(num_segments, "unsorted_segment_sum")
    return apply(Segment("sum", n), data, segment_ids, name=name)


@register("passos")
def unsorted_segment_max(data, segment_ids, num_segments, name=None):
    """Maxima of data's rows by segment id (an empty segment: the dtype's lowest value).

    >>> import numpy as np, passos
    >>> passos.unsorted_segment_max(np.array([1.0, 2.0, 4.0]), [1, 0, 1], 2).numpy()
    array([2., 4.])
    """
    n = _count(num_segments, "unsorted_segment_max")
    return apply(Segment("max", n), data, segment_ids, name=name)


@register("passos")
def segment_sum(data, segment_ids, name=None):
    """Sums of data's rows by sorted segment id, max(segment_ids) + 1 of them.

    >>> import numpy as np, passos
    >>> passos.segment_sum(np.array([1.0, 2.0, 4.0]), [0, 0, 2]).numpy()
    array([3., 0., 4.])
    """
    return apply(Segment("sum"), data, segment_ids, name=name)


@register("passos")
def segment_max(data, segment_ids, name=None):
    """Maxima of data's rows by sorted segment id (an empty segment: 0).

    >>> import numpy as np, passos
    >>> passos.segment_max(np.array([1.0, 2.0, 4.0]), [0, 0, 2]).numpy()
    array([2., 0., 4.])
    """
    return apply(Segment("max"), data, segment_ids, name=name)
