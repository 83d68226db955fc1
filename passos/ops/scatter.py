"""Indexing by coordinates and by segment: gather_nd, scatter_nd and the segment reductions
(TensorFlow's tf.gather_nd, tf.scatter_nd, tf.segment_sum / tf.unsorted_segment_sum / max).

Each is the other's gradient: gather_nd's gradient scatters back (a place picked twice gets
both gradients), scatter_nd's gathers, and a segment sum's gradient gathers each row's
segment gradient. A segment max shares its gradient equally among tied maxima (as TF does).
"""
import numpy as np

from ..core.apply import apply
from ..core.op import Op
from ..core.registry import published, register
from ..core.shapes import ShapeError, describe


def _whole(indices, kind):
    """`indices` as int64, or a ValueError naming the op."""
    indices = np.asarray(indices)
    if indices.dtype.kind not in "iu":
        raise ValueError(f"{kind}: indices must be integers, got dtype {indices.dtype}")
    return indices.astype(np.int64, copy=False)


def _coordinates(indices, shape, kind, first=0):
    """The last axis of `indices` as a tuple of index arrays into `shape`, range-checked
    (`first`: how many leading axes of the full shape `shape` leaves out, for the message)."""
    indices = _whole(indices, kind)
    k = indices.shape[-1] if indices.ndim else 0
    if indices.ndim == 0 or k > len(shape):
        raise ValueError(f"{kind}: indices of shape {indices.shape} need a last axis of at "
                         f"most {len(shape)} coordinates into shape {tuple(shape)}")
    bad = (indices < 0) | (indices >= np.asarray(shape[:k], np.int64))
    if bad.any():
        where = np.argwhere(bad)[0]
        raise ValueError(f"{kind}: index {indices[tuple(where)]} is out of range for axis "
                         f"{first + where[-1]} of size {shape[where[-1]]} (shape {tuple(shape)})")
    return tuple(np.moveaxis(indices, -1, 0))


def _batched(indices, shape, batch_dims, kind):
    """gather_nd's coordinates with `batch_dims` leading axes shared by params and indices:
    each index picks inside its own batch entry."""
    lead = np.shape(indices)[:-1]
    if tuple(lead[:batch_dims]) != tuple(shape[:batch_dims]):
        raise ValueError(f"{kind}: with batch_dims={batch_dims}, indices of shape "
                         f"{np.shape(indices)} and params of shape {tuple(shape)} must share "
                         f"their first {batch_dims} dimensions")
    inner = _coordinates(indices, shape[batch_dims:], kind, batch_dims)
    grids = np.indices(lead[:batch_dims], sparse=True)
    rest = (1,) * (len(lead) - batch_dims)
    return tuple(g.reshape(g.shape + rest) for g in grids) + inner


def _nd_shape(kind, indices, table, batch_dims=0):
    """indices[:-1] + table[batch_dims + K:], checking K against the table's rank."""
    if len(indices) <= batch_dims:
        raise ShapeError(f"{kind}: indices must have more than batch_dims={batch_dims} axes, "
                         f"got shape {describe(indices)}")
    if any(None not in (a, b) and a != b for a, b in zip(indices[:batch_dims], table)) \
            or len(table) < batch_dims:
        raise ShapeError(f"{kind}: with batch_dims={batch_dims}, indices of shape "
                         f"{describe(indices)} and params of shape {describe(table)} must share "
                         f"their first {batch_dims} dimensions")
    k = indices[-1]
    if k is not None and batch_dims + k > len(table):
        raise ShapeError(f"{kind}: indices of shape {describe(indices)} give {k} coordinates, "
                         f"more than the rank of shape {describe(table)}"
                         + (f" after {batch_dims} batch dimensions" if batch_dims else ""))
    return tuple(indices[:-1]) + (tuple(table[batch_dims + k:]) if k is not None else ())


