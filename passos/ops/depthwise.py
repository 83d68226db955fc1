"""Depthwise convolution (Keras' DepthwiseConv2D, the first half of SeparableConv2D).

Each input channel is convolved with its own `depth_multiplier` filters and never mixed
with the others: PyTorch's grouped convolution with groups = C_in. The windows are
strided views of the padded input (kernels.windows); no im2col matrix is built, since
each channel's product is only window-size long.
"""
import math

import numpy as np

from .. import arguments
from ..core.apply import apply
from ..core.op import Op
from ..core.registry import register
from ..kernels import windows as kwin
from . import windows as win


class DepthwiseConv(Op):
    """y[n, o, c*M + m] = sum over window cells t of xp[n, o*s + t*d, c] * W[t, c, m]."""

    kind = "depthwise_conv2d"
    formulas = ("∂y/∂x: each window's gy·W added back, channel by channel, where it read x",
                "∂y/∂W: Σ over windows of x(window, c) · gy(c, m)")
    batch_inputs = 1

    def __init__(self, rank, strides=1, padding="valid", dilation_rate=1,
                 data_format="channels_last"):
        self.kind = f"depthwise_conv{rank}d"
        self.rank = rank
        self.strides = arguments.int_tuple(strides, rank, self.kind, "strides")
        self.padding = arguments.padding(padding, self.kind, rank)
        self.dilation_rate = arguments.int_tuple(dilation_rate, rank, self.kind, "dilation_rate")
        self.data_format = arguments.data_format(data_format, self.kind)

    @win.by_shapes
    def _geometry(self, x, W):
        """(padding pairs, output spatial size) for input shape `x` and kernel shape `W`."""
        return win.kernel_geometry(self, x, W, "depth_multiplier")

    def shape(self, x, W):
        _, out = self._geometry(x, W)
        channels = None if None in W[-2:] else W[-2] * W[-1]
        return win.join(x[0], out, channels, self.data_format)

    def _windows(self, x, W, dtype):
        """(pads, output size, windows (N, cells out, cells k, C) as a copy)."""
        pads, out = self._geometry(x.shape, W.shape)
        xl = win.channels_last(x, self.data_format).astype(dtype, copy=False)
        k = W.shape[:-2]
        views = kwin.windows(kwin.pad_spatial(xl, pads), k, self.strides, self.dilation_rate, out)
        return pads, out, views.reshape(len(x), math.prod(out), math.prod(k), W.shape[-2])

    def forward(self, x, W):
        dtype = np.result_type(x, W)
        _, out, cols = self._windows(x, W, dtype)
        Wk = W.astype(dtype, copy=False).reshape(-1, *W.shape[-2:])
        y = np.einsum("npkc,kcm->npcm", cols, Wk, optimize=True)
        return win.from_channels_last(y.reshape(len(x), *out, -1), self.data_format)

    def vjp(self, gy, xs, y, saved, needs):
        x, W = xs
        dtype = y.dtype
        pads, out, cols = self._windows(x, W, dtype)
        k, (c, m) = W.shape[:-2], W.shape[-2:]
        g = win.channels_last(np.broadcast_to(gy, y.shape), self.data_format)
        g = g.reshape(len(x), math.prod(out), c, m).astype(dtype, copy=False)
        gx = gW = None
        if needs[1]:
            gW = np.einsum("npkc,npcm->kcm", cols, g, optimize=True).reshape(W.shape)
        if needs[0]:  # each window cell's share, added back where that cell read x
            Wk = W.astype(dtype, copy=False).reshape(-1, c, m)
            shares = np.einsum("npcm,kcm->npkc", g, Wk, optimize=True)
            shares = shares.reshape(len(x), *out, math.prod(k), c)
            xl_shape = win.channels_last(x, self.data_format).shape
            gxp = np.zeros(kwin.padded_shape(xl_shape, pads), dtype)
            for t, index in kwin.offsets(k, self.strides, self.dilation_rate, out):
                gxp[index] += shares[..., t, :]
            gx = win.from_channels_last(gxp[kwin.interior(pads, xl_shape[1:-1])],
                                        self.data_format)
        return gx, gW


@register("passos")
def depthwise_conv2d(x, kernel, strides=1, padding="valid", dilation_rate=1,
                     data_format="channels_last", name=None):
    """Per-channel 2-D convolution: x (N, H, W, C), kernel (kh, kw, C, M) -> (N, H', W', C*M).

    Output channel c*M + m is input channel c convolved with kernel[:, :, c, m]
    (TensorFlow's order). Padding, strides and dilation as in `conv2d`.
    """
    return apply(DepthwiseConv(2, strides, padding, dilation_rate, data_format), x, kernel,
                 name=name)
