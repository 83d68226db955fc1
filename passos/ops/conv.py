"""Convolution over 1, 2 or 3 spatial axes (TensorFlow's cross-correlation): im2col + matmul."""
import math

import numpy as np

from ..core.apply import apply
from .. import arguments
from ..kernels import parallel
from ..core.op import Op
from ..core.registry import register
from ..core.shapes import ShapeError, describe, sum_rows
from . import windows as win
from .elementwise import relu_array


class Conv(Op):
    """y[n, o, co] = sum over window cells t and channels ci of xp[n, o*s + t*d, ci] * W[t, ci, co].

    Every window of the padded input is copied into an im2col buffer and
    multiplied by the kernel viewed as a (cells * C_in, C_out) matrix, a few
    batch items at a time (see windows.CHUNK_BYTES); backward rebuilds the
    buffer rather than keeping it, which is cheaper than reading it back.

    An optional third input, a bias of shape (C_out,), is added to every
    output position, and `activation="relu"` then takes max(., 0). Keras
    layers fuse both here rather than running two more passes over memory:
    the bias rides in the product (a column of ones in the im2col matrix), and
    the ReLU runs on each chunk of the output while it is still in cache.
    """

    def __init__(self, rank, strides=1, padding="valid", dilation_rate=1,
                 data_format="channels_last", activation=None):
        self.kind = f"conv{rank}d"
        self.rank = rank
        self.strides = arguments.int_tuple(strides, rank, self.kind, "strides")
        self.padding = arguments.padding(padding, self.kind, rank)
        self.dilation_rate = arguments.int_tuple(dilation_rate, rank, self.kind, "dilation_rate")
        self.data_format = arguments.data_format(data_format, self.kind)
        if activation not in (None, "relu"):
            raise ValueError(f"{self.kind}: activation must be None or 'relu', got {activation!r}")
        self.activation = activation

    def attrs(self):
        attrs = {"strides": self.strides, "padding": self.padding,
                 "dilation_rate": self.dilation_rate, "data_format": self.data_format}
        return {**attrs, "activation": self.activation} if self.activation else attrs

    @property
    def formulas(self):  # x and W, then the fused bias; with the fused ReLU, gy is masked first
        g = "gy·[y > 0]" if self.activation == "relu" else "gy"
        return (f"∂conv/∂x: each window's {g}·Wᵀ added back where the window read x",
                f"∂conv/∂W: Σ over windows of x(window) · {g} (im2col(x)ᵀ @ {g})",
                f"∂conv/∂b: Σ of {g} over the batch and every position")

    def _geometry(self, x, W):
        """(padding pairs, output spatial size) for input shape `x` and kernel shape `W`."""
        win.check_rank(self.kind, x, self.rank, self.data_format, W)
        if len(W) != self.rank + 2:
            raise ShapeError(f"{self.kind}: expects a kernel of rank {self.rank + 2} "
                             f"(*kernel_size, C_in, C_out), got shape {describe(W)} for input "
                             f"shape {describe(x)}")
        _, spatial, channels = win.split(x, self.data_format)
        if channels is not None and W[-2] is not None and channels != W[-2]:
            raise ShapeError(f"{self.kind}: input of shape {describe(x)} has {channels} channels "
                             f"({self.data_format}) but the kernel of shape {describe(W)} "
                             f"expects C_in = {W[-2]}")
        k, s, d = W[:-2], self.strides, self.dilation_rate
        if 0 in k:
            raise ShapeError(f"{self.kind}: the kernel of shape {describe(W)} has an empty spatial "
                             f"axis; kernel sizes must be at least 1 (kernel_size {describe(k)})")
        pads = win.pad_pairs(self.padding, spatial, k, s, d)
        return pads, win.output_spatial(self.kind, x, spatial, k, s, d, pads,
                                        f"kernel of shape {describe(W)}")

    def shape(self, x, W, b=None):
        _, out = self._geometry(x, W)
        if b is not None and (len(b) != 1 or None not in (b[0], W[-1]) and b[0] != W[-1]):
            raise ShapeError(f"{self.kind}: the bias must hold one value per output channel, "
                             f"shape ({W[-1]},) for the kernel of shape {describe(W)}; "
                             f"got shape {describe(b)}")
        return win.join(x[0], out, W[-1], self.data_format)

    def forward(self, x, W, b=None):
        pads, out = self._geometry(x.shape, W.shape)
        dtype = np.result_type(x, W) if b is None else np.result_type(x, W, b)
        W2 = W.reshape(-1, W.shape[-1]).astype(dtype, copy=False)  # TF's order: cells, then C_in
        bias = None if b is None else np.asarray(b, dtype)
        y = _correlate(win.channels_last(x, self.data_format), pads, W2, W.shape[:-2],
                       self.strides, self.dilation_rate, out, bias, self.activation == "relu")
        return win.from_channels_last(y, self.data_format)

    def vjp(self, gy, xs, y, saved, needs):
        x, W = xs[:2]
        pads, out = self._geometry(x.shape, W.shape)
        k, s, d = W.shape[:-2], self.strides, self.dilation_rate
        fmt, dtype = self.data_format, y.dtype
        xl, yl = win.channels_last(x, fmt), win.channels_last(y, fmt)
        gyl = win.channels_last(np.broadcast_to(gy, y.shape), fmt)
        spatial = win.split(x.shape, fmt)[1]
        Wd = W.astype(dtype, copy=False)
        transposed = all(ss == 1 for ss in s) and all(
            max(p) <= dd * (kk - 1) for p, dd, kk in zip(pads, d, k))
        gxl = np.empty(xl.shape, dtype) if needs[0] else None
        bias = len(xs) == 3 and needs[2]

        def part(first, last):  # everything for batch items first..last-1, on one thread
            g = gyl[first:last]
            if self.activation == "relu":  # through the fused ReLU first
                masked = win.scratch("conv_relu_grad", g.shape, np.result_type(g, dtype))
                g = np.multiply(g, yl[first:last] > 0, out=masked)
            gW = gb = None
            if needs[1]:  # with a bias, its gradient comes out of the same product
                gW = _kernel_grad(xl[first:last], pads, g, k, s, d, out, dtype, ones=bias)
                gW, gb = (gW[:-1], gW[-1]) if bias else (gW, None)
            elif bias:
                gb = sum_rows(g.reshape(-1, g.shape[-1]))
            if needs[0] and transposed:
                _transposed(g, Wd, d, pads, spatial, gxl[first:last])
            elif needs[0]:
                gxl[first:last] = _col2im(g, Wd, s, d, pads, spatial)
            return gW, gb
        work = _work(gyl.size, math.prod(W.shape[:-1]), needs[0] + needs[1], 2)
        parts = parallel.split(len(x), work, part)
        gW = _total([p[0] for p in parts])
        gb = _total([p[1] for p in parts])
        gx = None if gxl is None else win.from_channels_last(gxl, fmt)
        return (gx, None if gW is None else gW.reshape(W.shape)) + ((gb,) if len(xs) == 3 else ())


