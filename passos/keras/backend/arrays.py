"""Keras backend array functions: products, reshaping, joining, indexing and creation.

Composed from passos' differentiable ops (matmul, reshape, transpose, getitem,
concatenate ...), so gradients flow through every one, eagerly and in graphs.
"""
import numpy as np

from ...core.dtypes import as_dtype
from ...graph.graph import Symbol
from ...ops import arithmetic as ar, creation, elementwise as el, matmul as mm, movement as mv
from . import config
from .tensors import graph_aware, int_shape, resolve, variable


def _reshape(x, shape, who):
    """reshape to `shape`, where one None (an unknown size, usually the batch) becomes -1."""
    if sum(d is None for d in shape) > 1:
        raise ValueError(f"{who}: cannot reshape a tensor of shape {int_shape(x)} to {shape}: "
                         "more than one size is unknown")
    return mv.reshape(x, tuple(-1 if d is None else int(d) for d in shape))


def _known(sizes, who, x):
    """The product of `sizes`, which must all be known."""
    if None in sizes:
        raise ValueError(f"{who}: needs the sizes {tuple(sizes)} of the tensor of shape "
                         f"{int_shape(x)} to be known")
    return int(np.prod(sizes, dtype=np.int64))


def _axis(axis, rank, who):
    if not -rank <= axis < rank:
        raise ValueError(f"{who}: axis {axis} is out of range for {rank} axes")
    return axis % rank


@graph_aware
def dot(x, y):
    """Keras' dot: x @ y over x's last axis and y's second-to-last (its only one when 1-D).

    Shapes (..., a) and (..., a, b) give x.shape[:-1] + y.shape[:-2] + (b,).
    """
    x, y = resolve(x), resolve(y)
    xs, ys = int_shape(x), int_shape(y)
    if len(ys) <= 2:
        return mm.matmul(x, y)
    if xs[-1] is not None and ys[-2] is not None and xs[-1] != ys[-2]:
        raise ValueError(f"dot: shapes {xs} and {ys} are not aligned: {xs[-1]} != {ys[-2]}")
    a = xs[-1] if xs[-1] is not None else ys[-2]
    rest = [d for i, d in enumerate(ys) if i != len(ys) - 2]
    order = [len(ys) - 2] + [i for i in range(len(ys)) if i != len(ys) - 2]
    flat_y = mv.reshape(mv.transpose(y, order), (a, _known(rest, "dot", y)))
    product = mm.matmul(_reshape(x, (None, a), "dot"), flat_y)
    return _reshape(product, tuple(xs[:-1]) + tuple(ys[:-2]) + (ys[-1],), "dot")


@graph_aware
def batch_dot(x, y, axes=None):
    """Per-sample dot product of x and y (batch axis 0) summing axes[0] of x with axes[1] of y.

    The result has x's remaining axes, then y's (batch excluded); a result of
    one axis gets a second of size 1, as in Keras: (32, 20) . (32, 20) -> (32, 1).
    """
    x, y = resolve(x), resolve(y)
    xs, ys = int_shape(x), int_shape(y)
    if len(xs) < 2 or len(ys) < 2:
        raise ValueError(f"batch_dot: needs tensors of at least 2 axes, got shapes {xs} and {ys}")
    if axes is None:  # x's last axis with y's second-to-last (its last when y is 2-D)
        axes = (len(xs) - 1, len(ys) - 2 if len(ys) > 2 else 1)
    if isinstance(axes, (int, np.integer)):
        axes = (axes, axes)
    if not (isinstance(axes, (list, tuple)) and len(axes) == 2
            and all(isinstance(a, (int, np.integer)) for a in axes)):
        raise ValueError(f"batch_dot: axes must be None, an int or two ints, got {axes!r}")
    ax, ay = _axis(axes[0], len(xs), "batch_dot"), _axis(axes[1], len(ys), "batch_dot")
    if ax == 0 or ay == 0:
        raise ValueError(f"batch_dot: axes {tuple(axes)} include the batch axis 0, which is "
                         "never summed")
    k = xs[ax] if xs[ax] is not None else ys[ay]
    if k is None or (xs[ax] is not None and ys[ay] is not None and xs[ax] != ys[ay]):
        raise ValueError(f"batch_dot: axis {ax} of x {xs} and axis {ay} of y {ys} must have "
                         "the same known size")
    x_order = [0] + [i for i in range(1, len(xs)) if i != ax] + [ax]
    y_order = [0, ay] + [i for i in range(1, len(ys)) if i != ay]
    x_rest, y_rest = [xs[i] for i in x_order[1:-1]], [ys[i] for i in y_order[2:]]
    m, n = _known(x_rest, "batch_dot", x), _known(y_rest, "batch_dot", y)
    x3 = _reshape(mv.transpose(x, x_order), (None, m, k), "batch_dot")
    y3 = _reshape(mv.transpose(y, y_order), (None, k, n), "batch_dot")
    rest = tuple(x_rest + y_rest) or (1,)
    return _reshape(mm.matmul(x3, y3), (None,) + rest, "batch_dot")


@graph_aware
def concatenate(tensors, axis=-1):
    """Join tensors along `axis` (the last by default)."""
    return mv.concatenate([resolve(t) for t in tensors], axis=axis)


