"""tf.layers' convolutions and pooling (classes and functions) over passos' conv and pool ops."""
from .... import arguments
from ....core.shapes import describe
from ....ops import arithmetic as ar, conv as cv, conv_transpose as ct, movement as mv
from ....ops import pool as pl
from .. import init_ops
from .base import Layer, functional

_CONV = {1: cv.conv1d, 2: cv.conv2d, 3: cv.conv3d}


def _options(layer, rank, strides, padding, data_format):
    """Check and keep the window options TF spells 'valid'/'same' and channels_last/first."""
    who = layer.base_name
    layer.strides = arguments.int_tuple(strides, rank, who, "strides")
    layer.padding = arguments.padding(padding, who)
    layer.data_format = arguments.data_format(data_format, who)


class _Conv(Layer):
    """activation(conv(inputs, kernel) + bias): kernel (*kernel_size, channels in, filters)."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format="channels_last", dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer=None, bias_initializer=init_ops.zeros_initializer(),
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 trainable=True, name=None, **kwargs):
        super().__init__(activation, activity_regularizer, trainable, name, **kwargs)
        self.filters = arguments.positive_int(filters, self.base_name, "filters")
        self.kernel_size = arguments.int_tuple(kernel_size, self.rank, self.base_name,
                                               "kernel_size")
        _options(self, self.rank, strides, padding, data_format)
        self.dilation_rate = arguments.int_tuple(dilation_rate, self.rank, self.base_name,
                                                 "dilation_rate")
        self.use_bias = use_bias
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer

    def kernel_shape(self, channels):
        return (*self.kernel_size, channels, self.filters)

    def build(self, shape, dtype):
        if shape is None or len(shape) != self.rank + 2:
            raise ValueError(f"{self.base_name}: expects inputs of rank {self.rank + 2} "
                             f"(batch, spatial axes, channels), got shape {describe(shape)}")
        axis = -1 if self.data_format == "channels_last" else 1
        channels, dtype = self.known(shape, axis, "channel axis"), self.float_dtype(dtype)
        self.kernel = self.add_weight("kernel", self.kernel_shape(channels), dtype,
                                      self.kernel_initializer, self.kernel_regularizer)
        self.bias = self.add_weight("bias", (self.filters,), dtype, self.bias_initializer,
                                    self.bias_regularizer) if self.use_bias else None

    def call(self, x):
        return _CONV[self.rank](x, self.kernel, self.strides, self.padding, self.dilation_rate,
                                self.data_format, bias=self.bias)


class Conv1D(_Conv):
    __doc__, base_name, rank = _Conv.__doc__, "conv1d", 1


class Conv2D(_Conv):
    __doc__, base_name, rank = _Conv.__doc__, "conv2d", 2


class Conv3D(_Conv):
    __doc__, base_name, rank = _Conv.__doc__, "conv3d", 3


class Conv2DTranspose(_Conv):
    """The transposed convolution (the gradient of conv2d): kernel (kh, kw, filters, channels in);
    'valid' output (size - 1) * stride + kernel, 'same' size * stride."""

    base_name, rank = "conv2d_transpose", 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format="channels_last", activation=None, use_bias=True, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, 1, activation,
                         use_bias, **kwargs)

    def kernel_shape(self, channels):
        return (*self.kernel_size, self.filters, channels)

    def call(self, x):
        y = ct.conv2d_transpose(x, self.kernel, self.strides, self.padding,
                                data_format=self.data_format)
        if self.bias is None:
            return y
        bias = self.bias if self.data_format == "channels_last" else mv.reshape(
            self.bias, (-1, 1, 1))
        return ar.add(y, bias)


class _Pooling(Layer):
    """The largest value (max) or the mean (average) of each pool_size window, moved by strides."""

    function, rank = None, 2

    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last",
                 name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.pool_size = arguments.int_tuple(pool_size, self.rank, self.base_name, "pool_size")
        _options(self, self.rank, strides, padding, data_format)

    def call(self, x):
        return type(self).function(x, self.pool_size, self.strides, self.padding,
                                   self.data_format)


def _pooling(cls_name, base_name, function, rank):
    return type(cls_name, (_Pooling,), {"base_name": base_name, "rank": rank,
                                        "function": staticmethod(function),
                                        "__doc__": _Pooling.__doc__})


MaxPooling1D = _pooling("MaxPooling1D", "max_pooling1d", pl.max_pool1d, 1)
MaxPooling2D = _pooling("MaxPooling2D", "max_pooling2d", pl.max_pool2d, 2)
MaxPooling3D = _pooling("MaxPooling3D", "max_pooling3d", pl.max_pool3d, 3)
AveragePooling1D = _pooling("AveragePooling1D", "average_pooling1d", pl.avg_pool1d, 1)
AveragePooling2D = _pooling("AveragePooling2D", "average_pooling2d", pl.avg_pool2d, 2)
AveragePooling3D = _pooling("AveragePooling3D", "average_pooling3d", pl.avg_pool3d, 3)
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
Convolution2DTranspose = Conv2DTranspose

conv1d, conv2d = functional(Conv1D, "conv1d"), functional(Conv2D, "conv2d")
conv3d = functional(Conv3D, "conv3d")
conv2d_transpose = functional(Conv2DTranspose, "conv2d_transpose")
max_pooling1d = functional(MaxPooling1D, "max_pooling1d")
max_pooling2d = functional(MaxPooling2D, "max_pooling2d")
max_pooling3d = functional(MaxPooling3D, "max_pooling3d")
average_pooling1d = functional(AveragePooling1D, "average_pooling1d")
average_pooling2d = functional(AveragePooling2D, "average_pooling2d")
average_pooling3d = functional(AveragePooling3D, "average_pooling3d")
