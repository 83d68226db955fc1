"""Transposed convolution over 2 or 3 spatial axes (Keras' Conv2DTranspose / Conv3DTranspose).

A transposed convolution is the input gradient of a convolution: each input cell spreads
kernel-weighted copies of itself over a window of the (larger) output. So its forward is
the convolution's col2im, and its input gradient is the convolution itself (kernels.im2col).
"""
import math

import numpy as np

from .. import arguments
from ..core.apply import apply
from ..core.op import Op
from ..core.registry import register
from ..core.shapes import ShapeError, describe
from ..kernels import im2col
from . import windows as win


def deconv_length(i, k, s, padding, output_padding, d):
    """Keras' output length of a transposed convolution along one axis (None stays None)."""
    if i is None or k is None:
        return None
    span = d * (k - 1) + 1
    if output_padding is None:
        return i * s + max(span - s, 0) if padding == "valid" else i * s
    pad = span // 2 if padding == "same" else 0
    return (i - 1) * s + span - 2 * pad + output_padding


class ConvTranspose(Op):
    """y = the sum, over input cells x[n, i, cx], of x[n, i, cx] * W[t, cy, cx] placed at y[n, i*s + t*d, cy].

    The kernel has Keras' layout (*kernel_size, C_out, C_in): the convolution that maps
    y back to x's shape has this very kernel, and padding of its own on y (TensorFlow's).
    """

    batch_inputs = 1  # x splits over the batch; the kernel is shared
    output_size = None  # TF1's output_shape (spatial), set only when given: attrs show it then
    formulas = ("∂y/∂x: the convolution of gy with W (each input cell reads its output window)",
                "∂y/∂W: Σ over input cells of x · the gy window it wrote (im2col(gy)ᵀ @ x)")

    def __init__(self, rank, strides=1, padding="valid", output_padding=None, dilation_rate=1,
                 data_format="channels_last", output_size=None):
        self.kind = f"conv{rank}d_transpose"
        self.rank = rank
        self.strides = arguments.int_tuple(strides, rank, self.kind, "strides")
        self.padding = arguments.padding(padding, self.kind)
        self.output_padding = None if output_padding is None else arguments.int_tuple(
            output_padding, rank, self.kind, "output_padding", minimum=0)
        self.dilation_rate = arguments.int_tuple(dilation_rate, rank, self.kind, "dilation_rate")
        self.data_format = arguments.data_format(data_format, self.kind)
        if self.output_padding is not None and any(
                p >= s for p, s in zip(self.output_padding, self.strides)):
            raise ValueError(f"{self.kind}: each output_padding must be less than its stride, "
                             f"got output_padding {self.output_padding} with strides "
                             f"{self.strides}")
        if output_size is not None:  # TF1's output_shape: the spatial size, checked in _geometry
            if output_padding is not None:
                raise ValueError(f"{self.kind}: give output_padding or output_size, not both")
            self.output_size = arguments.int_tuple(output_size, rank, self.kind, "output_size")

    def _geometry(self, x, W):
        """(padding pairs on y, y's spatial size) for input shape `x` and kernel shape `W`."""
        win.check_rank(self.kind, x, self.rank, self.data_format, W)
        if len(W) != self.rank + 2:
            raise ShapeError(f"{self.kind}: expects a kernel of rank {self.rank + 2} "
                             f"(*kernel_size, C_out, C_in), got shape {describe(W)} for input "
                             f"shape {describe(x)}")
        _, spatial, channels = win.split(x, self.data_format)
        if channels is not None and W[-1] is not None and channels != W[-1]:
            raise ShapeError(f"{self.kind}: input of shape {describe(x)} has {channels} channels "
                             f"({self.data_format}) but the kernel of shape {describe(W)} "
                             f"expects C_in = {W[-1]} (its last axis)")
        k, s, d = W[:-2], self.strides, self.dilation_rate
        if 0 in k:
            raise ShapeError(f"{self.kind}: the kernel of shape {describe(W)} has an empty "
                             "spatial axis; kernel sizes must be at least 1")
        extra = self.output_padding or (None,) * self.rank
        out = self.output_size or tuple(
            deconv_length(i, kk, ss, self.padding, p, dd)
            for i, kk, ss, p, dd in zip(spatial, k, s, extra, d))
        pads = win.pad_pairs(self.padding, out, k, s, d)
        for i, o, kk, ss, dd, pair in zip(spatial, out, k, s, d, pads):
            if o is not None and (o < 1 or win.conv_output_size(o + sum(pair), kk, ss, 0, dd) != i):
                raise ShapeError(f"{self.kind}: input of shape {describe(x)} with the kernel of "
                                 f"shape {describe(W)}, strides {s} and padding "
                                 f"'{self.padding}' gives no output whose convolution has the "
                                 f"input's size; change "
                                 f"{'output_size' if self.output_size else 'output_padding'} "
                                 f"or the kernel size")
        return pads, out

    def shape(self, x, W):
        _, out = self._geometry(x, W)
        return win.join(x[0], out, W[-2], self.data_format)

    def work(self, xs, needs=None):
        x, W = xs
        cells = math.prod(x.shape) // x.shape[0 if self.data_format == "channels_first" else -1]
        return im2col.work(cells * W.shape[-2], math.prod(W.shape[:-2]) * W.shape[-1],
                           1 if needs is None else needs[0] + needs[1], 0)

    def forward(self, x, W):
        pads, out = self._geometry(x.shape, W.shape)
        dtype = np.result_type(x, W)
        Wd = W.astype(dtype, copy=False)
        xl = win.channels_last(x, self.data_format).astype(dtype, copy=False)
        k, s, d = W.shape[:-2], self.strides, self.dilation_rate
        if im2col.transposable(k, s, d, pads):
            y = im2col.transposed(xl, Wd, d, pads, out)
        else:
            y = im2col.col2im(xl, Wd, s, d, pads, out)
        return win.from_channels_last(y, self.data_format)

    def vjp(self, gy, xs, y, saved, needs):
        x, W = xs
        pads, _ = self._geometry(x.shape, W.shape)
        k, s, d, fmt = W.shape[:-2], self.strides, self.dilation_rate, self.data_format
        dtype = y.dtype
        g = win.channels_last(np.broadcast_to(gy, y.shape), fmt).astype(dtype, copy=False)
        xl = win.channels_last(x, fmt)
        inner = xl.shape[1:-1]
        gx = gW = None
        if needs[0]:  # the convolution of gy with W, back to x's shape
            W2 = W.astype(dtype, copy=False).reshape(-1, W.shape[-1])
            gx = win.from_channels_last(im2col.correlate(g, pads, W2, k, s, d, inner), fmt)
        if needs[1]:  # the convolution's kernel gradient, with gy as its input and x as its gy
            gW = im2col.kernel_grad(g, pads, xl.astype(dtype, copy=False), k, s, d, inner, dtype)
            gW = gW.reshape(W.shape)
        return gx, gW


