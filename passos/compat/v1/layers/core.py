"""tf.layers.Dense, Dropout and Flatten (and dense, dropout, flatten): passos ops on TF1 variables."""
import math

from ....core.shapes import describe
from ....graph.graph import Symbol
from ....ops import arithmetic as ar, dense as dn, movement as mv
from .. import init_ops, math_ops, nn
from .base import Layer, functional


class Dense(Layer):
    """activation(inputs @ kernel + bias) over the last axis; kernel Glorot uniform, bias zeros."""

    base_name, names = "dense", ("kernel", "bias")

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=init_ops.zeros_initializer(), kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, trainable=True, name=None,
                 **kwargs):
        super().__init__(activation, activity_regularizer, trainable, name, **kwargs)
        self.units, self.use_bias = int(units), use_bias
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer

    def build(self, shape, dtype):
        features, dtype = self.known(shape, -1, "last dimension"), self.float_dtype(dtype)
        self.kernel = self.add_weight(self.names[0], (features, self.units), dtype,
                                      self.kernel_initializer, self.kernel_regularizer)
        self.bias = self.add_weight(self.names[1], (self.units,), dtype, self.bias_initializer,
                                    self.bias_regularizer) if self.use_bias else None

    def call(self, x):
        return dn.dense(x, self.kernel, self.bias)


class Dropout(Layer):
    """inputs with a fraction `rate` zeroed (the rest scaled up) when `training` (a bool or a
    bool tensor) is true; unchanged otherwise."""

    base_name = "dropout"
    call_options = ("training",)

    def __init__(self, rate=0.5, noise_shape=None, seed=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.rate, self.noise_shape, self.seed = rate, noise_shape, seed

    def call(self, x, training=False):
        if isinstance(training, Symbol):  # the rate where training, 0 (no change) otherwise
            rate = ar.multiply(math_ops.cast(training, x.dtype), self.rate)
            return nn.dropout(x, rate=rate, noise_shape=self.noise_shape, seed=self.seed)
        if training:
            return nn.dropout(x, rate=self.rate, noise_shape=self.noise_shape, seed=self.seed)
        return x


class Flatten(Layer):
    """inputs (batch, ...) as (batch, features); channels_first inputs are made channels_last
    first, as in TF."""

    base_name = "flatten"

    def __init__(self, data_format="channels_last", name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(f"flatten: data_format must be 'channels_last' or "
                             f"'channels_first', got {data_format!r}")
        self.data_format = data_format

    def call(self, x):
        shape = x.shape
        if shape is None or len(shape) < 1:
            raise ValueError(f"flatten: inputs need a batch axis, got shape {describe(shape)}")
        if self.data_format == "channels_first" and len(shape) > 2:
            x = mv.transpose(x, (0, *range(2, len(shape)), 1))
            shape = (shape[0], *shape[2:], shape[1])
        if None not in shape[1:]:
            return mv.reshape(x, (-1, math.prod(shape[1:])))
        if shape[0] is not None:
            return mv.reshape(x, (shape[0], -1))
        raise ValueError(f"flatten: inputs of shape {describe(shape)}: the batch size or the "
                         f"sizes of the other axes must be known")


dense = functional(Dense, "dense")
dropout = functional(Dropout, "dropout")
flatten = functional(Flatten, "flatten")