class GatherNd(Op):
    """y[b..., i...] = params[b..., indices[b..., i..., 0], ..., indices[b..., i..., K-1], ...]
    (b: the first `batch_dims` axes, shared by params and indices)."""

    kind = "gather_nd"
    formulas = ("∂y/∂params: gy added back at each picked place (scatter-add)",
                "indices: no gradient")

    def __init__(self, batch_dims=0):
        self.batch_dims = int(batch_dims)

    def _at(self, indices, shape):
        return _batched(indices, shape, self.batch_dims, self.kind)

    def forward(self, params, indices):
        return np.asarray(params)[self._at(indices, np.shape(params))]

    def vjp(self, gy, xs, y, saved, needs):
        params, indices = xs
        g = np.zeros(np.shape(params), gy.dtype)
        np.add.at(g, self._at(indices, g.shape), gy)
        return g, None

    def shape(self, params, indices):
        return _nd_shape(self.kind, indices, params, self.batch_dims)

    def dtype(self, params, indices):
        return params


class ScatterNd(Op):
    """y = zeros(shape) with updates added at the coordinates in indices (repeats add).

    `shape` is static, or a third input read when run (TF1's `tf.shape(x)`), of which `shape`
    then holds what is known when built (None where unknown; None alone: even the rank).
    """

    kind = "scatter_nd"
    formulas = ("∂y/∂updates: gy gathered at the indices (gather_nd)", "indices: no gradient",
                "shape: no gradient")

    def __init__(self, shape):
        self.out = None if shape is None else tuple(None if d is None else int(d) for d in shape)

    def forward(self, indices, updates, dims=None):
        out = self.out if dims is None else tuple(int(d) for d in np.ravel(dims))
        self._check(out, np.shape(indices), np.shape(updates))
        y = np.zeros(out, np.asarray(updates).dtype)
        np.add.at(y, _coordinates(indices, out, self.kind), updates)
        return y

    def vjp(self, gy, xs, y, saved, needs):
        g = gy[_coordinates(xs[0], np.shape(gy), self.kind)]
        return (None, g) + (None,) * (len(xs) - 2)

    def _check(self, out, indices, updates):
        want = _nd_shape(self.kind, indices, out)
        if len(want) != len(updates) or any(None not in (a, b) and a != b
                                            for a, b in zip(want, updates)):
            raise ShapeError(f"{self.kind}: updates of shape {describe(updates)} do not fit "
                             f"indices of shape {describe(indices)} into shape "
                             f"{describe(out)}; updates need shape {describe(want)}")

    def shape(self, indices, updates, dims=None):
        if dims is not None and len(dims) != 1:
            raise ShapeError(f"{self.kind}: shape must be a 1-D tensor, got shape {describe(dims)}")
        if self.out is not None:
            self._check(self.out, indices, updates)
        return self.out

    def dtype(self, indices, updates, dims=None):
        return updates


def _start(reduce, dtype):
    """Where a segment's reduction starts: what an empty unsorted segment holds (as TF)."""
    if reduce in ("sum", "prod"):
        return 0 if reduce == "sum" else 1
    info = np.finfo(dtype) if np.dtype(dtype).kind == "f" else np.iinfo(dtype)
    return info.min if reduce == "max" else info.max


_UFUNCS = {"sum": np.add, "prod": np.multiply, "max": np.maximum, "min": np.minimum}


def _others(x, ids, keep, shape):
    """The product of the other entries of each entry's segment, without dividing by zero."""
    zero = (x == 0) & keep
    zeros = np.zeros(shape)
    np.add.at(zeros, ids, zero)
    nonzero = np.ones(shape, x.dtype)  # each segment's product of its nonzero entries
    np.multiply.at(nonzero, ids, np.where(zero | ~keep, 1, x))
    alone = np.where(zeros[ids] == 1, nonzero[ids], 0)  # the segment's only zero
    return np.where(zero, alone, np.where(zeros[ids] > 0, 0, nonzero[ids] / np.where(zero, 1, x)))


