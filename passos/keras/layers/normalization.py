"""BatchNormalization: normalise with batch statistics while training, moving averages after."""
from ... import arguments
from ...core.shapes import describe
from ...ops import elementwise as el, reduce as rd
from ...ops.movement import reshape
from ...ops.moving_average import moving_average_update
from .. import initializers
from ..engine.base_layer import Layer, layer_error, layer_label


class BatchNormalization(Layer):
    """y = gamma (x - mean) / sqrt(var + epsilon) + beta along `axis` (Keras 2 defaults)."""

    weight_options = ("beta", "gamma")
    supports_masking = True  # passes a Keras mask on unchanged

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones", **kwargs):
        super().__init__(**kwargs)
        who = layer_label(self)
        self.axis = arguments.integer(axis, who, "axis", minimum=None)
        self.momentum = arguments.number(momentum, who, "momentum", 0, 1, high_open=False)
        self.epsilon = arguments.number(epsilon, who, "epsilon", 0, float("inf"))
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)

    def build(self, input_shape):
        if not -len(input_shape) <= self.axis < len(input_shape):
            raise layer_error(self, f"has axis {self.axis}, out of range for inputs of shape "
                                    f"{describe(input_shape)}")
        axis = self.axis % len(input_shape)
        if input_shape[axis] is None:
            raise layer_error(self, f"needs a known size on axis {self.axis}, got "
                                    f"{describe(input_shape)}")
        size = (input_shape[axis],)
        self.gamma = self.add_weight("gamma", size, self.gamma_initializer) if self.scale else None
        self.beta = self.add_weight("beta", size, self.beta_initializer) if self.center else None
        self.moving_mean = self.add_weight("moving_mean", size, self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight("moving_variance", size,
                                               self.moving_variance_initializer, trainable=False)

    def check_input(self, shape):
        expected = self.moving_mean.shape[0]
        if not -len(shape) <= self.axis < len(shape) or shape[self.axis] != expected:
            raise layer_error(self, f"was built for {expected} features on axis {self.axis}, "
                                    f"got inputs of shape {describe(shape)}")

    def call(self, x, training=False):
        ndim = len(x.shape)
        axis = self.axis % ndim
        reduce_axes = tuple(i for i in range(ndim) if i != axis)
        broadcast = tuple(-1 if i == axis else 1 for i in range(ndim))
        if training:
            mean = rd.mean(x, axis=reduce_axes, keepdims=True)
            variance = rd.mean(el.square(x - mean), axis=reduce_axes, keepdims=True)
            # the moving averages of the mean and the unbiased variance, as Keras 2 keeps them:
            # updated now when eager, by the plan's update nodes at each step when traced
            self.add_update(moving_average_update(self.moving_mean, reshape(mean, (-1,)),
                                                  self.momentum))
            self.add_update(moving_average_update(self.moving_variance, reshape(variance, (-1,)),
                                                  self.momentum, x, unbias_axes=reduce_axes))
        else:
            mean = reshape(self.moving_mean, broadcast)
            variance = reshape(self.moving_variance, broadcast)
        y = (x - mean) / el.sqrt(variance + self.epsilon)
        if self.scale:
            y = y * reshape(self.gamma, broadcast)
        if self.center:
            y = y + reshape(self.beta, broadcast)
        return y

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer":
                    initializers.serialize(self.moving_variance_initializer)}
