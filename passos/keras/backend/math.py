"""Keras backend math: reductions, elementwise functions and comparisons on passos ops.

Each works eagerly (arrays and tensors in, a tensor out) and on symbols
(custom losses, metrics and layers traced into a model's plans).
"""
import numpy as np

from ...ops import arithmetic as ar, discrete, elementwise as el, matmul as mm, reduce as rd
from ...ops.movement import concatenate, getitem, transpose
from . import config
from .tensors import graph_aware, int_shape, resolve


def _axis(axis):
    """Keras' axis argument (None, an int or a list) as passos reductions take it."""
    return tuple(axis) if isinstance(axis, list) else axis


def _floats(x):
    """x, cast to floatx() when boolean (Keras averages booleans as 0/1)."""
    x = resolve(x)
    kind = x.dtype if hasattr(x, "dtype") else np.asarray(x).dtype
    return el.cast(x, config.floatx()) if np.dtype(kind) == bool else x


def _axes_of(x, axis, who):
    """The reduced axes as non-negative ints, sorted."""
    rank = len(int_shape(x))
    axes = range(rank) if axis is None else (axis if isinstance(axis, (list, tuple)) else [axis])
    out = []
    for a in axes:
        if not -rank <= a < rank:
            raise ValueError(f"{who}: axis {a} is out of range for a tensor of shape "
                             f"{int_shape(x)}")
        out.append(a % rank)
    return sorted(set(out))


@graph_aware
def mean(x, axis=None, keepdims=False):
    """The mean over `axis` (all axes when None); booleans count as 0/1."""
    return rd.mean(_floats(x), axis=_axis(axis), keepdims=keepdims)


@graph_aware
def sum(x, axis=None, keepdims=False):  # noqa: A001 - the Keras name
    """The sum over `axis` (all axes when None)."""
    return rd.sum(resolve(x), axis=_axis(axis), keepdims=keepdims)


@graph_aware
def max(x, axis=None, keepdims=False):  # noqa: A001 - the Keras name
    """The largest value over `axis`."""
    return rd.max(resolve(x), axis=_axis(axis), keepdims=keepdims)


@graph_aware
def min(x, axis=None, keepdims=False):  # noqa: A001 - the Keras name
    """The smallest value over `axis`."""
    return rd.min(resolve(x), axis=_axis(axis), keepdims=keepdims)


@graph_aware
def var(x, axis=None, keepdims=False):
    """The variance over `axis`: mean((x - mean(x))²), dividing by n as Keras does."""
    x = _floats(x)
    centred = x - rd.mean(x, axis=_axis(axis), keepdims=True)
    return rd.mean(el.square(centred), axis=_axis(axis), keepdims=keepdims)


@graph_aware
def std(x, axis=None, keepdims=False):
    """The standard deviation over `axis`: sqrt(var)."""
    return el.sqrt(var(x, axis, keepdims))


@graph_aware
def prod(x, axis=None, keepdims=False):
    """The product over `axis`, as a tree of multiplications (exact at zeros, gradients flow).

    Each reduced axis must have a known size.
    """
    x = resolve(x)
    axes = _axes_of(x, axis, "prod")
    for a in axes:
        x = _product_along(x, a)
    # every reduced axis now has size 1: summing them away drops them, whatever the other sizes
    return x if keepdims else rd.sum(x, axis=tuple(axes))


def _product_along(x, a):
    """x with axis `a` multiplied down to size 1 by halving: log2(n) multiplications."""
    n = int_shape(x)[a]
    if n is None:
        raise ValueError(f"prod: axis {a} of the tensor of shape {int_shape(x)} has no known "
                         "size; reduce axes of known size")

    def part(start, stop):
        return getitem(x, (slice(None),) * a + (slice(start, stop),))
    if n == 0:
        raise ValueError(f"prod: axis {a} of the tensor of shape {int_shape(x)} is empty")
    while n > 1:
        half = n // 2
        product = part(0, half) * part(half, 2 * half)
        x = concatenate([product, part(2 * half, n)], axis=a) if n % 2 else product
        n = half + n % 2
    return x