def _total(partials):
    """The sum of per-part arrays (None when the parts computed none)."""
    if partials[0] is None:
        return None
    total = partials[0]
    for other in partials[1:]:
        total += other
    return total


def _blank_columns(x, pads, rows, width, dtype, ones, transposed=False):
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


def _columns(x, pads, k, s, d, out, dtype, ones=False):
    """(first row, last row, im2col matrix of those rows) per batch chunk of channels-last x.

    Each chunk is padded, then its windows copied, into reused scratch buffers.
    With `ones`, the matrix ends with a column of ones, which multiplies a bias row.
    """
    rows, c = math.prod(out), x.shape[-1]
    width = math.prod(k) * c
    for start, stop, xp, matrix in _blank_columns(x, pads, rows, width, dtype, ones, c == 1):
        windows = win.windows(xp, k, s, d, out)
        if c == 1:  # one channel: one copy, along output rows, into the matrix column by column
            n, r = stop - start, len(k)
            target = matrix[:, :width].T.reshape(*k, n, *out)
            np.copyto(target, windows[..., 0].transpose(*range(r + 1, 2 * r + 1), *range(r + 1)))
        else:
            np.copyto(matrix[:, :width].reshape(stop - start, *out, *k, c), windows)
        yield start * rows, stop * rows, matrix


def _correlate(x, pads, W2, k, s, d, out, bias=None, relu=False, y=None):
    """x (N, *in, C_in), padded by `pads`, correlated with W2 (cells*C_in, C_out) -> (N, *out, C_out).

    A `bias` (C_out,) rides in the product as one more row of W2 (against a
    column of ones), and `relu` takes max(., 0) of each chunk as it is made.
    The result goes into `y` when given.
    """
    if y is None:
        y = np.empty((x.shape[0], *out, W2.shape[1]), W2.dtype)
    y2 = y.reshape(-1, W2.shape[1])
    rows = math.prod(out)
    if bias is not None:
        W2 = np.concatenate([W2, bias[None]])

    def part(first, last):  # batch items first..last-1
        base = first * rows
        for start, stop, cols in _columns(x[first:last], pads, k, s, d, out, W2.dtype,
                                          ones=bias is not None):
            chunk = y2[base + start:base + stop]
            np.matmul(cols, W2, out=chunk)
            if relu:
                relu_array(chunk, out=chunk)
    parallel.split(x.shape[0], _work(y2.size, W2.shape[0], 1, relu), part)
    return y


