"""Convolution over 1, 2 or 3 spatial axes (TensorFlow's cross-correlation): im2col + matmul."""
import math

import numpy as np

from .. import arguments
from ..core.apply import apply
from ..core.op import Op
from ..core.registry import register
from ..core.shapes import ShapeError, describe
from ..kernels import im2col
from ..kernels.arrays import sum_rows
from ..kernels.windows import scratch
from . import windows as win


class Conv(Op):
    """y[n, o, co] = sum over window cells t and channels ci of xp[n, o*s + t*d, ci] * W[t, ci, co].

    im2col (kernels.im2col): the windows times the kernel as a (cells * C_in, C_out) matrix;
    backward rebuilds the buffer, cheaper than keeping it. An optional bias (C_out,), a third
    input, rides in the product (a column of ones); `activation="relu"` runs on each output
    chunk while it is in cache.
    """

    batch_inputs = 1  # x splits over the batch; the kernel and bias are shared

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

    @win.by_shapes
    def _geometry(self, x, W):
        """(padding pairs, output spatial size) for input shape `x` and kernel shape `W`."""
        return win.kernel_geometry(self, x, W, "C_out")

    def shape(self, x, W, b=None):
        _, out = self._geometry(x, W)
        if b is not None and (len(b) != 1 or None not in (b[0], W[-1]) and b[0] != W[-1]):
            raise ShapeError(f"{self.kind}: the bias must hold one value per output channel, "
                             f"shape ({W[-1]},) for the kernel of shape {describe(W)}; "
                             f"got shape {describe(b)}")
        return win.join(x[0], out, W[-1], self.data_format)

    def work(self, xs, needs=None):
        x, W = xs[:2]
        outputs, terms = math.prod(self.shape(x.shape, W.shape)), math.prod(W.shape[:-1])
        if needs is None:  # a bias is one more term; a fused ReLU one more pass
            return im2col.work(outputs, terms + (len(xs) == 3), 1, self.activation == "relu")
        return im2col.work(outputs, terms, needs[0] + needs[1], 2)

    def forward(self, x, W, b=None):
        pads, out = self._geometry(x.shape, W.shape)
        dtype = np.result_type(x, W) if b is None else np.result_type(x, W, b)
        W2 = W.reshape(-1, W.shape[-1]).astype(dtype, copy=False)  # TF's order: cells, then C_in
        bias = None if b is None else np.asarray(b, dtype)
        y = im2col.correlate(win.channels_last(x, self.data_format), pads, W2, W.shape[:-2],
                             self.strides, self.dilation_rate, out, bias,
                             self.activation == "relu")
        return win.from_channels_last(y, self.data_format)

    def vjp(self, gy, xs, y, saved, needs):
        x, W = xs[:2]
        pads, out = self._geometry(x.shape, W.shape)
        k, s, d = W.shape[:-2], self.strides, self.dilation_rate
        fmt, dtype = self.data_format, y.dtype
        g = win.channels_last(np.broadcast_to(gy, y.shape), fmt)
        if self.activation == "relu":  # through the fused ReLU first
            masked = scratch("conv_relu_grad", g.shape, np.result_type(g, dtype))
            g = np.multiply(g, win.channels_last(y, fmt) > 0, out=masked)
        xl = win.channels_last(x, fmt)
        bias = len(xs) == 3 and needs[2]
        gx = gW = gb = None
        if needs[1]:  # with a bias, its gradient comes out of the same product
            gW = im2col.kernel_grad(xl, pads, g, k, s, d, out, dtype, ones=bias)
            gW, gb = (gW[:-1], gW[-1]) if bias else (gW, None)
            gW = gW.reshape(W.shape)
        elif bias:
            gb = sum_rows(g.reshape(-1, g.shape[-1]))
        if needs[0]:
            Wd, spatial = W.astype(dtype, copy=False), xl.shape[1:-1]
            if im2col.transposable(k, s, d, pads):
                gx = im2col.transposed(g, Wd, d, pads, spatial)
            else:
                gx = im2col.col2im(g, Wd, s, d, pads, spatial)
            gx = win.from_channels_last(gx, fmt)
        return (gx, gW) + ((gb,) if len(xs) == 3 else ())


@register("passos")
def conv1d(x, kernel, strides=1, padding="valid", dilation_rate=1,
           data_format="channels_last", bias=None, name=None):
    """1-D convolution (no kernel flip): x (N, W, C_in), kernel (kw, C_in, C_out) -> (N, W', C_out).

    `padding` is "valid", "same" (TensorFlow's: output ceil(W / stride)), an int or one
    (before, after) pair; channels_first takes (N, C, W). `bias` (C_out,) is added everywhere.
    """
    return apply(Conv(1, strides, padding, dilation_rate, data_format), x, kernel,
                 *([] if bias is None else [bias]), name=name)


@register("passos")
def conv2d(x, kernel, strides=1, padding="valid", dilation_rate=1,
           data_format="channels_last", bias=None, name=None):
    """2-D convolution (no kernel flip): x (N, H, W, C_in), kernel (kh, kw, C_in, C_out) -> (N, H', W', C_out).

    `padding` is "valid", "same" (output ceil(size / stride), extra padding at the end as in
    TensorFlow), an int, two ints or two (before, after) pairs; channels_first takes and gives
    (N, C, H, W), with the same kernel layout. `bias` (C_out,) is added to every position.

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
