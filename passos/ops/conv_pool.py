"""The course's CONV -> POOL -> ReLU block as one op: relu(max_pool_2x2(conv2d(x, W) + b)).

Max and ReLU commute, so this is also a ReLU convolution followed by 2x2
max pooling, value for value and gradient for gradient: the same first
maximum of each window takes the gradient. Sequential models' compiled plans
run that layer pair through this op (keras/engine/fusion.py). Together, the
convolution can write its output one window cell after another (for each
image: all top-left cells, then all top-right ...), so pooling is three
maxima over contiguous blocks instead of strided views, and the ReLU and its
gradient cover the pooled output, a quarter of the size. Stride 1, no
dilation, channels_last only.
"""
import itertools
import math

import numpy as np

from ..core import parallel
from ..core.op import Op
from ..core.shapes import ShapeError, describe, sum_rows
from . import windows as win
from .conv import Conv, _blank_columns, _total, _transposed, _work
from .elementwise import relu_array
from .pool import first_maxima


class ConvPool(Op):
    """relu(max_pool2d(conv2d(x, W, padding) + b, 2)); inputs x (N, H, W, C_in), W, optional b."""

    kind = "conv_pool2d"
    saves = True  # the convolution's output, window cell by cell, and its pooled maxima

    def __init__(self, padding="valid"):
        self.conv = Conv(2, 1, padding)
        self.padding = self.conv.padding

    def attrs(self):
        return {"padding": self.padding, "pool_size": (2, 2), "activation": "relu"}

    def _geometry(self, x, W):
        pads, out = self.conv._geometry(x, W)
        if any(o is not None and o % 2 for o in out):
            raise ShapeError(f"{self.kind}: the convolution's output of size {describe(out)} "
                             f"(input {describe(x)}, kernel {describe(W)}) must be even to "
                             "pool 2x2 without a remainder")
        return pads, out

    def shape(self, x, W, b=None):
        self.conv.shape(x, W, b)
        _, (h, w) = self._geometry(x, W)
        return (x[0], None if h is None else h // 2, None if w is None else w // 2, W[-1])

    def forward(self, x, W, b=None):
        pads, out = self._geometry(x.shape, W.shape)
        dtype = np.result_type(x, W) if b is None else np.result_type(x, W, b)
        W2 = W.reshape(-1, W.shape[-1]).astype(dtype, copy=False)
        if b is not None:
            W2 = np.concatenate([W2, np.asarray(b, dtype)[None]])
        n, half = len(x), (out[0] // 2, out[1] // 2)
        cells = np.empty((n, 4, *half, W.shape[-1]), dtype)  # conv output, cell-major
        peak = np.empty((n, *half, W.shape[-1]), dtype)       # each window's maximum
        y = np.empty_like(peak)

        def part(first, last):
            for start, stop, cols in _cell_columns(x[first:last], pads, W.shape[:2], out,
                                                   dtype, ones=b is not None):
                start, stop = first + start, first + stop
                chunk, top = cells[start:stop], peak[start:stop]
                np.matmul(cols, W2, out=chunk.reshape(-1, W2.shape[1]))
                np.maximum(chunk[:, 0], chunk[:, 1], out=top)
                np.maximum(top, chunk[:, 2], out=top)
                np.maximum(top, chunk[:, 3], out=top)
                relu_array(top, out=y[start:stop])
        # pooling and ReLU are one pass over `cells`, worth splitting even when the product is not
        parallel.split(n, _work(cells.size, W2.shape[0], 1, 0) + cells.size * parallel.PASS, part)
        return y, (cells, peak)

    def vjp(self, gy, xs, y, saved, needs):
        x, W = xs[:2]
        cells, peak = saved
        pads, out = self._geometry(x.shape, W.shape)
        dtype, bias = cells.dtype, len(xs) == 3 and needs[2]
        gy = np.broadcast_to(gy, y.shape)
        gx = np.empty(x.shape, dtype) if needs[0] else None
        Wd = W.astype(dtype, copy=False)

        def part(first, last):
            g = gy[first:last] * (peak[first:last] > 0)  # through the ReLU
            gcells = _unpool(g, cells[first:last], peak[first:last])
            gW = gb = None
            if needs[1]:
                gW = np.zeros((math.prod(W.shape[:-1]) + bias, W.shape[-1]), dtype)
                for start, stop, cols in _cell_columns(x[first:last], pads, W.shape[:2], out,
                                                       dtype, ones=bias):
                    gW += cols.T @ gcells[start:stop].reshape(-1, W.shape[-1])
                gW, gb = (gW[:-1], gW[-1]) if bias else (gW, None)
            elif bias:
                gb = sum_rows(gcells.reshape(-1, W.shape[-1]))
            if needs[0]:  # the usual input gradient, from the gradient in standard layout
                h, w = out[0] // 2, out[1] // 2
                gfull = gcells.reshape(-1, 2, 2, h, w, W.shape[-1]).transpose(0, 3, 1, 4, 2, 5)
                gfull = gfull.reshape(-1, *out, W.shape[-1])
                _transposed(gfull, Wd, (1, 1), pads, x.shape[1:3], gx[first:last])
            return gW, gb
        work = _work(cells.size, math.prod(W.shape[:-1]), needs[0] + needs[1], 0) + \
            cells.size * 4 * parallel.PASS  # handing the gradient to the maxima: ~4 passes
        parts = parallel.split(len(x), work, part)
        gW, gb = _total([p[0] for p in parts]), _total([p[1] for p in parts])
        return (gx, None if gW is None else gW.reshape(W.shape)) + ((gb,) if len(xs) == 3 else ())


def _unpool(g, cells, peak):
    """Each window's gradient g, handed to its first cell that holds the maximum."""
    gcells = win.scratch("conv_pool_g", cells.shape, np.result_type(g, cells))
    for c, hit in enumerate(first_maxima((cells[:, c] for c in range(4)), peak)):
        np.multiply(g, hit, out=gcells[:, c])
    return gcells


def _cell_columns(x, pads, k, out, dtype, ones=False):
    """(first item, last item, im2col matrix) per batch chunk, rows in cell-major order.

    Rows run image by image; within one, over window cells (0,0), (0,1),
    (1,0), (1,1) of the 2x2 pooling, then over the pooled positions.
    With `ones`, a last column of ones multiplies a bias row.
    """
    c = x.shape[-1]
    width = math.prod(k) * c
    h, w = out[0] // 2, out[1] // 2
    for start, stop, xp, matrix in _blank_columns(x, pads, math.prod(out), width, dtype, ones):
        n = stop - start
        target = matrix[:, :width].reshape(n, 2, 2, h, w, *k, c)
        if c == 1:  # one channel: copying cell by cell runs along rows, 2x faster
            for (di, dj), (ki, kj) in itertools.product(np.ndindex(2, 2), np.ndindex(*k)):
                i, j = di + ki, dj + kj
                target[:, di, dj, :, :, ki, kj] = xp[:, i:i + 2 * h - 1:2, j:j + 2 * w - 1:2]
        else:
            windows = win.windows(xp, k, (1, 1), (1, 1), out).reshape(n, h, 2, w, 2, *k, c)
            np.copyto(target, windows.transpose(0, 2, 4, 1, 3, 5, 6, 7))
        yield start, stop, matrix
