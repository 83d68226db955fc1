"""ActivityRegularization: the identity, with a penalty l1 * sum|x| + l2 * sum(x²) on its output.

The penalty is the layer's activity regularizer (Keras' way): each call adds it to
`layer.losses`, and a compiled model adds it to the training loss.
"""
from ... import arguments
from ..engine.base_layer import Layer, layer_label
from ..regularizers import L1L2


class ActivityRegularization(Layer):
    """Output = input; `losses` holds [l1 * sum(|x|) + l2 * sum(x**2)] of the latest call."""

    supports_masking = True  # passes a Keras mask on unchanged

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(**kwargs)
        who = layer_label(self)
        self.l1 = arguments.number(l1, who, "l1", 0, float("inf"))
        self.l2 = arguments.number(l2, who, "l2", 0, float("inf"))
        self.activity_regularizer = L1L2(self.l1, self.l2)

    def call(self, x, training=False):
        return x

    def get_config(self):
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}
