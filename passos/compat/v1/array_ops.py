"""TF1 array ops: shapes, joining and splitting, filled tensors, one_hot, gather, tile, where.

>>> import passos.compat.v1 as tf
>>> with tf.Graph().as_default():
...     x = tf.placeholder(tf.float32, [None, 3])
...     y = tf.concat([x, tf.zeros_like(x)], axis=1)
...     tf.Session().run([tf.shape(y), tf.one_hot([0, 2], 3)], {x: [[1, 2, 3]]})[0]
array([1, 6], dtype=int32)
"""
import builtins

import numpy as np

from ...core.op import Op
from ...core.shapes import ShapeError, describe, normalize_axis
from ...graph.graph import Symbol, get_default_graph
from ...ops import arithmetic as ar, creation as cr, elementwise as el, movement as mv
from ...ops.gather import Gather
from . import dtypes, shaped_ops as so
from .framework import as_array, constant, inputs, name_scope, named
from .shape_args import known_scalar, shape_arg


def _node(op, *xs, name):
    return get_default_graph().add_op(op, list(inputs(*xs)), name=name)


def reshape(tensor, shape, name=None):
    """The same values in `shape` (a list of ints; one may be -1)."""
    node, dims = shape_arg(shape, "reshape")
    if node is not None:
        return _node(so.Reshape(dims), tensor, node, name=name or "Reshape")
    return named(name or "Reshape", lambda: mv.reshape(*inputs(tensor), list(dims)))


def transpose(a, perm=None, name="transpose", conjugate=False):
    """Permute the axes by `perm` (reverse them when None)."""
    return named(name, lambda: mv.transpose(*inputs(a), perm))


class _Dims(Op):
    """expand_dims (insert a size-1 axis) or squeeze (drop size-1 axes)."""

    def __init__(self, kind, axis):
        self.kind, self.axis = kind, axis

    def _out(self, x):
        if self.kind == "expand_dims":
            axis = self.axis if self.axis >= 0 else len(x) + 1 + self.axis
            if not 0 <= axis <= len(x):
                raise ShapeError(f"expand_dims: axis {self.axis} is out of range for shape {describe(x)}")
            return tuple(x[:axis]) + (1,) + tuple(x[axis:])
        axes = [i for i, d in enumerate(x) if d == 1] if self.axis is None else \
            normalize_axis(self.kind, self.axis, len(x))
        for a in axes:
            if x[a] not in (1, None):
                raise ShapeError(f"squeeze: cannot squeeze axis {a} of shape {describe(x)}, "
                                 "its size is not 1")
        return tuple(d for i, d in enumerate(x) if i not in axes)

    def forward(self, x):
        return np.reshape(x, self._out(np.shape(x)))

    def vjp(self, gy, xs, y, saved, needs):
        return (np.reshape(gy, np.shape(xs[0])),)

    def shape(self, x):
        if self.kind == "squeeze" and self.axis is None and None in x:
            raise ShapeError(f"squeeze: shape {describe(x)} has unknown dimensions; give axis=")
        return self._out(x)


def expand_dims(input, axis=None, name=None, dim=None):  # noqa: A002 - the TF1 name
    """`input` with a new axis of size 1 at `axis`."""
    axis = dim if axis is None else axis
    return _node(_Dims("expand_dims", int(axis)), input, name=name or "ExpandDims")


def squeeze(input, axis=None, name=None, squeeze_dims=None):  # noqa: A002
    """`input` without its size-1 axes (or just those in `axis`)."""
    axis = squeeze_dims if axis is None else axis
    axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    return _node(_Dims("squeeze", axis), input, name=name or "Squeeze")


class _ShapeOf(Op):
    """shape, size or rank of the input at run time (int32 unless out_type says)."""

    differentiable = False

    def __init__(self, kind, to):
        self.kind, self.to = kind, to

    def forward(self, x):
        shape = np.shape(x)
        value = {"shape": shape, "size": int(np.prod(shape, dtype=np.int64)), "rank": len(shape)}
        return np.array(value[self.kind], self.to)

    def shape(self, x):
        return (len(x),) if self.kind == "shape" else ()

    def dtype(self, x):
        return self.to


def shape(input, name=None, out_type=dtypes.int32):  # noqa: A002
    """The shape of `input` when the graph runs (known even where the static shape has None)."""
    return _node(_ShapeOf("shape", dtypes.as_dtype(out_type).dtype), input, name=name or "Shape")


def size(input, name=None, out_type=dtypes.int32):  # noqa: A002
    """The number of values in `input` when the graph runs."""
    return _node(_ShapeOf("size", dtypes.as_dtype(out_type).dtype), input, name=name or "Size")


def rank(input, name=None):  # noqa: A002
    return _node(_ShapeOf("rank", np.dtype(np.int32)), input, name=name or "Rank")


def concat(values, axis, name="concat"):
    """Join tensors along an existing axis."""
    return named(name, lambda: mv.concatenate(inputs(*values), axis))


