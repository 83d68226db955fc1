"""Max and average pooling over 1, 2 or 3 spatial axes (Keras conventions), and global pooling."""
import math

import numpy as np

from .. import arguments
from ..kernels import parallel
from ..core.apply import apply
from ..core.op import Op
from ..core.registry import register
from . import windows as win
from .reduce import max as reduce_max
from .reduce import mean


class Pool(Op):
    """Geometry shared by max and average pooling: windows of `pool_size` every `strides` cells."""

    name = "pool"

    def __init__(self, rank, pool_size, strides=None, padding="valid", data_format="channels_last"):
        self.kind = f"{self.name}_pool{rank}d"
        self.pool_size = arguments.int_tuple(pool_size, rank, self.kind, "pool_size")
        self.strides = self.pool_size if strides is None else arguments.int_tuple(
            strides, rank, self.kind, "strides")
        self.padding = arguments.padding(padding, self.kind)
        self.data_format = arguments.data_format(data_format, self.kind)
        self.rank = rank

    def attrs(self):
        return {"pool_size": self.pool_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format}

    def _geometry(self, x):
        """(padding pairs, output spatial size) for input shape `x`."""
        win.check_rank(self.kind, x, self.rank, self.data_format)
        spatial = win.split(x, self.data_format)[1]
        ones = (1,) * self.rank
        pads = win.pad_pairs(self.padding, spatial, self.pool_size, self.strides, ones)
        return pads, win.output_spatial(self.kind, x, spatial, self.pool_size, self.strides,
                                        ones, pads, f"pool_size {self.pool_size}")

    def _cells(self, out):
        return win.offsets(self.pool_size, self.strides, (1,) * self.rank, out)

    def shape(self, x):
        _, out = self._geometry(x)
        batch, _, channels = win.split(x, self.data_format)
        return win.join(batch, out, channels, self.data_format)


class MaxPool(Pool):
    """Largest value of each window; "same" padding cells never win.

    The gradient of a window goes to one cell only: the first that holds the
    maximum, in row-major order over the window (as PyTorch does). A cell that
    is the maximum of several overlapping windows gathers all their gradients.
    """

    name = "max"
    formulas = ("∂maxpool/∂x = 1 at each window's first maximum, else 0",)

    def forward(self, x):
        pads, out = self._geometry(x.shape)
        xp = win.pad_spatial(win.channels_last(x, self.data_format), pads, _lowest(x.dtype))
        cells = self._cells(out)
        y = xp[next(cells)[1]].copy()
        for _, index in cells:
            np.maximum(y, xp[index], out=y)
        return win.from_channels_last(y, self.data_format)

    def vjp(self, gy, xs, y, saved, needs):
        x = xs[0]
        pads, out = self._geometry(x.shape)
        xp = win.pad_spatial(win.channels_last(x, self.data_format), pads, _lowest(x.dtype))
        yl, gyl = win.channels_last(y, self.data_format), win.channels_last(gy, self.data_format)
        gxp = np.zeros(xp.shape, np.result_type(gy, x))
        cells = list(self._cells(out))
        disjoint = all(s >= k for s, k in zip(self.strides, self.pool_size))

        def part(first, last):
            for start, stop in win.batches(last - first, xp[:1].nbytes, win.CACHE_BYTES):
                start, stop = first + start, first + stop
                xc, yc, gc, g = xp[start:stop], yl[start:stop], gxp[start:stop], gyl[start:stop]
                hits = first_maxima((xc[index] for _, index in cells), yc)
                for (_, index), hit in zip(cells, hits):
                    if disjoint:  # no other window wrote here: store instead of adding
                        np.multiply(g, hit, out=gc[index])
                    else:
                        gc[index] += g * hit
        parallel.split(len(xp), xp.size * parallel.PASS, part)  # ~4 passes per cell, on 1/cells
        spatial = win.split(x.shape, self.data_format)[1]
        return (win.from_channels_last(gxp[win.interior(pads, spatial)], self.data_format),)


class AvgPool(Pool):
    """Mean of each window; with "same" padding, over the window's cells inside the input (as TF)."""

    name = "avg"
    formulas = ("∂avgpool/∂x = 1/(cells in the window), spread over the window",)

    def dtype(self, x):
        return x if np.dtype(x).kind in "fc" else np.dtype(np.float64)

    def _counts(self, pads, out, spatial, dtype):
        """Cells of each window inside the input, shaped to broadcast over (N, *out, C)."""
        if not any(b or a for b, a in pads):
            return math.prod(self.pool_size)
        counts = np.ones((1,) * (self.rank + 2), np.int64)
        for axis, (i, k, s, (b, _), o) in enumerate(
                zip(spatial, self.pool_size, self.strides, pads, out)):
            start = np.arange(o) * s - b
            inside = np.minimum(start + k, i) - np.maximum(start, 0)
            counts = counts * inside.reshape((-1,) + (1,) * (self.rank - axis))
        return counts.astype(dtype)

    def forward(self, x):
        pads, out = self._geometry(x.shape)
        dtype = self.dtype(x.dtype)
        xp = win.pad_spatial(win.channels_last(x, self.data_format).astype(dtype, copy=False), pads)
        cells = self._cells(out)
        y = xp[next(cells)[1]].copy()
        for _, index in cells:
            y += xp[index]
        y /= self._counts(pads, out, win.split(x.shape, self.data_format)[1], dtype)
        return win.from_channels_last(y, self.data_format)

    def vjp(self, gy, xs, y, saved, needs):
        x = xs[0]
        pads, out = self._geometry(x.shape)
        spatial = win.split(x.shape, self.data_format)[1]
        g = win.channels_last(gy, self.data_format) / self._counts(pads, out, spatial, y.dtype)
        gxp = np.zeros((x.shape[0], *(i + b + a for i, (b, a) in zip(spatial, pads)),
                        g.shape[-1]), g.dtype)
        for _, index in self._cells(out):
            gxp[index] += g
        return (win.from_channels_last(gxp[win.interior(pads, spatial)], self.data_format),)


