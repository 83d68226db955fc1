"""Sliding-window geometry shared by convolution and pooling: arguments, padding, output sizes.

The array work is in passos.kernels; its layout helpers are re-exported for the ops here.
"""
import functools
import math

import numpy as np

from .. import arguments
from ..core.shapes import ShapeError, describe
from ..kernels.windows import channels_last, from_channels_last  # noqa: F401 - for the ops

_LAYOUTS = {1: "W", 2: "H, W", 3: "D, H, W"}


def by_shapes(method):
    """Remember an op's geometry method by its shape arguments (tuples), per op instance.

    A plan meets the same shapes every step, and each part of an op split over
    threads would otherwise redo the geometry on its own thread, holding the GIL
    that the other part needs. What is remembered is a pure function of the shapes.
    """
    @functools.wraps(method)
    def remembered(self, *shapes):
        known = self.__dict__.setdefault("_" + method.__name__, {})
        try:
            return known[shapes]
        except KeyError:
            found = known[shapes] = method(self, *shapes)
            return found
        except TypeError:  # an unhashable shape (a list): compute it
            return method(self, *shapes)
    return remembered


def conv_output_size(i, k, s=1, p=0, d=1):
    """Windows along one axis: floor((i + 2p - d(k-1) - 1) / s) + 1.

    >>> conv_output_size(28, 3), conv_output_size(28, 3, p=1), conv_output_size(5, 2, s=2)
    (26, 28, 2)
    """
    return (i + 2 * p - d * (k - 1) - 1) // s + 1


def same_pads(i, k, s, d):
    """TensorFlow's "same" (before, after) padding: output ceil(i/s), the extra cell at the end."""
    total = max((math.ceil(i / s) - 1) * s + d * (k - 1) + 1 - i, 0)
    return total // 2, total - total // 2


def pad_pairs(padding, spatial, k, s, d):
    """One (before, after) pair per spatial axis (None where "same" meets an unknown size)."""
    if padding == "valid":
        return ((0, 0),) * len(spatial)
    if padding == "same":
        return tuple(None if i is None or kk is None else same_pads(i, kk, ss, dd)
                     for i, kk, ss, dd in zip(spatial, k, s, d))
    return padding


def split(shape, data_format):
    """(batch, spatial dims, channels) of a shape in `data_format`."""
    if data_format == "channels_first":
        return shape[0], tuple(shape[2:]), shape[1]
    return shape[0], tuple(shape[1:-1]), shape[-1]


def join(batch, spatial, channels, data_format):
    """The shape with these parts in `data_format`."""
    return (batch, channels, *spatial) if data_format == "channels_first" else (batch, *spatial, channels)


def static_shape(x):
    """The shape of a tensor, symbol (None if unknown) or array-like."""
    return x.shape if hasattr(x, "shape") else np.shape(x)


def spatial_axes(op_name, x, data_format):
    """The spatial axes of `x` (N, *spatial, C) or (N, C, *spatial) in `data_format`."""
    arguments.data_format(data_format, op_name)
    shape = static_shape(x)
    if shape is None:
        raise ShapeError(f"{op_name}: needs an input of known rank, got '{x.name}' of unknown shape")
    if len(shape) < 3:
        raise ShapeError(f"{op_name}: expects an input (N, *spatial, C) ({data_format}) with "
                         f"at least one spatial axis, got shape {describe(shape)}")
    first = 2 if data_format == "channels_first" else 1
    return tuple(range(first, first + len(shape) - 2))


def check_rank(op_name, shape, rank, data_format, kernel=None):
    """ShapeError unless `shape` has batch, `rank` spatial axes and channels."""
    if len(shape) != rank + 2:
        layout = _LAYOUTS.get(rank, "*spatial")
        expected = f"(N, C, {layout})" if data_format == "channels_first" else f"(N, {layout}, C)"
        paired = "" if kernel is None else f" with the kernel of shape {describe(kernel)}"
        hint = "; add a batch axis (x[None])" if len(shape) == rank + 1 else ""
        raise ShapeError(f"{op_name}: expects an input of rank {rank + 2} {expected} "
                         f"({data_format}), got shape {describe(shape)}{paired}{hint}")


def output_spatial(op_name, shape, spatial, k, s, d, pads, window):
    """Output size per spatial axis, or ShapeError when a `window` overhangs the padded input."""
    out = []
    for axis, (i, kk, ss, dd, pair) in enumerate(zip(spatial, k, s, d, pads)):
        if i is None or kk is None:
            out.append(None)
            continue
        padded = i + pair[0] + pair[1]
        span = dd * (kk - 1) + 1
        if span > padded:
            dilated = f" (dilation {dd})" if dd > 1 else ""
            raise ShapeError(f"{op_name}: the {window} spans {span} cells{dilated} along "
                             f"spatial axis {axis}, more than the {padded} of the padded input "
                             f"of shape {describe(shape)}; use a smaller window or "
                             f"padding='same'")
        out.append(conv_output_size(padded, kk, ss, 0, dd))
    return tuple(out)


def kernel_geometry(op, x, W, last_axis):
    """(padding pairs, output spatial size) of a convolution-like `op` (its kind, rank, data_format,
    padding, strides and dilation_rate) on input shape `x`, kernel shape `W` (*kernel_size, C_in,
    last_axis), raising ShapeError naming the op for shapes that do not fit."""
    check_rank(op.kind, x, op.rank, op.data_format, W)
    if len(W) != op.rank + 2:
        raise ShapeError(f"{op.kind}: expects a kernel of rank {op.rank + 2} "
                         f"(*kernel_size, C_in, {last_axis}), got shape {describe(W)} for input "
                         f"shape {describe(x)}")
    _, spatial, channels = split(x, op.data_format)
    if channels is not None and W[-2] is not None and channels != W[-2]:
        raise ShapeError(f"{op.kind}: input of shape {describe(x)} has {channels} channels "
                         f"({op.data_format}) but the kernel of shape {describe(W)} "
                         f"expects C_in = {W[-2]}")
    k, s, d = W[:-2], op.strides, op.dilation_rate
    if 0 in k:
        raise ShapeError(f"{op.kind}: the kernel of shape {describe(W)} has an empty spatial "
                         f"axis; kernel sizes must be at least 1 (kernel_size {describe(k)})")
    pads = pad_pairs(op.padding, spatial, k, s, d)
    return pads, output_spatial(op.kind, x, spatial, k, s, d, pads, f"kernel of shape {describe(W)}")
