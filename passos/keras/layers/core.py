"""Core layers: Dense, Activation, Dropout, Flatten, Reshape, InputLayer."""
import numpy as np

from ... import arguments
from ...core.apply import apply
from ...core.shapes import describe
from ...ops import dropout as dropout_op
from ...ops.matmul import matmul
from ...ops.movement import reshape, transpose
from .. import activations, initializers
from ..backend import config
from ..engine.base_layer import KerasTensor, Layer, layer_error, layer_label, unique_layer_name


class Dense(Layer):
    """activation(x @ kernel + bias), on the last axis of x."""

    weight_options = ("kernel", "bias", "activity")
    supports_masking = True  # passes a Keras mask on unchanged

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        self.units = arguments.positive_int(units, layer_label(self), "units")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def build(self, input_shape):
        if len(input_shape) < 2 or input_shape[-1] is None:
            raise layer_error(self, f"needs inputs with a known last dimension, got shape "
                                    f"{describe(input_shape)}")
        self.kernel = self.add_weight("kernel", (input_shape[-1], self.units),
                                      self.kernel_initializer)
        self.bias = self.add_weight("bias", (self.units,), self.bias_initializer) \
            if self.use_bias else None

    def check_input(self, shape):
        expected = self.kernel.shape[0]
        if len(shape) < 2 or shape[-1] != expected:
            hint = "; did you forget Flatten()?" if len(shape) > 2 else ""
            raise layer_error(self, f"expects inputs with last dimension {expected}, got shape "
                                    f"{describe(shape)}{hint}")

    def call(self, x, training=False):
        y = matmul(x, self.kernel)
        if self.use_bias:
            y = y + self.bias
        return self.activation(y)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer)}


class Activation(Layer):
    """Apply an activation function by name or function."""

    supports_masking = True  # passes a Keras mask on unchanged

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, x, training=False):
        return self.activation(x)

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Dropout(Layer):
    """During training, zero a fraction `rate` of the inputs and scale the rest by 1/(1-rate)."""

    supports_masking = True  # passes a Keras mask on unchanged

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = arguments.number(rate, layer_label(self), "rate", 0, 1)
        self.noise_shape = None if noise_shape is None else arguments.shape(
            noise_shape, layer_label(self), "noise_shape")
        self.seed = seed
        # one op for the layer's life: with a seed, its masks follow one sequence
        self._dropout = dropout_op.Dropout(self.noise_shape, seed)

    def call(self, x, training=False):
        if not training or self.rate == 0:
            return x
        return apply(self._dropout, x, self.rate)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape),
                "seed": self.seed}


class Flatten(Layer):
    """(batch, d1, d2, ...) -> (batch, d1 * d2 * ...), in channels_last order.

    channels_first inputs are moved to channels_last first, as Keras does, so the Dense
    weights after Flatten mean the same in either layout.
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = config.normalize_data_format(data_format, layer_label(self))

    def call(self, x, training=False):
        shape = x.shape
        if any(d is None for d in shape[1:]):
            raise layer_error(self, f"needs the non-batch dimensions known, got shape "
                                    f"{describe(shape)}")
        if self.data_format == "channels_first" and len(shape) > 2:
            x = transpose(x, (0,) + tuple(range(2, len(shape))) + (1,))
        return reshape(x, (-1, int(np.prod(shape[1:], dtype=np.int64))))

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Reshape each sample to `target_shape` (one entry may be -1)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = arguments.new_shape(target_shape, layer_label(self), "target_shape",
                                                minimum=1)

    def check_input(self, shape):
        size = int(np.prod(shape[1:], dtype=np.int64)) if None not in shape[1:] else None
        known = int(np.prod([d for d in self.target_shape if d != -1], dtype=np.int64))
        if size is not None and (size % known if -1 in self.target_shape else size != known):
            raise layer_error(self, f"cannot reshape inputs of shape {describe(shape)} "
                                    f"({size} values per sample) to {self.target_shape}")

    def call(self, x, training=False):
        target = self.target_shape
        if -1 in target:  # resolve it per sample, so the batch axis can stay -1
            size = int(np.prod(x.shape[1:], dtype=np.int64))
            known = int(np.prod([d for d in target if d != -1], dtype=np.int64))
            target = tuple(size // known if d == -1 else d for d in target)
        return reshape(x, (-1,) + target)

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class InputLayer(Layer):
    """The entry point of a model: fixes the input shape (batch dimension excluded)."""

    def __init__(self, input_shape=None, batch_size=None, dtype=None, name=None,
                 batch_input_shape=None, **kwargs):
        super().__init__(name=name or unique_layer_name("input"), input_shape=input_shape,
                         batch_size=batch_size, dtype=dtype, batch_input_shape=batch_input_shape,
                         **kwargs)
        if self.batch_input_shape is None:
            raise ValueError("InputLayer: give input_shape (without the batch dimension)")
        self._tensor = KerasTensor(self.batch_input_shape, self.dtype, name=self.name)
        self._tensor.input_layer = self
        self.input_shape_built = self.output_shape_built = self.batch_input_shape
        self.built = True

    @property
    def input(self):
        return self._tensor

    @property
    def output(self):
        return self._tensor

    def call(self, x, training=False):
        return x


def Input(shape=None, batch_size=None, name=None, dtype=None, batch_shape=None):  # noqa: N802
    """A symbolic input for the functional API: Model(inputs=Input(...), outputs=...)."""
    layer = InputLayer(input_shape=shape, batch_size=batch_size, name=name, dtype=dtype,
                       batch_input_shape=batch_shape)
    return layer.output
