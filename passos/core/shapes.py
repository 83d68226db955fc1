"""Static shape rules shared by every op: broadcasting, axes, and undoing broadcasts.

Shapes are tuples whose entries are ints, or None for a dimension that is
only known when a graph runs (a placeholder's batch size).
"""
import math

import numpy as np

from ..arguments import ShapeError
from ..kernels.arrays import sum_rows


def describe(shape):
    """Shape as a user reads it: (None, 784) prints as (?, 784)."""
    if shape is None:
        return "(unknown)"
    inner = ", ".join("?" if d is None else str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def broadcast_shapes(op_name, *shapes):
    """Shape of broadcasting `shapes` together (NumPy rules, None = unknown)."""
    ndim = max(len(s) for s in shapes)
    out = []
    for axis in range(-ndim, 0):
        dims = [s[axis] for s in shapes if len(s) >= -axis]
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            raise ShapeError(
                f"{op_name}: shapes {' and '.join(describe(s) for s in shapes)} "
                f"cannot be broadcast together (axis {axis}: {sorted(known)})")
        if known:
            out.append(known.pop())
        elif any(d is None for d in dims):
            out.append(None)
        else:
            out.append(1)
    return tuple(out)


def normalize_axis(op_name, axis, ndim):
    """Axis or tuple of axes as a sorted tuple of non-negative ints (None = all)."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not -ndim <= a < max(ndim, 1):
            raise ShapeError(f"{op_name}: axis {a} is out of range for a tensor of rank {ndim}")
        out.append(int(a) % max(ndim, 1))
    if len(set(out)) != len(out):
        raise ShapeError(f"{op_name}: repeated axis in {axis}")
    return tuple(sorted(out))


def reduced_shape(shape, axes, keepdims):
    """Shape after reducing `axes` (normalized) of `shape`."""
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def unbroadcast(g, shape):
    """Sum the gradient `g` back down to `shape`, undoing NumPy broadcasting.

    This is the engine's one place that undoes broadcasts, so ops' vjps may
    return gradients in the broadcast output shape.
    """
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    if lead > 0 and g.shape[lead:] == shape and g.flags.c_contiguous:  # a bias: the commonest
        return sum_rows(g.reshape(-1, math.prod(shape))).reshape(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, d in enumerate(shape) if d == 1 and g.shape[lead + i] != 1)
    if axes and axes == tuple(range(len(axes))) and g.flags.c_contiguous:
        # a leading block (a bias over batch and positions): one axis sums faster
        return sum_rows(g.reshape(math.prod(g.shape[:len(axes)]), -1)).reshape(shape)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)
