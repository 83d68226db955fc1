"""Transposed convolution layers: Conv2DTranspose and Conv3DTranspose (Keras 2.2.4).

The kernel is (*kernel_size, filters, input channels), Keras' layout: the transposed
convolution is the input gradient of a convolution with that kernel (passos.ops.conv_transpose).
"""
from ... import arguments
from ...core.shapes import describe
from ...ops.conv_transpose import conv2d_transpose, conv3d_transpose
from ...ops.movement import reshape
from ..engine.base_layer import layer_error, layer_label
from .convolutional import _Conv, _SpatialLayer

_FUNCTIONS = {2: conv2d_transpose, 3: conv3d_transpose}


class _ConvTranspose(_Conv):
    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, **kwargs)
        who = layer_label(self)
        self.output_padding = None if output_padding is None else arguments.int_tuple(
            output_padding, self.rank, who, "output_padding", minimum=0)
        if self.output_padding is not None and any(
                p >= s for p, s in zip(self.output_padding, self.strides)):
            raise layer_error(self, f"needs each output_padding below its stride, got "
                                    f"output_padding {self.output_padding} with strides "
                                    f"{self.strides}")

    def build(self, input_shape):
        _SpatialLayer.check_input(self, input_shape)
        channels = input_shape[self._channel_axis()]
        if channels is None:
            raise layer_error(self, f"needs a known channel dimension, got {describe(input_shape)}")
        self.kernel = self.add_weight("kernel", self.kernel_size + (self.filters, channels),
                                      self.kernel_initializer)
        self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer) \
            if self.use_bias else None

    def check_input(self, shape):
        _SpatialLayer.check_input(self, shape)
        expected = self.kernel.shape[-1]
        if shape[self._channel_axis()] != expected:
            raise layer_error(self, f"expects inputs with {expected} channels "
                                    f"({self.data_format}), got shape {describe(shape)}")

    def call(self, x, training=False):
        y = _FUNCTIONS[self.rank](x, self.kernel, self.strides, self.padding, self.output_padding,
                                  self.dilation_rate, self.data_format)
        if self.use_bias:
            y = y + (self.bias if self.data_format == "channels_last" else
                     reshape(self.bias, (self.filters,) + (1,) * self.rank))
        return self.activation(y)

    def get_config(self):
        return {**super().get_config(), "output_padding": None if self.output_padding is None
                else list(self.output_padding)}


class Conv2DTranspose(_ConvTranspose):
    """Transposed 2-D convolution ("deconvolution"): (batch, rows, cols, channels) -> larger maps.

    Output rows: valid rows*s + max(k - s, 0); same rows*s; with output_padding p,
    (rows - 1)*s + k - 2*pad + p (pad k//2 for same, 0 for valid).
    """

    rank = 2


class Conv3DTranspose(_ConvTranspose):
    """Transposed 3-D convolution over (batch, depth, rows, cols, channels); sizes as Conv2DTranspose."""

    rank = 3
