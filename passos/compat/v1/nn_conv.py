"""tf.nn convolutions and pooling beyond 2-D: conv1d, conv2d_transpose, conv3d, atrous_conv2d,
max_pool3d and avg_pool3d, on passos' conv and pooling ops.

Layouts follow TF1: NWC / NHWC / NDHWC (or channels first), kernels (*window, C_in, C_out),
conv2d_transpose's filter (h, w, C_out, C_in); strides and ksize as [1, *window, 1] lists.
"""
from ... import arguments
from ...core.apply import apply
from ...core.shapes import describe
from ...ops import conv as cv, pool as pl
from ...ops.conv_transpose import ConvTranspose
from .framework import inputs, named
from .shape_args import shape_arg

_LAST = {1: "NWC", 2: "NHWC", 3: "NDHWC"}
_FIRST = {1: "NCW", 2: "NCHW", 3: "NCDHW"}


def layout(data_format, rank, op_name):
    """The passos data_format of a TF1 one ('NHWC' -> 'channels_last')."""
    if data_format == _LAST[rank]:
        return "channels_last"
    if data_format == _FIRST[rank]:
        return "channels_first"
    raise ValueError(f"{op_name}: data_format must be '{_LAST[rank]}' or '{_FIRST[rank]}', "
                     f"got {data_format!r}")


def spatial(values, rank, data_format, what, op_name):
    """The `rank` window entries of a [1, *window, 1] list (or the int / `rank` ints given directly)."""
    full = isinstance(values, (list, tuple)) and len(values) == rank + 2
    example = "[1, " + ", ".join(_LAST[rank][1:-1].lower()) + ", 1]"
    if isinstance(values, (list, tuple)) and not full and len(values) != rank:
        raise ValueError(f"{op_name}: {what} must have {rank + 2} entries ({example} for "
                         f"{_LAST[rank]}), got {list(values)}")
    values = arguments.int_tuple(values, rank + 2 if full else rank, op_name, what)
    if not full:
        return values
    channel = 1 if data_format == _FIRST[rank] else rank + 1
    if values[0] != 1 or values[channel] != 1:
        raise ValueError(f"{op_name}: {what} {list(values)}: passos (like TF1) does not support "
                         f"{what} in the batch and depth dimensions; use {example}")
    return values[1:-1] if channel != 1 else values[2:]


def _conv(rank, default, x, kernel, strides, padding, data_format, dilations, name):
    fmt = layout(data_format, rank, default)
    s = spatial(strides, rank, data_format, "strides", default)
    d = spatial(1 if dilations is None else dilations, rank, data_format, "dilations", default)
    padding = arguments.padding(padding, default)
    return named(name or default, lambda: apply(cv.Conv(rank, s, padding, d, fmt),
                                                *inputs(x, kernel)))


def conv1d(value=None, filters=None, stride=None, padding=None, use_cudnn_on_gpu=None,
           data_format=None, name=None, input=None, dilations=None):  # noqa: A002
    """1-D cross-correlation: value (N, W, C_in), filters (kw, C_in, C_out) -> (N, W', C_out);
    stride an int or [1, s, 1]; data_format 'NWC' (default) or 'NCW'."""
    value = value if value is not None else input
    if value is None or filters is None or stride is None or padding is None:
        raise TypeError("conv1d: value, filters, stride and padding are required")
    return _conv(1, "conv1d", value, filters, stride, padding, data_format or "NWC", dilations,
                 name)


def conv3d(input, filter=None, strides=None, padding=None, data_format="NDHWC",  # noqa: A002
           dilations=(1, 1, 1, 1, 1), name=None, filters=None):
    """3-D cross-correlation: input (N, D, H, W, C_in), filter (kd, kh, kw, C_in, C_out);
    strides [1, sd, sh, sw, 1]."""
    kernel = filter if filter is not None else filters
    if kernel is None or strides is None or padding is None:
        raise TypeError("conv3d: input, filter, strides and padding are required")
    return _conv(3, "Conv3D", input, kernel, strides, padding, data_format, dilations, name)


def atrous_conv2d(value, filters, rate, padding, name=None):
    """2-D convolution with holes: filter taps `rate` cells apart, stride 1 (NHWC)."""
    rate = arguments.int_tuple(rate, 1, "atrous_conv2d", "rate")[0]
    return _conv(2, "convolution", value, filters, 1, padding, "NHWC", (rate, rate), name)


