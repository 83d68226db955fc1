"""ActivityRegularization: the identity, with a penalty l1 * sum|x| + l2 * sum(x²) on its output.

passos models have no layer losses yet: compile/fit cannot add the penalty to the training
loss, so a training plan refuses the layer (rather than train without it). Eager code reads
the penalty of the latest call from `layer.losses` and adds it to its own loss.
"""
from ... import arguments
from ...core.apply import tracing_graph
from ...ops import elementwise as el, reduce as rd
from ..engine.base_layer import Layer, layer_error, layer_label


class ActivityRegularization(Layer):
    """Output = input; `losses` holds [l1 * sum(|x|) + l2 * sum(x**2)] of the latest call."""

    supports_masking = True  # passes a Keras mask on unchanged

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(**kwargs)
        who = layer_label(self)
        self.l1 = arguments.number(l1, who, "l1", 0, float("inf"))
        self.l2 = arguments.number(l2, who, "l2", 0, float("inf"))
        self.losses = []

    def call(self, x, training=False):
        if training and tracing_graph() is not None:
            raise layer_error(self, "cannot add its penalty to a compiled model's loss: passos "
                                    "models have no layer losses yet; remove the layer for "
                                    "fit(), or train eagerly and add layer.losses to the loss")
        penalty = 0.0
        if self.l1:
            penalty = penalty + self.l1 * rd.sum(el.abs(x))
        if self.l2:
            penalty = penalty + self.l2 * rd.sum(el.square(x))
        self.losses = [penalty]
        return x

    def get_config(self):
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}
