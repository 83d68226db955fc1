"""tf.layers' Layer: variables made by tf.get_variable in a variable scope named after the layer.

A layer's first call opens `variable_scope(name, default_name=<base name>)` ('dense', 'dense_1'
...) and makes its variables there, so `reuse=True` with the same name shares them as in TF1;
later calls of the same object reuse them.
"""
import numpy as np

from ....core.shapes import describe
from ....graph.graph import Symbol
from .. import framework as fw
from ..variables import get_variable, variable_scope


class Layer:
    """Base of the tf.layers classes: `layer(inputs)` builds the variables once, then computes."""

    base_name = "layer"
    call_options = ()  # keyword arguments of the call (training=...)

    def __init__(self, activation=None, activity_regularizer=None, trainable=True, name=None,
                 dtype=None, _reuse=None, _scope=None):
        self.activation, self.activity_regularizer = activation, activity_regularizer
        self.trainable, self.name, self.dtype = trainable, name, dtype
        self._reuse, self._scope, self.built = _reuse, _scope, False
        self.variables, self.updates, self.losses = [], [], []

    @property
    def trainable_variables(self):
        return [v for v in self.variables if v.trainable]

    trainable_weights = trainable_variables

    @property
    def weights(self):
        return list(self.variables)

    def __call__(self, inputs, **options):
        (x,) = fw.inputs(inputs)
        if not isinstance(x, Symbol):
            x = fw.convert_to_tensor(x)
        if self._scope is None:
            with variable_scope(self.name, default_name=self.base_name,
                                reuse=self._reuse) as scope:
                self._scope = scope
                self.name = self.name or scope.name.rsplit("/", 1)[-1]
                return self._run(x, options)
        with variable_scope(self._scope, reuse=True):
            return self._run(x, options)

    def _run(self, x, options):
        if not self.built:
            self.build(x.shape, x.dtype)
            self.built = True
        out = self.call(x, **options)
        if self.activation is not None:
            out = self.activation(out)
        if self.activity_regularizer is not None:
            loss = self.activity_regularizer(out)
            if loss is not None:
                self.losses.append(loss)
                fw.add_to_collection(fw.GraphKeys.REGULARIZATION_LOSSES, loss)
        return out

    def build(self, shape, dtype):
        """Make the variables for inputs of `shape` (none by default)."""

    def add_weight(self, name, shape, dtype, initializer=None, regularizer=None,
                   trainable=True):
        """tf.get_variable('<layer scope>/name'), recorded on the layer."""
        var = get_variable(name, shape, self.dtype or dtype, initializer=initializer,
                           regularizer=regularizer, trainable=self.trainable and trainable)
        self.variables.append(var)
        return var

    def float_dtype(self, dtype):
        """The variables' dtype: the input's when it is a float type, else float32."""
        return dtype if np.dtype(dtype).kind == "f" else np.dtype(np.float32)

    def known(self, shape, axis, what):
        """shape[axis], which must be known to size the variables."""
        if shape is None or shape[axis] is None:
            raise ValueError(f"{self.base_name}: the {what} of the inputs must be known to make "
                             f"the variables, got inputs of shape {describe(shape)}")
        return shape[axis]


def functional(cls, name):
    """tf.layers.<name>(inputs, *layer arguments, reuse=None, ...): one `cls` layer applied once."""
    def fn(inputs, *args, reuse=None, **kwargs):
        options = {k: kwargs.pop(k) for k in cls.call_options if k in kwargs}
        return cls(*args, _reuse=reuse, **kwargs)(inputs, **options)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"`tf.layers.{cls.__name__}(...)` applied to `inputs`. {cls.__doc__}"
    return fn