def _transposed_size(o, k, s, d, padding):
    """The spatial size a convolution gives an input of size `o` (what x must have)."""
    span = d * (k - 1) + 1
    return -(-o // s) if padding == "same" else max(-(-(o - span + 1) // s), 0)


def conv2d_transpose(value=None, filter=None, output_shape=None, strides=None,  # noqa: A002
                     padding="SAME", data_format="NHWC", name=None, input=None, filters=None,
                     dilations=None):
    """The gradient of conv2d with respect to its input: value (N, H, W, C_in), filter
    (kh, kw, C_out, C_in), output_shape [N, H', W', C_out] (a list, or a tensor such as
    tf.stack([tf.shape(x)[0], 14, 14, 32])) whose convolution gives value's size."""
    value = value if value is not None else input
    kernel = filter if filter is not None else filters
    if value is None or kernel is None or output_shape is None or strides is None:
        raise TypeError("conv2d_transpose: value, filter, output_shape and strides are required")
    fmt = layout(data_format, 2, "conv2d_transpose")
    s = spatial(strides, 2, data_format, "strides", "conv2d_transpose")
    d = spatial(1 if dilations is None else dilations, 2, data_format, "dilations",
                "conv2d_transpose")
    padding = arguments.padding(padding, "conv2d_transpose")
    _, dims = shape_arg(output_shape, "conv2d_transpose", "output_shape")

    def build():
        x, W = inputs(value, kernel)
        if dims is None or len(dims) != 4:
            raise ValueError(f"conv2d_transpose: output_shape must have 4 entries "
                             f"[batch, height, width, channels] ({data_format}), got {dims}")
        out = dims[1:3] if fmt == "channels_last" else dims[2:]
        channels = dims[3] if fmt == "channels_last" else dims[1]
        if None in out:
            raise ValueError(f"conv2d_transpose: passos needs the height and width of "
                             f"output_shape known when the graph is built, got {describe(dims)}")
        if channels is not None and W.shape is not None and len(W.shape) == 4 \
                and W.shape[2] not in (None, channels):
            raise ValueError(f"conv2d_transpose: output_shape {describe(dims)} has {channels} "
                             f"channels but the filter of shape {describe(W.shape)} makes "
                             f"{W.shape[2]} (its third axis, C_out)")
        _check_fit(x.shape, W.shape, dims, out, s, d, padding, fmt)
        return apply(ConvTranspose(2, s, padding, None, d, fmt, output_size=out), x, W)
    return named(name or "conv2d_transpose", build)


def _check_fit(x, W, dims, out, s, d, padding, fmt):
    """TF1's rule: convolving output_shape (same strides, padding) must give value's size."""
    if x is None or W is None or len(x) != 4 or len(W) != 4:
        return  # the op's own shape check names wrong ranks
    inner = x[1:3] if fmt == "channels_last" else x[2:]
    want = tuple(_transposed_size(o, k, ss, dd, padding)
                 for o, k, ss, dd in zip(out, W[:2], s, d))
    if any(i is not None and i != w for i, w in zip(inner, want)):
        raise ValueError(f"conv2d_transpose: output_shape {describe(dims)} does not fit value of "
                         f"shape {describe(x)} and filter {describe(W)}: a '{padding.upper()}' "
                         f"convolution with strides {s} maps spatial size {out} to {want}, not "
                         f"value's {tuple(inner)}; change output_shape, strides or padding")
    if dims[0] is not None and x[0] is not None and dims[0] != x[0]:
        raise ValueError(f"conv2d_transpose: output_shape {describe(dims)} has batch {dims[0]} "
                         f"but value has shape {describe(x)}")


def _pool3d(op_class, default, x, ksize, strides, padding, data_format, name):
    fmt = layout(data_format, 3, default)
    k = spatial(ksize, 3, data_format, "ksize", default)
    s = spatial(strides, 3, data_format, "strides", default)
    padding = arguments.padding(padding, default)
    return named(name or default, lambda: apply(op_class(3, k, s, padding, fmt), *inputs(x)))


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """Largest value of each ksize window: (N, D, H, W, C), [1, kd, kh, kw, 1] lists."""
    return _pool3d(pl.MaxPool, "MaxPool3D", input, ksize, strides, padding, data_format, name)


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """Mean of each window ('SAME' averages only the cells inside the input, as TF1)."""
    return _pool3d(pl.AvgPool, "AvgPool3D", input, ksize, strides, padding, data_format, name)