def stack(values, axis=0, name="stack"):
    """Join same-shaped tensors along a new axis."""
    return named(name, lambda: mv.stack(inputs(*values), axis))


def _take(x, axis, index):
    return mv.getitem(x, (builtins.slice(None),) * (axis % len(x.shape)) + (index,))


def unstack(value, num=None, axis=0, name="unstack"):
    """The slices of `value` along `axis` (whose size must be known), as a list."""
    (x,) = inputs(value)
    n = num if num is not None else x.shape[axis]
    if n is None:
        raise ValueError(f"unstack: cannot infer num from shape {describe(x.shape)}; pass num=")
    with name_scope(name):
        return [_take(x, axis, i) for i in builtins.range(n)]


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """`value` cut along `axis` into equal parts, or parts of the given sizes."""
    (x,) = inputs(value)
    length = x.shape[axis]
    if isinstance(num_or_size_splits, int):
        if length is None or length % num_or_size_splits:
            raise ValueError(f"split: dimension {axis} of shape {describe(x.shape)} does not "
                             f"divide into {num_or_size_splits} equal parts")
        sizes = [length // num_or_size_splits] * num_or_size_splits
    else:
        sizes = list(num_or_size_splits)
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    with name_scope(name):
        return [_take(x, axis, builtins.slice(int(a), int(b))) for a, b in zip(bounds[:-1], bounds[1:])]


def slice(input_, begin, size, name=None):  # noqa: A001 - the TF1 name
    """input_[begin : begin + size] on each axis (size -1: to the end)."""
    (b_node, b_dims), (s_node, s_dims) = shape_arg(begin, "slice", "begin"), shape_arg(size, "slice", "size")
    if b_node is not None or s_node is not None:
        b_node = b_node if b_node is not None else constant(np.int32(b_dims))
        s_node = s_node if s_node is not None else constant(np.int32(s_dims))
        return _node(so.Slice(b_dims, s_dims), input_, b_node, s_node, name=name or "Slice")
    index = tuple(builtins.slice(b, None if s == -1 else b + s) for b, s in zip(b_dims, s_dims))
    return named(name or "Slice", lambda: mv.getitem(*inputs(input_), index))


def reverse(tensor, axis, name=None):
    """`tensor` with the order of the values along each of `axis` reversed."""
    (x,) = inputs(tensor)
    axes = normalize_axis("reverse", axis, len(x.shape))
    index = tuple(builtins.slice(None, None, -1) if i in axes else builtins.slice(None)
                  for i in builtins.range(len(x.shape)))
    return named(name or "ReverseV2", lambda: mv.getitem(x, index))


def pad(tensor, paddings, mode="CONSTANT", name=None, constant_values=0):
    """`tensor` padded with `constant_values`: one [before, after] pair per axis."""
    if mode.upper() != "CONSTANT":
        raise NotImplementedError(f"pad: passos pads with constants only, not mode {mode!r}")
    return named(name or "Pad", lambda: mv.pad(*inputs(tensor), paddings, constant_values))


def _filled(where, dims, value, name):
    """A constant of shape `dims` filled with `value`, or a Fill node when `dims` is a tensor."""
    node, known = shape_arg(dims, where)
    if node is None and not isinstance(value, Symbol):
        array = as_array(value)
        return constant(np.full(known, array, array.dtype), name=name)
    node = node if node is not None else constant(np.int32(known))
    return _node(so.Fill(known), node, value if isinstance(value, Symbol) else as_array(value), name=name)


def zeros(shape, dtype=dtypes.float32, name=None):
    """Zeros of `shape` (a list of ints or an int32 tensor)."""
    return _filled("zeros", shape, np.zeros((), dtypes.as_dtype(dtype).dtype), name or "zeros")


def ones(shape, dtype=dtypes.float32, name=None):
    """Ones of `shape` (a list of ints or an int32 tensor)."""
    return _filled("ones", shape, np.ones((), dtypes.as_dtype(dtype).dtype), name or "ones")


def fill(dims, value, name=None):
    """A tensor of shape `dims` (a list of ints or an int32 tensor) filled with `value`."""
    return _filled("fill", dims, value, name or "Fill")


def zeros_like(tensor, dtype=None, name=None, optimize=True):
    """Zeros with the shape (and dtype, unless given) of `tensor`, at run time."""
    to = None if dtype is None else dtypes.as_dtype(dtype).dtype
    return named(name or "zeros_like", lambda: cr.zeros_like(*inputs(tensor), to))


def ones_like(tensor, dtype=None, name=None, optimize=True):
    """Ones with the shape (and dtype, unless given) of `tensor`, at run time."""
    to = None if dtype is None else dtypes.as_dtype(dtype).dtype
    return named(name or "ones_like", lambda: cr.ones_like(*inputs(tensor), to))


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001 - the TF1 name
    """[start, start + delta, ...) below `limit` (one argument: [0, start)); any of them may be a
    scalar tensor (`tf.range(tf.shape(x)[0])`), read when run. The dtype, unless given, is the
    widest of the arguments' (Python ints int32, floats float32), as in TF1."""
    start, limit = (0, start) if limit is None else (start, limit)
    args = (start, limit, delta)
    out = dtypes.as_dtype(dtype).dtype if dtype is not None else _range_dtype(args)
    if not builtins.any(isinstance(a, Symbol) for a in args):
        return constant(np.arange(start, limit, delta).astype(out), dtype=out, name=name)
    known = [known_scalar(a) if isinstance(a, Symbol) else a for a in args]
    length = None if None in known else len(np.arange(*known))
    return named(name, lambda: _node(so.Range(out, length), *(
        (el.cast(a, out) if a.dtype != out else a) if isinstance(a, Symbol) else
        np.asarray(a, out) for a in args), name="range"))


def _range_dtype(args):
    order = [np.dtype(t) for t in ("int32", "int64", "float32", "float64")]
    kinds = [a.dtype if isinstance(a, Symbol) else
             np.dtype(np.float32 if isinstance(a, float) or np.asarray(a).dtype.kind == "f"
                      else np.int32) for a in args]
    return builtins.max(kinds, key=lambda k: order.index(k) if k in order else 0)


def linspace(start, stop, num, name="LinSpace"):
    return constant(np.linspace(start, stop, int(num), dtype=np.float32), name=name)


def eye(num_rows, num_columns=None, dtype=dtypes.float32, name=None):
    return constant(np.eye(num_rows, num_columns, dtype=dtypes.as_dtype(dtype).dtype),
                    name=name or "eye")


class _OneHot(Op):
    kind = "one_hot"
    differentiable = False

    def __init__(self, depth, on, off, axis, to):
        self.depth, self.on, self.off, self.axis, self.to = depth, on, off, axis, to

    def forward(self, indices):
        indices = np.asarray(indices)
        hot = np.expand_dims(indices, -1) == np.arange(self.depth)
        out = np.where(hot, self.on, self.off).astype(self.to)
        return out if self.axis == -1 else np.moveaxis(out, -1, self.axis)

    def shape(self, indices):
        out = list(indices) + [self.depth]
        if self.axis != -1:
            out.insert(self.axis, out.pop())
        return tuple(out)

    def dtype(self, indices):
        return self.to


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """One-hot rows: on_value (1) where the class is `indices`, off_value (0) elsewhere; -1 gives zeros."""
    to = dtypes.as_dtype(dtype).dtype if dtype is not None else np.dtype(np.float32)
    op = _OneHot(int(depth), 1 if on_value is None else on_value,
                 0 if off_value is None else off_value, -1 if axis is None else axis, to)
    return _node(op, indices, name=name or "one_hot")


def gather(params, indices, validate_indices=None, name=None, axis=0):
    """params[indices] along `axis` (embedding lookups); differentiable in `params`."""
    (p,) = inputs(params)
    axis = normalize_axis("gather", axis, len(p.shape))[0]
    return _node(Gather(axis), p, as_array(indices) if not isinstance(indices, Symbol) else indices,
                 name=name or "GatherV2")


class _Tile(Op):
    kind = "tile"

    def __init__(self, multiples):
        self.multiples = tuple(int(m) for m in multiples)

    def forward(self, x):
        return np.tile(x, self.multiples)

    def vjp(self, gy, xs, y, saved, needs):
        shape = np.shape(xs[0])
        split = [d for pair in zip(self.multiples, shape) for d in pair]
        return (gy.reshape(split).sum(axis=tuple(builtins.range(0, 2 * len(shape), 2))),)

    def shape(self, x):
        if len(x) != len(self.multiples):
            raise ShapeError(f"tile: {len(self.multiples)} multiples for shape {describe(x)}; "
                             "give one per axis")
        return tuple(None if d is None else d * m for d, m in zip(x, self.multiples))


def tile(input, multiples, name=None):  # noqa: A002
    """`input` repeated multiples[i] times along axis i."""
    node, known = shape_arg(multiples, "tile", "multiples")
    if node is not None:
        return _node(so.Tile(known), input, node, name=name or "Tile")
    return _node(_Tile(known), input, name=name or "Tile")


class _WhereIndices(Op):
    kind = "where_indices"
    differentiable = False

    def forward(self, condition):
        return np.argwhere(condition).astype(np.int64)

    def shape(self, condition):
        return (None, len(condition))

    def dtype(self, condition):
        return np.dtype(np.int64)


def where(condition, x=None, y=None, name=None):
    """x where `condition`, else y; a vector condition picks whole rows (TF1). Alone: the true indices."""
    if x is None and y is None:
        return _node(_WhereIndices(), condition, name=name or "Where")

    def build():
        c, a, b = inputs(condition, x, y)
        ranks = [len(v.shape) if isinstance(v, Symbol) and v.shape is not None else np.ndim(v)
                 for v in (c, a)]
        if ranks[0] == 1 and ranks[1] > 1:
            c = mv.reshape(c, [-1] + [1] * (ranks[1] - 1))
        return ar.where(c, a, b)
    return named(name or "Select", build)
