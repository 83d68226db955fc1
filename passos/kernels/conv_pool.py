"""The CONV -> 2x2 MAX-POOL -> ReLU block with its convolution output in cell-major order.

The convolution writes its output one window cell after another (for each
image: all top-left cells, then all top-right ...), so pooling is three
maxima over contiguous blocks instead of strided views, and the ReLU and its
gradient cover the pooled output, a quarter of the size. Stride 1, no
dilation, channels-last; `out` (the convolution's output size) is even.
"""
import math

import numpy as np

from . import windows as win
from .arrays import relu, sum_rows
from .im2col import blank_columns, transposed


def forward_block(x, pads, k, out, W2, bias):
    """(cells, peak, y) of one block: the convolution (N, 4, H/2, W/2, C_out) cell by cell,
    each window's maximum and its ReLU (N, H/2, W/2, C_out), a batch chunk at a time.

    W2 is the kernel as a (cells * C_in, C_out) matrix, with the bias as one
    more row when `bias`.
    """
    n, half, channels = len(x), (out[0] // 2, out[1] // 2), W2.shape[1]
    cells = np.empty((n, 4, *half, channels), W2.dtype)
    peak = np.empty((n, *half, channels), W2.dtype)
    y = np.empty_like(peak)
    for start, stop, cols in cell_columns(x, pads, k, out, W2.dtype, ones=bias):
        chunk, top = cells[start:stop], peak[start:stop]
        np.matmul(cols, W2, out=chunk.reshape(-1, channels))
        np.maximum(chunk[:, 0], chunk[:, 1], out=top)
        np.maximum(top, chunk[:, 2], out=top)
        np.maximum(top, chunk[:, 3], out=top)
        relu(top, out=y[start:stop])
    return cells, peak, y


def block_vjp(gy, x, W, pads, out, cells, peak, need_W, need_b, gx):
    """One block's gradients: (kernel, bias) gradients, each None when not needed, and the
    input gradient written into `gx` unless that is None."""
    g = gy * (peak > 0)  # through the ReLU
    gcells = unpool(g, cells, peak)
    gW = gb = None
    channels = W.shape[-1]
    if need_W:
        gW = np.zeros((math.prod(W.shape[:-1]) + need_b, channels), W.dtype)
        for start, stop, cols in cell_columns(x, pads, W.shape[:2], out, W.dtype, ones=need_b):
            gW += cols.T @ gcells[start:stop].reshape(-1, channels)
        gW, gb = (gW[:-1], gW[-1]) if need_b else (gW, None)
    elif need_b:
        gb = sum_rows(gcells.reshape(-1, channels))
    if gx is not None:  # the usual input gradient, from the gradient in standard layout
        h, w = out[0] // 2, out[1] // 2
        gfull = gcells.reshape(-1, 2, 2, h, w, channels).transpose(0, 3, 1, 4, 2, 5)
        gfull = gfull.reshape(-1, *out, channels)
        transposed(gfull, W, (1, 1), pads, x.shape[1:3], gx)
    return gW, gb


def unpool(g, cells, peak):
    """Each window's gradient g, handed to its first cell that holds the maximum (as PyTorch).

    All four cells at once, in a few large NumPy calls: a cell-by-cell loop
    made three times the calls, and two threads slow each other down on small
    calls (each hands the GIL over).
    """
    hit = win.scratch("conv_pool_hit", cells.shape, bool)
    np.equal(cells, peak[:, None], out=hit)
    before = win.scratch("conv_pool_before", (len(cells), 3, *cells.shape[2:]), bool)
    np.copyto(before[:, 0], hit[:, 0])  # before[:, c]: a maximum among cells 0..c
    np.logical_or(before[:, 0], hit[:, 1], out=before[:, 1])
    np.logical_or(before[:, 1], hit[:, 2], out=before[:, 2])
    np.greater(hit[:, 1:], before, out=hit[:, 1:])  # a maximum with none before it
    gcells = win.scratch("conv_pool_g", cells.shape, np.result_type(g, cells))
    return np.multiply(g[:, None], hit, out=gcells)


def cell_columns(x, pads, k, out, dtype, ones=False):
    """(first item, last item, im2col matrix) per batch chunk, rows in cell-major order.

    Rows run image by image; within one, over window cells (0,0), (0,1),
    (1,0), (1,1) of the 2x2 pooling, then over the pooled positions.
    With `ones`, a last column of ones multiplies a bias row.
    """
    c = x.shape[-1]
    width = math.prod(k) * c
    h, w = out[0] // 2, out[1] // 2
    for start, stop, xp, matrix in blank_columns(x, pads, math.prod(out), width, dtype, ones,
                                                 c == 1):
        n = stop - start
        windows = win.windows(xp, k, (1, 1), (1, 1), out).reshape(n, h, 2, w, 2, *k, c)
        if c == 1:  # one channel: one copy, along output rows, into the matrix column by column
            target = matrix[:, :width].T.reshape(*k, n, 2, 2, h, w)
            np.copyto(target, windows[..., 0].transpose(5, 6, 0, 2, 4, 1, 3))
        else:
            target = matrix[:, :width].reshape(n, 2, 2, h, w, *k, c)
            np.copyto(target, windows.transpose(0, 2, 4, 1, 3, 5, 6, 7))
        yield start, stop, matrix
