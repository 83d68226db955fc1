"""Sliding-window geometry shared by convolution and pooling: arguments, padding, strided views.

Kernels work in channels-last layout (N, *spatial, C); channels-first inputs
are viewed as channels-last at the edges, without copying.
"""
import math
import threading

import numpy as np

from .. import arguments
from ..core.shapes import ShapeError, describe

# Batches go through im2col in chunks of at most this many bytes: memory stays bounded,
# and a small reused buffer beats one big one. 2 MiB, one core's L2 cache, measured
# 2-3% faster in a training step than 4 MiB when two threads each take half the batch.
CHUNK_BYTES = 2 * 2**20
# Elementwise passes over strided windows also go a few items at a time, to stay in L2.
CACHE_BYTES = 2**20
_scratch = threading.local()
_LAYOUTS = {1: "W", 2: "H, W", 3: "D, H, W"}


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
    if data_format == "channels_first":
        return (batch, channels, *spatial)
    return (batch, *spatial, channels)


def static_shape(x):
    """The shape of a tensor, symbol (None if unknown) or array-like."""
    return x.shape if hasattr(x, "shape") else np.shape(x)


def spatial_axes(op_name, x, data_format):
    """The spatial axes of `x` (N, *spatial, C) or (N, C, *spatial) in `data_format`."""
    arguments.data_format(data_format, op_name)
    shape = static_shape(x)
    if shape is None:
        raise ShapeError(f"{op_name}: needs an input of known rank, got '{x.name}' of "
                         "unknown shape")
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


def channels_last(x, data_format):
    """A channels-last view of `x` (no copy)."""
    return np.moveaxis(x, 1, -1) if data_format == "channels_first" else x


def from_channels_last(y, data_format):
    """A view of channels-last `y` in `data_format` (no copy)."""
    return np.moveaxis(y, -1, 1) if data_format == "channels_first" else y


def pad_spatial(x, pads, value=0, slot=None, dtype=None):
    """Channels-last `x` with constant `value` around its spatial axes (x itself if no padding).

    With `slot`, the result lives in a reused buffer, as `dtype`, whose
    borders were filled when it was made: each call copies only x in.
    """
    if not any(b or a for b, a in pads):
        return x
    shape = (x.shape[0], *(i + b + a for i, (b, a) in zip(x.shape[1:-1], pads)), x.shape[-1])
    dtype = np.dtype(dtype or x.dtype)
    out = np.empty(shape, dtype) if slot is None else _bordered(slot, shape, dtype, pads, value)
    out[interior(pads, x.shape[1:-1])] = x
    if slot is None:
        _fill_borders(out, pads, value)
    return out


def _fill_borders(out, pads, value):
    for axis, (b, a) in enumerate(pads, start=1):  # only the border slabs
        out[(slice(None),) * axis + (slice(0, b),)] = value
        out[(slice(None),) * axis + (slice(out.shape[axis] - a, None),)] = value


def _bordered(slot, shape, dtype, pads, value):
    """This thread's reused buffer of `shape`, its borders already `value`, for pad_spatial.

    One buffer per slot and geometry, kept for batches of up to its length.
    Filling borders is four small writes per call otherwise, and small NumPy
    calls are what slows two threads down (each hands the GIL over).
    """
    kept = getattr(_scratch, "bordered", None)
    if kept is None:
        kept = _scratch.bordered = {}
    key = (slot, shape[1:], dtype, tuple(map(tuple, pads)), value)
    buffer = kept.get(key)
    if buffer is None or len(buffer) < shape[0]:
        buffer = np.empty(shape, dtype)
        _fill_borders(buffer, pads, value)
        if buffer.nbytes <= 2 * CHUNK_BYTES:
            kept.pop(key, None)
            kept[key] = buffer
            while len(kept) > 16:  # the oldest geometries go first
                del kept[next(iter(kept))]
    return buffer[:shape[0]]


def scratch(slot, shape, dtype):
    """An uninitialised array in this thread's buffer `slot`, reused from call to call.

    Fresh memory costs a page fault per 4 KiB when first written (about 0.5 ms
    per MiB measured here), more than the arithmetic done on it. Only buffers
    up to 2 * CHUNK_BYTES are kept; a caller must be done with a slot's
    array before asking for that slot again.
    """
    dtype = np.dtype(dtype)
    size = math.prod(shape) * dtype.itemsize
    if size > 2 * CHUNK_BYTES:
        return np.empty(shape, dtype)
    kept = getattr(_scratch, slot, None)
    if kept is None or kept.nbytes < size:
        kept = np.empty(max(size, 1), np.uint8)
        setattr(_scratch, slot, kept)
    return kept[:size].view(dtype).reshape(shape)


def interior(pads, spatial):
    """Index of the unpadded cells in a padded channels-last array."""
    return (slice(None), *(slice(b, b + i) for i, (b, _) in zip(spatial, pads)), slice(None))


def windows(xp, k, s, d, out):
    """Read-only view (N, *out, *k, C) of every window of padded channels-last `xp`."""
    strides = xp.strides
    spatial = strides[1:-1]
    return np.lib.stride_tricks.as_strided(
        xp, (xp.shape[0], *out, *k, xp.shape[-1]),
        (strides[0], *(ss * st for ss, st in zip(s, spatial)),
         *(dd * st for dd, st in zip(d, spatial)), strides[-1]), writeable=False)


def offsets(k, s, d, out):
    """(offset number, index) for each window cell: the index picks that cell of every window."""
    for t, cell in enumerate(np.ndindex(*k)):
        yield t, (slice(None), *(slice(c * dd, c * dd + (o - 1) * ss + 1, ss)
                                 for c, ss, dd, o in zip(cell, s, d, out)), slice(None))


def batches(n, bytes_per_item, budget=None):
    """(start, stop) of consecutive batch chunks of at most `budget` bytes (one item at least)."""
    step = max(1, min(n, (budget or CHUNK_BYTES) // max(bytes_per_item, 1)))
    return [(start, min(start + step, n)) for start in range(0, n, step)]
