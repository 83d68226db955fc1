"""Window machinery on channels-last arrays (N, *spatial, C): padding, strided window views,
batch chunks, and per-thread scratch buffers.

Convolution and pooling kernels work in channels-last layout; channels-first
arrays are viewed as channels-last at the edges, without copying.
"""
import math
import threading

import numpy as np

# Batches go through im2col in chunks of at most this many bytes: memory stays bounded,
# and a small reused buffer beats one big one. 2 MiB, one core's L2 cache, measured
# 2-3% faster in a training step than 4 MiB when two threads each take half the batch.
CHUNK_BYTES = 2 * 2**20
# Elementwise passes over strided windows also go a few items at a time, to stay in L2.
CACHE_BYTES = 2**20
_scratch = threading.local()


def channels_last(x, data_format):
    """A channels-last view of `x` (no copy)."""
    return np.moveaxis(x, 1, -1) if data_format == "channels_first" else x


def from_channels_last(y, data_format):
    """A view of channels-last `y` in `data_format` (no copy)."""
    return np.moveaxis(y, -1, 1) if data_format == "channels_first" else y


def padded_shape(x_shape, pads):
    """The shape of channels-last `x_shape` with `pads` (before, after) around its spatial axes."""
    return (x_shape[0], *(i + b + a for i, (b, a) in zip(x_shape[1:-1], pads)), x_shape[-1])


def pad_spatial(x, pads, value=0, slot=None, dtype=None):
    """Channels-last `x` with constant `value` around its spatial axes (x itself if no padding).

    With `slot`, the result lives in a reused buffer, as `dtype`, whose
    borders were filled when it was made: each call copies only x in.

    >>> pad_spatial(np.ones((1, 2, 1)), ((1, 0),))[0, :, 0]
    array([0., 1., 1.])
    """
    if not any(b or a for b, a in pads):
        return x
    shape = padded_shape(x.shape, pads)
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
    """Read-only view (N, *out, *k, C) of every window of padded channels-last `xp`.

    >>> windows(np.arange(4.0).reshape(1, 4, 1), (2,), (2,), (1,), (2,))[0, :, :, 0]
    array([[0., 1.],
           [2., 3.]])
    """
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
    """(start, stop) of consecutive batch chunks of at most `budget` bytes (one item at least).

    >>> batches(5, 3, budget=6)
    [(0, 2), (2, 4), (4, 5)]
    """
    step = max(1, min(n, (budget or CHUNK_BYTES) // max(bytes_per_item, 1)))
    return [(start, min(start + step, n)) for start in range(0, n, step)]
