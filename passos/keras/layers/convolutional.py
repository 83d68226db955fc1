"""Convolution-family layers: Conv1D/2D/3D, Cropping, UpSampling and ZeroPadding (1D/2D/3D)."""
from ... import arguments
from ...core.shapes import describe
from ...ops import conv as conv_ops
from ...ops.movement import pad, reshape
from ...ops.resize import crop, upsample
from .. import activations, initializers
from ..backend import config
from ..engine.base_layer import Layer, layer_error, layer_label

_CONV = {1: conv_ops.conv1d, 2: conv_ops.conv2d, 3: conv_ops.conv3d}
_SPATIAL = {1: ("steps",), 2: ("rows", "cols"), 3: ("depth", "rows", "cols")}
# a reshape that fits the layer's rank, for the error hint: (spatial sizes, what they are)
_EXAMPLE = {1: ((100,), "sequences of 100 values"), 2: ((28, 28), "28x28 grey images"),
            3: ((16, 28, 28), "clips of 16 28x28 grey frames")}


class _SpatialLayer(Layer):
    """A layer over `rank` spatial axes; checks the input rank with a clear message."""

    rank = 2

    def resolve_data_format(self, data_format):
        """`data_format` checked; None is K.image_data_format(), except over one axis, where
        Keras 2.2.4 defaults to channels_last whatever the setting (the axis is time)."""
        if data_format is None and self.rank == 1:
            data_format = "channels_last"
        return config.normalize_data_format(data_format, layer_label(self))

    def check_input(self, shape):
        if len(shape) != self.rank + 2:
            first = getattr(self, "data_format", None) == "channels_first"
            axes = ("channels", *_SPATIAL[self.rank]) if first else \
                (*_SPATIAL[self.rank], "channels")
            sizes, what = _EXAMPLE[self.rank]
            example = (-1, 1, *sizes) if first else (-1, *sizes, 1)
            raise layer_error(self, f"expects {self.rank + 2}-D inputs "
                                    f"(batch, {', '.join(axes)}), got shape {describe(shape)}; "
                                    f"reshape the data, e.g. x.reshape{example} for {what}")


def ranked(base, name, doc, **attributes):
    """The classes `base` over 1, 2 and 3 spatial axes, named and documented from templates."""
    return tuple(type(name.format(rank=rank), (base,),
                      {"rank": rank, "__module__": base.__module__, **attributes,
                       "__doc__": doc.format(rank=rank, axes=", ".join(_SPATIAL[rank]))})
                 for rank in (1, 2, 3))


class _Conv(_SpatialLayer):
    weight_options = ("kernel", "bias", "activity")

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        who = layer_label(self)
        self.filters = arguments.positive_int(filters, who, "filters")
        self.kernel_size = arguments.int_tuple(kernel_size, self.rank, who, "kernel_size")
        self.strides = arguments.int_tuple(strides, self.rank, who, "strides")
        self.dilation_rate = arguments.int_tuple(dilation_rate, self.rank, who, "dilation_rate")
        self.padding = arguments.padding(padding, who)
        self.data_format = self.resolve_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def build(self, input_shape):
        super().check_input(input_shape)
        channels = input_shape[self._channel_axis()]
        if channels is None:
            raise layer_error(self, f"needs a known channel dimension, got {describe(input_shape)}")
        self.kernel = self.add_weight("kernel", self.kernel_size + (channels, self.filters),
                                      self.kernel_initializer)
        self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer) \
            if self.use_bias else None

    def check_input(self, shape):
        super().check_input(shape)
        expected = self.kernel.shape[-2]
        if shape[self._channel_axis()] != expected:
            raise layer_error(self, f"expects inputs with {expected} channels "
                                    f"({self.data_format}), got shape {describe(shape)}")

    def call(self, x, training=False):
        y = _CONV[self.rank](x, self.kernel, self.strides, self.padding, self.dilation_rate,
                             self.data_format)
        if self.use_bias:
            bias = self.bias if self.data_format == "channels_last" else \
                reshape(self.bias, (self.filters,) + (1,) * self.rank)
            y = y + bias
        return self.activation(y)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": list(self.dilation_rate),
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer)}


Conv1D, Conv2D, Conv3D = ranked(
    _Conv, "Conv{rank}D", "{rank}-D convolution over (batch, {axes}, channels), kernel (..., in, filters).")


class _ZeroPadding(_SpatialLayer):
    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = arguments.pairs(padding, self.rank, layer_label(self), "padding")
        self.data_format = self.resolve_data_format(data_format)

    def call(self, x, training=False):
        spatial = list(self.padding)
        pairs = [(0, 0)] + (spatial + [(0, 0)] if self.data_format == "channels_last"
                            else [(0, 0)] + spatial)
        return pad(x, pairs)

    def get_config(self):
        return {**super().get_config(), "padding": [list(p) for p in self.padding],
                "data_format": self.data_format}


ZeroPadding1D, ZeroPadding2D, ZeroPadding3D = ranked(
    _ZeroPadding, "ZeroPadding{rank}D", "Pad the spatial axes ({axes}) with `padding` zeros.")


class _Cropping(_SpatialLayer):
    def __init__(self, cropping=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = arguments.pairs(cropping, self.rank, layer_label(self), "cropping")
        self.data_format = self.resolve_data_format(data_format)

    def call(self, x, training=False):
        return crop(x, self.cropping, self.data_format)

    def get_config(self):
        return {**super().get_config(), "cropping": [list(p) for p in self.cropping],
                "data_format": self.data_format}


Cropping1D, Cropping2D, Cropping3D = ranked(
    _Cropping, "Cropping{rank}D", "Cut `cropping` values off the spatial axes ({axes}).")


class _UpSampling(_SpatialLayer):
    def __init__(self, size=2, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.size = arguments.int_tuple(size, self.rank, layer_label(self), "size")
        self.data_format = self.resolve_data_format(data_format)

    def call(self, x, training=False):
        return upsample(x, self.size, self.data_format)

    def get_config(self):
        return {**super().get_config(), "size": list(self.size), "data_format": self.data_format}


UpSampling1D, UpSampling2D, UpSampling3D = ranked(
    _UpSampling, "UpSampling{rank}D", "Repeat each value `size` times along the spatial axes ({axes}).")
