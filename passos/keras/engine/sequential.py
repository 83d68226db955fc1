"""`Sequential`: a plain stack of layers, each feeding the next."""
from ..layers.core import Input, InputLayer
from .base_layer import Layer, layer_label, makes_masks
from .masking import masked_call
from .node import KerasTensor, flat
from .training import Model


class Sequential(Model):
    """A model built by `add`ing layers; built as soon as the input shape is known.

    >>> from passos.keras.models import Sequential
    >>> from passos.keras.layers import Dense
    >>> model = Sequential([Dense(4, input_shape=(3,)), Dense(2)])
    >>> model.output_shape
    (None, 2)
    """

    saved_by_config = True  # model.save writes its config; a subclass must save weights only

    def __init__(self, layers=None, name=None):
        super().__init__(name=name)
        self._stack = []
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self):
        return list(self._stack)

    def add(self, layer):
        """Append a layer; with a known input shape, build it now so errors show at once."""
        if isinstance(layer, InputLayer):
            if self._stack or self.inputs is not None:
                raise ValueError("Sequential.add: an InputLayer can only come first")
            self._wire(layer.output, layer.output)
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add: expected a layer, got {layer!r:.60}")
        self._stack.append(layer)
        if self.outputs is None and layer.batch_input_shape is not None:
            self.inputs = self.outputs = [Input(batch_shape=layer.batch_input_shape)]
        if self.outputs is not None:
            try:
                self._wire(self.inputs, _single(layer, layer(self.outputs[0])))
            except ValueError:
                self._stack.pop()
                raise
        self._invalidate_plans()

    def pop(self):
        """Remove the last layer."""
        if not self._stack:
            raise ValueError("Sequential.pop: the model has no layers")
        self._stack.pop()
        self._rewire()

    def _rewire(self):
        own = {id(node) for node in self._nodes}  # this model's old calls: forgotten by the layers
        for layer in self._stack:
            layer._inbound_nodes = [n for n in layer._inbound_nodes if id(n) not in own]
        if self.inputs is not None:
            self._wire(self.inputs, Sequential.call(self, self.inputs[0]))
            self._invalidate_plans()

    def _build(self, shape):
        """Build from the first data seen, when no layer gave an input shape."""
        self.inputs = self.outputs = [Input(batch_shape=(None,) + tuple(shape[1:]))]
        self._rewire()

    def call(self, x, training=False, mask=None):
        """Run the stack on `x`; Keras' mask (`mask`, or the first layer's that makes one)
        goes along, and compute_mask gives the last one."""
        inputs, given = x, mask
        for layer in self._stack:
            if mask is None and not makes_masks(layer):
                x = layer(x, training=training)
            else:
                x, mask = masked_call(layer, x, mask, training)
            _single(layer, x)
        self._remember_masks(inputs, given, [mask])
        return x

    def add_loss(self, losses, inputs=None):
        if any(isinstance(item, KerasTensor) for item in flat(losses)):
            raise ValueError(f"Sequential model '{self.name}': add_loss of a model tensor needs "
                             "the functional API: build Model(inputs, outputs), then add_loss")
        super().add_loss(losses, inputs)

    def get_config(self):
        return {"name": self.name,
                "layers": [{"class_name": type(layer).__name__, "config": layer.get_config()}
                           for layer in self._stack]}


def _single(layer, output):
    """The layer's output, refused when it has several (Keras: Sequential needs one each)."""
    if isinstance(output, list):
        raise ValueError(f"Sequential: all layers in a Sequential model should have a single "
                         f"output tensor, but {layer_label(layer)} has {len(output)} (e.g. "
                         f"return_state=True); use the functional API (Model(inputs, outputs)) "
                         f"for layers with several outputs")
    return output
