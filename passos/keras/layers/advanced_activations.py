"""Activations with arguments or weights: LeakyReLU, PReLU, ELU, ThresholdedReLU, Softmax, ReLU.

Each is composed of passos ops (relu, elu, softmax, comparisons), so its gradient is theirs.
"""
from ... import arguments
from ...core.shapes import describe
from ...ops import arithmetic as ar, elementwise as el, nn
from .. import initializers
from ..backend import nn as backend_nn
from ..engine.base_layer import Layer, layer_error, layer_label

_BIG = float("inf")


class LeakyReLU(Layer):
    """x where x > 0, alpha * x elsewhere (a small slope keeps negative units learning)."""

    supports_masking = True  # passes a Keras mask on unchanged

    def __init__(self, alpha=0.3, **kwargs):
        super().__init__(**kwargs)
        self.alpha = arguments.number(alpha, layer_label(self), "alpha", -_BIG, _BIG)

    def call(self, x, training=False):
        return backend_nn.relu(x, alpha=self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class PReLU(Layer):
    """x where x > 0, alpha * x elsewhere, with alpha a learned weight per value.

    alpha has the input's shape without the batch axis; `shared_axes` (1-based, as in
    Keras) share one alpha along those axes, e.g. shared_axes=[1, 2] for one per channel.
    """

    weight_options = ("alpha",)
    supports_masking = True  # passes a Keras mask on unchanged

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(alpha_regularizer=alpha_regularizer, alpha_constraint=alpha_constraint,
                         **kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        axes = [] if shared_axes is None else (
            [shared_axes] if arguments.is_int(shared_axes) else list(shared_axes))
        self.shared_axes = [arguments.positive_int(a, layer_label(self), "shared_axes")
                            for a in axes]

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for axis in self.shared_axes:
            if axis > len(shape):
                raise layer_error(self, f"shared_axes {self.shared_axes} name axis {axis}, but "
                                        f"inputs of shape {describe(input_shape)} have axes 1 "
                                        f"to {len(shape)}")
            shape[axis - 1] = 1
        if None in shape:
            raise layer_error(self, f"needs every unshared axis known, got inputs of shape "
                                    f"{describe(input_shape)}; share the unknown axes "
                                    f"(shared_axes)")
        self.alpha = self.add_weight("alpha", tuple(shape), self.alpha_initializer)

    def check_input(self, shape):
        expected = (None,) + tuple(self.alpha.shape)
        if len(shape) != len(expected) or any(
                a != 1 and d != a for d, a in zip(shape[1:], expected[1:])):
            raise layer_error(self, f"was built for inputs like {describe(expected)} "
                                    f"(1 = shared), got shape {describe(shape)}")

    def call(self, x, training=False):
        return el.relu(x) - self.alpha * el.relu(-x)

    def get_config(self):
        return {**super().get_config(),
                "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "shared_axes": self.shared_axes or None}


class ELU(Layer):
    """x where x > 0, alpha * (exp(x) - 1) elsewhere."""

    supports_masking = True  # passes a Keras mask on unchanged

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = arguments.number(alpha, layer_label(self), "alpha", -_BIG, _BIG)

    def call(self, x, training=False):
        return nn.elu(x, alpha=self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class ThresholdedReLU(Layer):
    """x where x > theta, 0 elsewhere."""

    supports_masking = True  # passes a Keras mask on unchanged

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        self.theta = arguments.number(theta, layer_label(self), "theta", -_BIG, _BIG)

    def call(self, x, training=False):
        return x * el.cast(ar.greater(x, self.theta), x.dtype)

    def get_config(self):
        return {**super().get_config(), "theta": self.theta}


class Softmax(Layer):
    """exp(x) / sum(exp(x)) along `axis`."""

    supports_masking = True  # passes a Keras mask on unchanged

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if not arguments.is_int(axis):
            raise TypeError(f"{layer_label(self)}: axis must be an int, got {axis!r}")
        self.axis = int(axis)

    def check_input(self, shape):
        if not -len(shape) <= self.axis < len(shape):
            raise layer_error(self, f"has axis {self.axis}, out of range for inputs of shape "
                                    f"{describe(shape)}")

    def call(self, x, training=False):
        return nn.softmax(x, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class ReLU(Layer):
    """max_value above it; x from threshold up; negative_slope * (x - threshold) below threshold."""

    supports_masking = True  # passes a Keras mask on unchanged

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        who = layer_label(self)
        self.max_value = None if max_value is None else arguments.number(
            max_value, who, "max_value", 0, _BIG)
        self.negative_slope = arguments.number(negative_slope, who, "negative_slope", 0, _BIG)
        self.threshold = arguments.number(threshold, who, "threshold", -_BIG, _BIG)

    def call(self, x, training=False):
        return backend_nn.relu(x, alpha=self.negative_slope, max_value=self.max_value,
                               threshold=self.threshold)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}