def _work(outputs, terms, products, passes):
    """The work parallel.split weighs: `products` products of `terms` terms per output cell,
    and `passes` elementwise passes over the output.

    Products of few terms (a first layer's 3x3 window on 1 channel: 9) are
    bound by memory, not arithmetic: two threads only contend (measured), so
    they count as no work and run whole.
    """
    if terms < 32:
        return 0
    return outputs * (products * terms + passes * parallel.PASS)


def _kernel_grad(x, pads, gy, k, s, d, out, dtype, ones=False):
    """dL/dW as a (cells * C_in, C_out) matrix: im2col(x).T @ gy, chunk by chunk.

    With `ones`, one more row holds the bias gradient: gy summed over rows.
    """
    g2 = gy.reshape(-1, gy.shape[-1])
    gW = np.zeros((math.prod(k) * x.shape[-1] + ones, gy.shape[-1]), dtype)
    for start, stop, cols in _columns(x, pads, k, s, d, out, dtype, ones=ones):
        gW += cols.T @ g2[start:stop]
    return gW


def _transposed(gy, W, d, pads, spatial, gx=None):
    """Input gradient for stride 1: gy, padded to full size, correlated with the flipped kernel."""
    k = W.shape[:-2]
    flipped = np.flip(W, axis=tuple(range(len(k)))).swapaxes(-1, -2)
    edges = tuple((dd * (kk - 1) - b, dd * (kk - 1) - a) for dd, kk, (b, a) in zip(d, k, pads))
    return _correlate(gy, edges, flipped.reshape(-1, W.shape[-2]), k, (1,) * len(k), d, spatial,
                      y=gx)


def _col2im(gy, W, s, d, pads, spatial):
    """Input gradient for any stride: each window's share gy @ W.T added back where it was read."""
    k, c_in = W.shape[:-2], W.shape[-2]
    out = gy.shape[1:-1]
    n, rows, width = gy.shape[0], math.prod(out), math.prod(W.shape[:-1])
    W2 = W.reshape(width, -1)
    gxp = np.zeros((n, *(i + b + a for i, (b, a) in zip(spatial, pads)), c_in), W.dtype)
    for start, stop in win.batches(n, rows * width * W.itemsize):
        g2 = gy[start:stop].reshape(-1, W2.shape[1])
        gcols = win.scratch("conv_cols", (len(g2), width), W.dtype)
        np.matmul(g2, W2.T, out=gcols)
        gcols = gcols.reshape(stop - start, *out, math.prod(k), c_in)
        target = gxp[start:stop]
        for t, index in win.offsets(k, s, d, out):
            target[index] += gcols[..., t, :]
    return gxp[win.interior(pads, spatial)]


@register("passos")
def conv1d(x, kernel, strides=1, padding="valid", dilation_rate=1,
           data_format="channels_last", bias=None, name=None):
    """1-D convolution (no kernel flip): x (N, W, C_in), kernel (kw, C_in, C_out) -> (N, W', C_out).

    `padding` is "valid", "same" (TensorFlow's: output ceil(W / stride)), an int
    or one (before, after) pair; channels_first takes and gives (N, C, W).
    `bias` (C_out,), if given, is added to every output position (as PyTorch's).
    """
    return apply(Conv(1, strides, padding, dilation_rate, data_format), x, kernel,
                 *([] if bias is None else [bias]), name=name)


@register("passos")
def conv2d(x, kernel, strides=1, padding="valid", dilation_rate=1,
           data_format="channels_last", bias=None, name=None):
    """2-D convolution (no kernel flip): x (N, H, W, C_in), kernel (kh, kw, C_in, C_out) -> (N, H', W', C_out).

    `padding` is "valid", "same" (output ceil(size / stride), extra padding at
    the end as in TensorFlow), an int, two ints or two (before, after) pairs;
    channels_first takes and gives (N, C, H, W). The kernel layout never changes.
    `bias` (C_out,), if given, is added to every output position (as PyTorch's).

    >>> import numpy as np, passos
    >>> image = np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3],
    ...                   [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]], np.float32)
    >>> kernel = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]], np.float32)
    >>> passos.conv2d(image[None, :, :, None], kernel[:, :, None, None]).numpy()[0, :, :, 0]
    array([[12., 12., 17.],
           [10., 17., 19.],
           [ 9.,  6., 14.]], dtype=float32)
    """
    return apply(Conv(2, strides, padding, dilation_rate, data_format), x, kernel,
                 *([] if bias is None else [bias]), name=name)


@register("passos")
def conv3d(x, kernel, strides=1, padding="valid", dilation_rate=1,
           data_format="channels_last", bias=None, name=None):
    """3-D convolution: x (N, D, H, W, C_in), kernel (kd, kh, kw, C_in, C_out) -> (N, D', H', W', C_out).

    Padding, data_format and bias as in `conv2d`; channels_first takes (N, C, D, H, W).
    """
    return apply(Conv(3, strides, padding, dilation_rate, data_format), x, kernel,
                 *([] if bias is None else [bias]), name=name)