def first_maxima(candidates, peak):
    """For each window cell in turn, a mask of the windows whose first maximum it holds.

    `candidates` gives the cells' values in row-major window order, each
    shaped like `peak`, the windows' maxima; a tie goes to the earlier cell (as
    PyTorch). The mask is one reused buffer: use it before taking the next.
    """
    hit = win.scratch("pool_hit", peak.shape, bool)
    taken = win.scratch("pool_taken", peak.shape, bool)  # windows whose maximum is handed out
    for t, values in enumerate(candidates):
        np.equal(values, peak, out=hit)
        if t:
            np.greater(hit, taken, out=hit)  # hit and not taken: later ties get nothing
            taken |= hit
        else:
            np.copyto(taken, hit)
        yield hit


def _lowest(dtype):
    """The value that never wins a max: -inf, the smallest integer, or False (a max is an any)."""
    if dtype.kind == "b":
        return False
    return -np.inf if dtype.kind in "fc" else np.iinfo(dtype).min


@register("passos")
def max_pool1d(x, pool_size, strides=None, padding="valid", data_format="channels_last", name=None):
    """Largest value per window: (N, W, C) -> (N, W', C); strides default to pool_size (Keras)."""
    return apply(MaxPool(1, pool_size, strides, padding, data_format), x, name=name)


@register("passos")
def max_pool2d(x, pool_size, strides=None, padding="valid", data_format="channels_last", name=None):
    """Largest value per window: (N, H, W, C) -> (N, H', W', C); strides default to pool_size.

    "same" pads as TensorFlow (output ceil(size / stride)); padding never wins.
    The gradient goes to the first maximum of each window in row-major order.

    >>> import numpy as np, passos
    >>> image = np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3],
    ...                   [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]], np.float32)
    >>> passos.max_pool2d(image[None, :, :, None], 3, strides=1).numpy()[0, :, :, 0]
    array([[3., 3., 3.],
           [3., 3., 3.],
           [3., 2., 3.]], dtype=float32)
    """
    return apply(MaxPool(2, pool_size, strides, padding, data_format), x, name=name)


@register("passos")
def max_pool3d(x, pool_size, strides=None, padding="valid", data_format="channels_last", name=None):
    """Largest value per window: (N, D, H, W, C) -> (N, D', H', W', C); as `max_pool2d`."""
    return apply(MaxPool(3, pool_size, strides, padding, data_format), x, name=name)


@register("passos")
def avg_pool1d(x, pool_size, strides=None, padding="valid", data_format="channels_last", name=None):
    """Mean per window: (N, W, C) -> (N, W', C); "same" averages only cells inside the input (TF)."""
    return apply(AvgPool(1, pool_size, strides, padding, data_format), x, name=name)


@register("passos")
def avg_pool2d(x, pool_size, strides=None, padding="valid", data_format="channels_last", name=None):
    """Mean per window: (N, H, W, C) -> (N, H', W', C); "same" averages only cells inside the input (TF)."""
    return apply(AvgPool(2, pool_size, strides, padding, data_format), x, name=name)


@register("passos")
def avg_pool3d(x, pool_size, strides=None, padding="valid", data_format="channels_last", name=None):
    """Mean per window: (N, D, H, W, C) -> (N, D', H', W', C); as `avg_pool2d`."""
    return apply(AvgPool(3, pool_size, strides, padding, data_format), x, name=name)


@register("passos")
def global_avg_pool(x, data_format="channels_last", name=None):
    """Mean over all spatial axes: (N, *spatial, C) -> (N, C)."""
    return mean(x, axis=win.spatial_axes("global_avg_pool", x, data_format), name=name)


@register("passos")
def global_max_pool(x, data_format="channels_last", name=None):
    """Largest value over all spatial axes: (N, *spatial, C) -> (N, C).

    Built on passos.max, so tied maxima share the gradient equally (as TF's reduce_max).
    """
    return reduce_max(x, axis=win.spatial_axes("global_max_pool", x, data_format), name=name)