class Segment(Op):
    """y[s] = sum (max, min or prod) of data[i] over the i with segment_ids[i] == s.

    num_segments None: TF's sorted segment ops, sized max(segment_ids) + 1 at run time.
    Unsorted, negative ids are dropped. An empty segment is 0 (sum), 1 (prod), or the dtype's
    lowest (max) or highest (min) value, 0 for both when sorted, as in TensorFlow.
    """

    formulas = ("∂y/∂data: gy[segment_ids] (max, min: shared among the tied extremes; prod: "
                "times the product of the segment's other entries)", "segment_ids: no gradient")

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
        y = np.full((n,) + data.shape[ids.ndim:], _start(self.reduce, data.dtype), data.dtype)
        _UFUNCS[self.reduce].at(y, ids[keep], data[keep])
        if self.num_segments is None and self.reduce in ("max", "min"):  # sorted: empty is 0
            y[np.bincount(ids.ravel(), minlength=n) == 0] = 0
        return y

    def vjp(self, gy, xs, y, saved, needs):
        data, ids = xs
        ids, n = self._ids(data, ids)
        keep = (ids >= 0).reshape(ids.shape + (1,) * (np.ndim(data) - ids.ndim))
        safe = np.where(ids >= 0, ids, 0)
        g = gy[safe] * keep
        if self.reduce in ("max", "min"):
            tied = (np.asarray(data) == np.asarray(y)[safe]) & keep
            count = np.zeros(np.shape(y))
            np.add.at(count, safe, tied)
            g = g * tied / np.maximum(count[safe], 1)
        elif self.reduce == "prod":
            g = g * _others(np.asarray(data), safe, keep, np.shape(y))
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
def gather_nd(params, indices, batch_dims=0, name=None):
    """params at the coordinates on the last axis of `indices` (shape indices[:-1] +
    params[batch_dims + K:]); with `batch_dims`, the first axes of both index batch entries
    and each entry's indices pick inside its own entry. Differentiable in params.

    >>> import numpy as np, passos
    >>> passos.gather_nd(np.array([[1.0, 2.0], [3.0, 4.0]]), [[1, 0], [0, 1]]).numpy()
    array([3., 2.])
    >>> passos.gather_nd(np.array([[1.0, 2.0], [3.0, 4.0]]), [[1], [0]], batch_dims=1).numpy()
    array([2., 3.])
    """
    if isinstance(batch_dims, bool) or not isinstance(batch_dims, (int, np.integer)) \
            or batch_dims < 0:
        raise ValueError(f"gather_nd: batch_dims must be a non-negative int, got {batch_dims!r}")
    return apply(GatherNd(batch_dims), params, indices, name=name)


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


def _segment_function(reduce, sorted_, doc):
    """The registered (unsorted_)segment_<reduce> function applying `Segment`."""
    name = f"{'' if sorted_ else 'unsorted_'}segment_{reduce}"
    if sorted_:
        def function(data, segment_ids, name=None):
            return apply(Segment(reduce), data, segment_ids, name=name)
    else:
        def function(data, segment_ids, num_segments, name=None):
            n = _count(num_segments, f"unsorted_segment_{reduce}")
            return apply(Segment(reduce, n), data, segment_ids, name=name)
    return published(function, name, doc.lstrip(), "passos")


segment_min = _segment_function("min", True, """
    Minima of data's rows by sorted segment id (an empty segment: 0).

    >>> import numpy as np, passos
    >>> passos.segment_min(np.array([1.0, 2.0, 4.0]), [0, 0, 2]).numpy()
    array([1., 0., 4.])
    """)
segment_prod = _segment_function("prod", True, """
    Products of data's rows by sorted segment id (an empty segment: 1).

    >>> import numpy as np, passos
    >>> passos.segment_prod(np.array([3.0, 2.0, 4.0]), [0, 0, 2]).numpy()
    array([6., 1., 4.])
    """)
unsorted_segment_min = _segment_function("min", False, """
    Minima of data's rows by segment id (an empty segment: the dtype's highest value).

    >>> import numpy as np, passos
    >>> passos.unsorted_segment_min(np.array([1.0, 2.0, 4.0]), [1, 0, 1], 2).numpy()
    array([2., 1.])
    """)
unsorted_segment_prod = _segment_function("prod", False, """
    Products of data's rows by segment id (an empty segment: 1).

    >>> import numpy as np, passos
    >>> passos.unsorted_segment_prod(np.array([3.0, 2.0, 4.0]), [1, 0, 1], 3).numpy()
    array([ 2., 12.,  1.])
    """)