@register("passos")
def conv2d_transpose(x, kernel, strides=1, padding="valid", output_padding=None,
                     dilation_rate=1, data_format="channels_last", name=None):
    """2-D transposed convolution: x (N, H, W, C_in), kernel (kh, kw, C_out, C_in) -> (N, H', W', C_out).

    H' follows Keras: valid H*s + max(k - s, 0), same H*s; with output_padding p,
    (H - 1)*s + k - 2*pad + p (pad k//2 for same, 0 for valid).

    >>> import numpy as np, passos
    >>> x = np.array([1.0, 2.0]).reshape(1, 1, 2, 1)
    >>> passos.conv2d_transpose(x, np.ones((1, 2, 1, 1)), strides=2).numpy()[0, 0, :, 0]
    array([1., 1., 2., 2.])
    """
    return apply(ConvTranspose(2, strides, padding, output_padding, dilation_rate, data_format),
                 x, kernel, name=name)


@register("passos")
def conv3d_transpose(x, kernel, strides=1, padding="valid", output_padding=None,
                     dilation_rate=1, data_format="channels_last", name=None):
    """3-D transposed convolution: x (N, D, H, W, C_in), kernel (kd, kh, kw, C_out, C_in).

    Output sizes, padding and output_padding as in `conv2d_transpose`.
    """
    return apply(ConvTranspose(3, strides, padding, output_padding, dilation_rate, data_format),
                 x, kernel, name=name)
