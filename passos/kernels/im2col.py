"""Convolution as matrix products (im2col): correlation, the kernel gradient, and the input
gradient by transposed correlation (stride 1) or col2im (any stride).

Arrays are channels-last: x (N, *spatial, C_in), a kernel (*k, C_in, C_out)
or its matrix W2 (cells * C_in, C_out) in TensorFlow's order (cells, then
C_in). `pads` holds one (before, after) pair per spatial axis, `s` the
strides, `d` the dilations, `out` the output's spatial size. Each works a
few batch items at a time (see windows.CHUNK_BYTES) in reused scratch buffers.
"""
import math

import numpy as np

from . import parallel
from . import windows as win
from .arrays import relu


def work(outputs, terms, products, passes):
    """Multiply-adds worth splitting over threads: `products` products of `terms` terms per
    output cell, and `passes` elementwise passes over the output.

    Products of few terms (a first layer's 3x3 window on 1 channel: 9) are
    bound by memory, not arithmetic: two threads only contend (measured), so
    they count as no work and run whole.
    """
    if terms < 32:
        return 0
    return outputs * (products * terms + passes * parallel.PASS)


def blank_columns(x, pads, rows, width, dtype, ones, transposed=False):
    """(first item, last item, padded items, im2col matrix to fill) per batch chunk of x.

    The matrix, a reused scratch buffer, has `rows` rows per item and `width`
    columns, then a column of ones when `ones` (it multiplies a bias row).
    With `transposed` it is stored column by column (the transpose of a
    C-contiguous array); BLAS takes either layout at the same speed.
    """
    for start, stop in win.batches(x.shape[0], rows * width * dtype.itemsize):
        xp = win.pad_spatial(x[start:stop], pads, slot="conv_pad", dtype=dtype)
        shape = ((stop - start) * rows, width + ones)
        matrix = win.scratch("conv_cols", shape[::-1], dtype).T if transposed else \
            win.scratch("conv_cols", shape, dtype)
        if ones:
            matrix[:, width] = 1
        yield start, stop, xp, matrix


def columns(x, pads, k, s, d, out, dtype, ones=False):
    """(first row, last row, im2col matrix of those rows) per batch chunk of x.

    Each chunk is padded, then its windows copied, into reused scratch buffers.
    With `ones`, the matrix ends with a column of ones, which multiplies a bias row.
    """
    rows, c = math.prod(out), x.shape[-1]
    width = math.prod(k) * c
    for start, stop, xp, matrix in blank_columns(x, pads, rows, width, dtype, ones, c == 1):
        windows = win.windows(xp, k, s, d, out)
        if c == 1:  # one channel: one copy, along output rows, into the matrix column by column
            n, r = stop - start, len(k)
            target = matrix[:, :width].T.reshape(*k, n, *out)
            np.copyto(target, windows[..., 0].transpose(*range(r + 1, 2 * r + 1), *range(r + 1)))
        else:
            np.copyto(matrix[:, :width].reshape(stop - start, *out, *k, c), windows)
        yield start * rows, stop * rows, matrix


def correlate(x, pads, W2, k, s, d, out, bias=None, relu_after=False, y=None):
    """x (N, *in, C_in), padded by `pads`, correlated with W2 (cells*C_in, C_out) -> (N, *out, C_out).

    A `bias` (C_out,) rides in the product as one more row of W2 (against a
    column of ones), and `relu_after` takes max(., 0) of each chunk while it
    is still in cache. The result goes into `y` when given.

    >>> correlate(np.arange(4.0).reshape(1, 4, 1), ((0, 0),), np.ones((2, 1)), (2,), (1,), (1,),
    ...           (3,))[0, :, 0]
    array([1., 3., 5.])
    """
    if y is None:
        y = np.empty((x.shape[0], *out, W2.shape[1]), W2.dtype)
    y2 = y.reshape(-1, W2.shape[1])
    if bias is not None:
        W2 = np.concatenate([W2, bias[None]])
    for start, stop, cols in columns(x, pads, k, s, d, out, W2.dtype, ones=bias is not None):
        chunk = y2[start:stop]
        np.matmul(cols, W2, out=chunk)
        if relu_after:
            relu(chunk, out=chunk)
    return y


def kernel_grad(x, pads, gy, k, s, d, out, dtype, ones=False):
    """dL/dW as a (cells * C_in, C_out) matrix: im2col(x).T @ gy, chunk by chunk.

    With `ones`, one more row holds the bias gradient: gy summed over rows.
    """
    g2 = gy.reshape(-1, gy.shape[-1])
    gW = np.zeros((math.prod(k) * x.shape[-1] + ones, gy.shape[-1]), dtype)
    for start, stop, cols in columns(x, pads, k, s, d, out, dtype, ones=ones):
        gW += cols.T @ g2[start:stop]
    return gW


def transposed(gy, W, d, pads, spatial, gx=None):
    """Input gradient for stride 1: gy, padded to full size, correlated with the flipped kernel.

    Needs every padding at most the dilated kernel's reach (see `transposable`).
    """
    k = W.shape[:-2]
    flipped = np.flip(W, axis=tuple(range(len(k)))).swapaxes(-1, -2)
    edges = tuple((dd * (kk - 1) - b, dd * (kk - 1) - a) for dd, kk, (b, a) in zip(d, k, pads))
    return correlate(gy, edges, flipped.reshape(-1, W.shape[-2]), k, (1,) * len(k), d, spatial,
                     y=gx)


def transposable(k, s, d, pads):
    """Whether `transposed` can give the input gradient (stride 1, padding within reach)."""
    return all(ss == 1 for ss in s) and all(
        max(p) <= dd * (kk - 1) for p, dd, kk in zip(pads, d, k))


def col2im(gy, W, s, d, pads, spatial):
    """Input gradient for any stride: each window's share gy @ W.T added back where it was read."""
    k, c_in = W.shape[:-2], W.shape[-2]
    out = gy.shape[1:-1]
    n, rows, width = gy.shape[0], math.prod(out), math.prod(W.shape[:-1])
    W2 = W.reshape(width, -1)
    gxp = np.zeros(win.padded_shape((n, *spatial, c_in), pads), W.dtype)
    for start, stop in win.batches(n, rows * width * W.itemsize):
        g2 = gy[start:stop].reshape(-1, W2.shape[1])
        gcols = win.scratch("conv_cols", (len(g2), width), W.dtype)
        np.matmul(g2, W2.T, out=gcols)
        gcols = gcols.reshape(stop - start, *out, math.prod(k), c_in)
        target = gxp[start:stop]
        for t, index in win.offsets(k, s, d, out):
            target[index] += gcols[..., t, :]
    return gxp[win.interior(pads, spatial)]
