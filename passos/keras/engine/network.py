"""`Model`'s structure: the layers, how they connect, their weights, summary and config.

A functional model is wired from `Input(...)` through layer calls on `KerasTensor`s;
`call` replays those layer calls on real tensors or symbols.
"""
from ...core.shapes import describe
from ..utils import layer_utils
from .base_layer import KerasTensor, Layer


class Network(Layer):
    """Layers connected input to output; itself a layer."""

    def __init__(self, inputs=None, outputs=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self._nodes = []  # KerasTensors in computation order (functional models)
        self.inputs = self.outputs = None
        if inputs is not None or outputs is not None:
            self._wire(inputs, outputs)

    # -- structure -----------------------------------------------------------
    def _wire(self, inputs, outputs):
        for name, value in (("inputs", inputs), ("outputs", outputs)):
            if not isinstance(value, KerasTensor):
                raise TypeError(f"Model: {name} must be one KerasTensor from Input(...) and layer "
                                f"calls (passos supports one input and one output), got {value!r:.60}")
        order = [outputs]  # every layer takes one input: the tensors form a chain
        while order[-1].inputs:
            order.append(order[-1].inputs[0])
        order.reverse()
        if order[0] is not inputs:
            raise ValueError(f"Model: the outputs {outputs!r} are not computed from the given "
                             f"inputs {inputs!r}")
        self.inputs, self.outputs, self._nodes = inputs, outputs, order[1:]
        self.input, self.output = inputs, outputs  # Keras' model.input / model.output
        self.batch_input_shape = inputs.shape
        self.built = True
        self.input_shape_built = inputs.shape

    @property
    def layers(self):
        """The layers in the order they are first used."""
        return list({id(node.layer): node.layer for node in self._nodes}.values())

    def call(self, x, training=False):
        for node in self._nodes:  # every layer takes one input: the nodes form a chain
            x = node.layer(x, training=training)
        return x

    def check_input(self, shape):
        expected = self.input_shape_built
        if expected is not None and (len(shape) != len(expected) or any(
                e is not None and s is not None and e != s for e, s in zip(expected[1:], shape[1:]))):
            raise ValueError(f"model '{self.name}' expects inputs of shape {describe(expected)}, "
                             f"got {describe(shape)}")

    @property
    def input_shape(self):
        return self.input_shape_built

    @property
    def output_shape(self):
        return self.outputs.shape if self.outputs is not None else None

    # -- weights -------------------------------------------------------------
    def _unique(self, attribute):
        """The layers' `attribute` weights, each once (a layer may be used twice)."""
        return list({id(w): w for layer in self.layers for w in getattr(layer, attribute)}.values())

    @property
    def trainable_weights(self):
        return self._unique("trainable_weights") if self.trainable else []

    @property
    def non_trainable_weights(self):
        return self._unique("non_trainable_weights" if self.trainable else "weights")

    @property
    def weights(self):
        """All weights, layer by layer in Keras order (what get_weights returns)."""
        return self._unique("weights")

    def get_layer(self, name=None, index=None):
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"no layer named {name!r} in model '{self.name}'; it has "
                         f"{[layer.name for layer in self.layers]}")

    # -- description ---------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None):
        """Print each layer's name, type, output shape and parameter count, then the totals (Keras 2)."""
        layer_utils.print_summary(self, line_length, positions, print_fn)

    def get_config(self):
        """Layers with their configs and inbound layer names (JSON-serialisable)."""
        layers = [{"class_name": "InputLayer", "name": self.inputs.name,
                   "config": {"batch_input_shape": list(self.inputs.shape),
                              "dtype": str(self.inputs.dtype), "name": self.inputs.name},
                   "inbound": []}]
        layers += [{"class_name": type(node.layer).__name__, "name": node.layer.name,
                    "config": node.layer.get_config(), "inbound": [node.inputs[0].name]}
                   for node in self._nodes]
        return {"name": self.name, "layers": layers, "output": self.outputs.name}
