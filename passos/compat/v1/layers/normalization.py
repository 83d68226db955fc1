"""tf.layers.BatchNormalization and batch_normalization: batch statistics while training, moving
averages otherwise; the moving-average updates go to tf.GraphKeys.UPDATE_OPS, as in TF1."""
from ....core.shapes import describe
from ....graph.graph import Symbol
from ....ops import arithmetic as ar, elementwise as el, movement as mv, reduce as rd
from ....ops.moving_average import moving_average_update
from .. import framework as fw, init_ops, math_ops
from .base import Layer, functional


class BatchNormalization(Layer):
    """(x - mean) / sqrt(variance + epsilon) * gamma + beta per feature along `axis`.

    `training` (a bool or a bool tensor) picks the batch's statistics, whose moving averages
    are updated by the ops in UPDATE_OPS (run them with the train op), or those averages.
    """

    base_name = "batch_normalization"
    call_options = ("training",)

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer=init_ops.zeros_initializer(),
                 gamma_initializer=init_ops.ones_initializer(),
                 moving_mean_initializer=init_ops.zeros_initializer(),
                 moving_variance_initializer=init_ops.ones_initializer(),
                 beta_regularizer=None, gamma_regularizer=None, trainable=True, name=None,
                 **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        self.axis, self.momentum, self.epsilon = axis, float(momentum), float(epsilon)
        self.center, self.scale = center, scale
        self.initializers = (gamma_initializer, beta_initializer, moving_mean_initializer,
                             moving_variance_initializer)
        self.regularizers = (gamma_regularizer, beta_regularizer)

    def build(self, shape, dtype):
        if shape is None or not -len(shape) <= self.axis < len(shape):
            raise ValueError(f"batch_normalization: axis {self.axis} is out of range for inputs "
                             f"of shape {describe(shape)}")
        features, dtype = self.known(shape, self.axis, "feature axis"), self.float_dtype(dtype)
        gamma, beta, mean, variance = self.initializers
        self.gamma = self.add_weight("gamma", (features,), dtype, gamma,
                                     self.regularizers[0]) if self.scale else None
        self.beta = self.add_weight("beta", (features,), dtype, beta,
                                    self.regularizers[1]) if self.center else None
        self.moving_mean = self.add_weight("moving_mean", (features,), dtype, mean,
                                           trainable=False)
        self.moving_variance = self.add_weight("moving_variance", (features,), dtype, variance,
                                               trainable=False)

    def call(self, x, training=False):
        rank = len(x.shape)
        axis = self.axis % rank
        reduce = [i for i in range(rank) if i != axis]
        shape = [1] * rank
        shape[axis] = -1
        per_feature = (lambda v: v) if axis == rank - 1 else (lambda v: mv.reshape(v, shape))
        if training is False or training is None:
            return self._normalize(x, self.moving_mean, self.moving_variance, per_feature)
        mean = rd.mean(x, reduce, True)
        variance = rd.mean(el.square(ar.subtract(x, mean)), reduce, False)
        mean = mv.reshape(mean, (-1,))
        y = self._normalize(x, mean, variance, per_feature)
        if isinstance(training, Symbol):  # a tensor: blend the two results and the updates
            t = math_ops.cast(training, x.dtype)
            y = ar.add(ar.multiply(t, y), ar.multiply(ar.subtract(1.0, t), self._normalize(
                x, self.moving_mean, self.moving_variance, per_feature)))
            mean = ar.add(ar.multiply(t, mean), ar.multiply(ar.subtract(1.0, t), self.moving_mean))
            variance = ar.add(ar.multiply(t, variance),
                              ar.multiply(ar.subtract(1.0, t), self.moving_variance))
        # TF1 runs 4-D inputs through its fused kernel, which averages the unbiased variance
        unbias = reduce if rank == 4 and not isinstance(training, Symbol) else None
        self.updates = [
            moving_average_update(self.moving_mean, mean, self.momentum),
            moving_average_update(self.moving_variance, variance, self.momentum,
                                  x if unbias else None, unbias_axes=unbias)]
        for update in self.updates:
            fw.add_to_collection(fw.GraphKeys.UPDATE_OPS, update)
        return y

    def _normalize(self, x, mean, variance, per_feature):
        inv = ar.divide(1.0, el.sqrt(ar.add(variance, self.epsilon)))
        if self.gamma is not None:
            inv = ar.multiply(inv, self.gamma)
        y = ar.multiply(ar.subtract(x, per_feature(mean)), per_feature(inv))
        return y if self.beta is None else ar.add(y, per_feature(self.beta))


batch_normalization = functional(BatchNormalization, "batch_normalization")
