"""Depthwise and separable convolutions: DepthwiseConv2D, SeparableConv1D, SeparableConv2D.

A depthwise convolution filters each input channel on its own (depth_multiplier filters
per channel); a separable one follows it with a 1x1 convolution that mixes the channels,
far fewer weights than a full convolution of the same window.
"""
from ... import arguments
from ...core.apply import apply
from ...core.shapes import describe
from ...ops import conv as conv_ops
from ...ops.depthwise import DepthwiseConv
from ...ops.movement import reshape
from .. import activations, initializers
from ..engine.base_layer import layer_error, layer_label
from .convolutional import _SpatialLayer

_POINTWISE = {1: conv_ops.conv1d, 2: conv_ops.conv2d}


class _Depthwise(_SpatialLayer):
    """The depthwise half: arguments, the depthwise kernel, the bias, the config."""

    weight_options = ("depthwise", "bias", "activity")

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        who = layer_label(self)
        self.kernel_size = arguments.int_tuple(kernel_size, self.rank, who, "kernel_size")
        self.strides = arguments.int_tuple(strides, self.rank, who, "strides")
        self.padding = arguments.padding(padding, who)
        self.depth_multiplier = arguments.positive_int(depth_multiplier, who, "depth_multiplier")
        self.data_format = self.resolve_data_format(data_format)
        self.dilation_rate = arguments.int_tuple(dilation_rate, self.rank, who, "dilation_rate")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self._depthwise = DepthwiseConv(self.rank, self.strides, self.padding, self.dilation_rate,
                                        self.data_format)

    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def build(self, input_shape):
        super().check_input(input_shape)
        channels = input_shape[self._channel_axis()]
        if channels is None:
            raise layer_error(self, f"needs a known channel dimension, got {describe(input_shape)}")
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", self.kernel_size + (channels, self.depth_multiplier),
            self.depthwise_initializer)
        self.build_rest(channels)

    def build_rest(self, channels):
        self.bias = self.add_weight("bias", (channels * self.depth_multiplier,),
                                    self.bias_initializer) if self.use_bias else None

    def check_input(self, shape):
        super().check_input(shape)
        expected = self.depthwise_kernel.shape[-2]
        if shape[self._channel_axis()] != expected:
            raise layer_error(self, f"expects inputs with {expected} channels "
                                    f"({self.data_format}), got shape {describe(shape)}")

    def add_bias(self, y):
        if not self.use_bias:
            return y
        if self.data_format == "channels_last":
            return y + self.bias
        return y + reshape(self.bias, (self.bias.shape[0],) + (1,) * self.rank)

    def call(self, x, training=False):
        return self.activation(self.add_bias(apply(self._depthwise, x, self.depthwise_kernel)))

    def get_config(self):
        return {**super().get_config(), "kernel_size": list(self.kernel_size),
                "strides": list(self.strides), "padding": self.padding,
                "depth_multiplier": self.depth_multiplier, "data_format": self.data_format,
                "dilation_rate": list(self.dilation_rate),
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer)}


class DepthwiseConv2D(_Depthwise):
    """Per-channel 2-D convolution: (batch, rows, cols, C) -> (batch, rows', cols', C * depth_multiplier).

    Weights: depthwise_kernel (kh, kw, C, depth_multiplier) and bias (C * depth_multiplier,).
    """

    rank = 2


class _Separable(_Depthwise):
    """Depthwise, then a pointwise (1x1) convolution to `filters` channels, then bias and activation."""

    weight_options = ("depthwise", "pointwise", "bias", "activity")

    def __init__(self, filters, kernel_size, pointwise_initializer="glorot_uniform", **kwargs):
        super().__init__(kernel_size, **kwargs)
        self.filters = arguments.positive_int(filters, layer_label(self), "filters")
        self.pointwise_initializer = initializers.get(pointwise_initializer)

    def build_rest(self, channels):
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", (1,) * self.rank + (channels * self.depth_multiplier, self.filters),
            self.pointwise_initializer)
        self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer) \
            if self.use_bias else None

    def call(self, x, training=False):
        y = apply(self._depthwise, x, self.depthwise_kernel)
        y = _POINTWISE[self.rank](y, self.pointwise_kernel, data_format=self.data_format)
        return self.activation(self.add_bias(y))

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "pointwise_initializer": initializers.serialize(self.pointwise_initializer)}


class SeparableConv1D(_Separable):
    """Depthwise-separable 1-D convolution: (batch, steps, C) -> (batch, steps', filters).

    Weights: depthwise_kernel (k, C, depth_multiplier), pointwise_kernel (1, C * depth_multiplier,
    filters), bias (filters,).
    """

    rank = 1


class SeparableConv2D(_Separable):
    """Depthwise-separable 2-D convolution: (batch, rows, cols, C) -> (batch, rows', cols', filters).

    Weights: depthwise_kernel (kh, kw, C, depth_multiplier), pointwise_kernel
    (1, 1, C * depth_multiplier, filters), bias (filters,).
    """

    rank = 2