@graph_aware
def cumsum(x, axis=0):
    """Running sums along `axis` (of known size), as a product with a triangle of ones."""
    x = resolve(x)
    shape = int_shape(x)
    axis = _axes_of(x, axis, "cumsum")[0]
    n = shape[axis]
    if n is None:
        raise ValueError(f"cumsum: axis {axis} of the tensor of shape {shape} has no known size")
    order = [a for a in range(len(shape)) if a != axis] + [axis]
    back = np.argsort(order)
    upper = np.triu(np.ones((n, n), np.dtype(x.dtype)))  # column j adds rows 0..j
    return transpose(mm.matmul(transpose(x, order), upper), tuple(back))


@graph_aware
def any(x, axis=None, keepdims=False):  # noqa: A001 - the Keras name
    """Whether any element over `axis` is non-zero (bool)."""
    truth = el.cast(ar.not_equal(resolve(x), 0), "float32")
    return ar.greater(rd.max(truth, axis=_axis(axis), keepdims=keepdims), 0)


@graph_aware
def all(x, axis=None, keepdims=False):  # noqa: A001 - the Keras name
    """Whether every element over `axis` is non-zero (bool)."""
    truth = el.cast(ar.not_equal(resolve(x), 0), "float32")
    return ar.greater(rd.min(truth, axis=_axis(axis), keepdims=keepdims), 0)


@graph_aware
def argmax(x, axis=-1):
    """The index of the largest value along `axis`."""
    return rd.argmax(resolve(x), axis=axis)


@graph_aware
def argmin(x, axis=-1):
    """The index of the smallest value along `axis`."""
    return rd.argmin(resolve(x), axis=axis)


@graph_aware
def square(x):
    return el.square(resolve(x))


@graph_aware
def sqrt(x):
    """The square root, with negative inputs clipped to 0 first (as Keras does)."""
    return el.sqrt(ar.clip(resolve(x), 0, None))


@graph_aware
def abs(x):  # noqa: A001 - the Keras name
    return el.abs(resolve(x))


@graph_aware
def exp(x):
    return el.exp(resolve(x))


@graph_aware
def log(x):
    return el.log(resolve(x))


@graph_aware
def pow(x, a):  # noqa: A001 - the Keras name
    """x ** a, elementwise."""
    return ar.power(resolve(x), resolve(a))


@graph_aware
def round(x):  # noqa: A001 - the Keras name
    """The nearest integer, halves to even (no gradient)."""
    return discrete.round(resolve(x))


@graph_aware
def sign(x):
    """-1, 0 or 1 (no gradient)."""
    return discrete.sign(resolve(x))


@graph_aware
def clip(x, min_value, max_value):
    """x limited to [min_value, max_value]; a max below the min is raised to it, as in Keras."""
    if min_value is not None and max_value is not None and max_value < min_value:
        max_value = min_value
    if min_value is None and max_value is None:
        return resolve(x)
    return ar.clip(resolve(x), min_value, max_value)


@graph_aware
def maximum(x, y):
    return ar.maximum(resolve(x), resolve(y))


@graph_aware
def minimum(x, y):
    return ar.minimum(resolve(x), resolve(y))


@graph_aware
def cast(x, dtype):
    """x converted to `dtype` ('float32', 'int32', 'bool' ...)."""
    return el.cast(resolve(x), dtype)


@graph_aware
def equal(x, y):
    return ar.equal(resolve(x), resolve(y))


@graph_aware
def not_equal(x, y):
    return ar.not_equal(resolve(x), resolve(y))


@graph_aware
def greater(x, y):
    return ar.greater(resolve(x), resolve(y))


@graph_aware
def greater_equal(x, y):
    return ar.greater_equal(resolve(x), resolve(y))


@graph_aware
def less(x, y):
    return ar.less(resolve(x), resolve(y))


@graph_aware
def less_equal(x, y):
    return ar.less_equal(resolve(x), resolve(y))


@graph_aware
def stop_gradient(variables):
    """The values of `variables` (one tensor or a list) treated as constants by gradients."""
    if isinstance(variables, (list, tuple)):
        return [discrete.stop_gradient(resolve(v)) for v in variables]
    return discrete.stop_gradient(resolve(variables))