@graph_aware
def stack(x, axis=0):
    """Stack tensors of one shape along a new `axis`."""
    return mv.stack([resolve(t) for t in x], axis=axis)


@graph_aware
def reshape(x, shape):
    """x with a new shape (one -1 takes what is left)."""
    return mv.reshape(resolve(x), tuple(shape))


@graph_aware
def flatten(x):
    """All values of x in one axis."""
    return mv.reshape(resolve(x), (-1,))


@graph_aware
def batch_flatten(x):
    """(batch, ...) to (batch, values per sample); the per-sample sizes must be known."""
    x = resolve(x)
    return _reshape(x, (None, _known(int_shape(x)[1:], "batch_flatten", x)), "batch_flatten")


@graph_aware
def expand_dims(x, axis=-1):
    """x with a new axis of size 1 at `axis`."""
    x = resolve(x)
    axis = _axis(axis, len(int_shape(x)) + 1, "expand_dims")
    return mv.getitem(x, (slice(None),) * axis + (None,))


@graph_aware
def squeeze(x, axis):
    """x without `axis`, which must have size 1."""
    x = resolve(x)
    shape = int_shape(x)
    axis = _axis(axis, len(shape), "squeeze")
    if shape[axis] not in (1, None):
        raise ValueError(f"squeeze: axis {axis} of the tensor of shape {shape} has size "
                         f"{shape[axis]}, not 1")
    return mv.getitem(x, (slice(None),) * axis + (0,))


@graph_aware
def permute_dimensions(x, pattern):
    """x with its axes reordered: pattern (0, 2, 1) swaps the last two of three."""
    x = resolve(x)
    if sorted(pattern) != list(range(len(int_shape(x)))):
        raise ValueError(f"permute_dimensions: pattern {tuple(pattern)} is not an order of the "
                         f"axes of a tensor of shape {int_shape(x)}")
    return mv.transpose(x, tuple(pattern))


@graph_aware
def transpose(x):
    """x with its axes in reverse order."""
    return mv.transpose(resolve(x))


@graph_aware
def tile(x, n):
    """x repeated n[i] times along each axis i (n: an int per axis)."""
    x = resolve(x)
    n = [n] if isinstance(n, (int, np.integer)) else list(n)
    if len(n) != len(int_shape(x)):
        raise ValueError(f"tile: n={n} needs one count per axis of the tensor of shape "
                         f"{int_shape(x)}")
    for axis, count in enumerate(n):
        if count != 1:
            x = mv.concatenate([x] * int(count), axis=axis)
    return x


@graph_aware
def repeat_elements(x, rep, axis):
    """Each slice of x along `axis` repeated `rep` times: [a, b] -> [a, a, b, b]."""
    x = resolve(x)
    shape = int_shape(x)
    axis = _axis(axis, len(shape), "repeat_elements")
    if shape[axis] is None:
        raise ValueError(f"repeat_elements: axis {axis} of the tensor of shape {shape} has no "
                         "known size")
    index = np.repeat(np.arange(shape[axis]), rep)
    return mv.getitem(x, (slice(None),) * axis + (index,))


@graph_aware
def one_hot(indices, num_classes):
    """Rows of num_classes values, 1 at each index: shape indices.shape + (num_classes,)."""
    indices = resolve(indices)
    hits = ar.equal(expand_dims(indices, -1), np.arange(num_classes))
    return el.cast(hits, config.floatx())


@graph_aware
def gather(reference, indices):
    """reference[indices] along its first axis; symbolic indices pick rows by a one-hot product."""
    reference, indices = resolve(reference), resolve(indices)
    if not isinstance(indices, Symbol):
        return mv.getitem(reference, np.asarray(getattr(indices, "data", indices)).astype(np.intp))
    shape = int_shape(reference)
    rows = shape[0]
    if rows is None:
        raise ValueError(f"gather: the reference of shape {shape} needs a known first axis")
    picks = el.cast(ar.equal(expand_dims(indices, -1), np.arange(rows)), reference.dtype)
    flat = mv.reshape(reference, (rows, _known(shape[1:], "gather", reference)))
    return _reshape(mm.matmul(picks, flat), int_shape(indices) + shape[1:], "gather")


def arange(start, stop=None, step=1, dtype="int32"):
    """start, start + step, ... below stop (int32 by default, as in Keras)."""
    if stop is None and start < 0:
        start = 0
    return creation.arange(start, stop, step, dtype=dtype)


def ones(shape, dtype=None, name=None):
    """A variable of ones."""
    return variable(np.ones(shape), dtype, name)


def zeros(shape, dtype=None, name=None):
    """A variable of zeros."""
    return variable(np.zeros(shape), dtype, name)


def eye(size, dtype=None, name=None):
    """A variable holding the identity matrix (size n, or (rows, columns))."""
    rows, columns = (size, size) if isinstance(size, (int, np.integer)) else tuple(size)
    return variable(np.eye(rows, columns), dtype, name)


@graph_aware
def ones_like(x, dtype=None, name=None):
    """Ones shaped like x."""
    return creation.ones_like(resolve(x), as_dtype(dtype), name=name)


@graph_aware
def zeros_like(x, dtype=None, name=None):
    """Zeros shaped like x."""
    return creation.zeros_like(resolve(x), as_dtype(dtype), name=name)
