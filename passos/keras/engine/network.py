"""`Model`'s structure: the layers, how they connect, their weights, summary and config.

A functional model is wired from `Input(...)` through layer calls on `KerasTensor`s;
`call` replays those layer calls on real tensors or symbols. Used as a layer, a model
takes Keras masks for its inputs and gives its outputs' masks (`compute_mask`), as in Keras.
"""
from ...core.shapes import describe
from ..utils import layer_utils
from .base_layer import Layer, takes_argument
from .functional import graph_order, network_config
from .masking import none_given, run_masked, same_items, same_masks
from .node import KerasTensor, flat


class Network(Layer):
    """Layers connected input to output; itself a layer."""

    def __init__(self, inputs=None, outputs=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self._nodes = []  # the layer calls (Nodes) in computation order
        self._loss_tensors = []  # add_loss's KerasTensors: computed with the outputs
        self._loss_nodes = []    # the further layer calls that compute them
        self.inputs = self.outputs = None  # lists of KerasTensors, as in Keras
        self.input_names, self.output_names = [], ["output"]
        self._output_masks = None  # (inputs, masks, output masks) of the latest call
        if inputs is not None or outputs is not None:
            self._wire(inputs, outputs)

    # -- structure -----------------------------------------------------------
    def _wire(self, inputs, outputs):
        """Find the layer calls from `inputs` to `outputs` (each a KerasTensor or a list)."""
        self.inputs, self.outputs = flat(inputs), flat(outputs)
        self._nodes = graph_order(self.inputs, self.outputs, self.name)
        self.input_names = [t.name for t in self.inputs]
        self.output_names = [t.layer.name if t.layer is not None else t.name for t in self.outputs]
        self.built = True
        shapes = [t.shape for t in self.inputs]
        self.batch_input_shape = self.input_shape_built = _one_or_list(shapes)

    @property
    def input(self):
        return _one_or_list(self._wired("input").inputs)

    @property
    def output(self):
        return _one_or_list(self._wired("output").outputs)

    def _wired(self, what):
        if self.inputs is None:
            raise AttributeError(f"model '{self.name}' has no {what} yet: give its first layer "
                                 "an input_shape, or build it from Input(...) tensors")
        return self

    @property
    def layers(self):
        """The InputLayers, then the layers in the order they are first used."""
        found = [getattr(t, "input_layer", None) for t in self.inputs or []]
        found += [node.layer for node in self._nodes]
        return list({id(layer): layer for layer in found if layer is not None}.values())

    def call(self, x, training=False, mask=None):
        """Replay the layer calls on `x`; `mask` (one per input, or None) feeds the input
        tensors' masks, and then every call runs with masks (Keras' run_internal_graph)."""
        values = dict(zip(map(id, self.inputs), flat(x)))
        if mask is not None and len(flat(mask)) != len(self.inputs):
            raise ValueError(f"model '{self.name}' takes {len(self.inputs)} input(s) "
                             f"{self.input_names}, got {len(flat(mask))} mask(s)")
        masks = {id(t): m for t, m in zip(self.inputs, flat(mask)) if m is not None}
        for node in self._nodes + self._loss_nodes:
            if node.masked or masks:
                run_masked(node, values, masks, training)
            else:
                node.run(values, lambda node, arg: node.layer(arg, training=training))
        self._losses.extend(values[id(t)] for t in self._loss_tensors)
        self._remember_masks(x, mask, [masks.get(id(t)) for t in self.outputs])
        return _one_or_list([values[id(t)] for t in self.outputs])

    def _remember_masks(self, x, mask, output_masks):
        """Keep the output masks of this call for the compute_mask that follows it (none
        kept, and no batch held, when no mask went in or came out)."""
        masked = not (none_given(mask) and none_given(output_masks))
        self._output_masks = (x, mask, _one_or_list(output_masks)) if masked else None

    def compute_mask(self, inputs, mask=None):
        """The masks of the outputs for `inputs` with `mask`: those of the latest call on
        the same inputs, else computed by running the model (Keras' output mask cache).

        Without input masks and without a mask-making layer inside, there is none."""
        if none_given(mask) and all(t.mask_shape is None for t in self.outputs or []):
            return None
        if not takes_argument(type(self).call, "mask"):
            return None  # a subclassed model's own call: no masks, as in Keras
        remembered, self._output_masks = self._output_masks, None  # hold no batch for long
        if remembered is not None and same_items(remembered[0], inputs) \
                and same_masks(remembered[1], mask):
            return remembered[2]
        kept = list(self._losses)  # a run for the masks adds no losses
        self.call(inputs, mask=mask)
        self._losses[:] = kept
        remembered, self._output_masks = self._output_masks, None
        return remembered[2]

    def add_loss(self, losses, inputs=None):
        """Add losses; a KerasTensor computed from the model's inputs (Keras' VAE: the KL term
        from `z_mean` and `z_log_var`) joins the loss of every compiled step, computed in
        the same pass as the outputs."""
        items = losses if isinstance(losses, (list, tuple)) else [losses]
        tensors = [item for item in items if isinstance(item, KerasTensor)]
        if tensors:
            self._wired("loss")
            wanted = self._loss_tensors + tensors
            known = {id(node) for node in self._nodes}
            self._loss_nodes = [node for node in graph_order(self.inputs, wanted, self.name)
                                if id(node) not in known]
            self._loss_tensors = wanted
            if hasattr(self, "_invalidate_plans"):
                self._invalidate_plans()
        rest = [item for item in items if not isinstance(item, KerasTensor)]
        if rest:
            super().add_loss(rest, inputs)

    def check_input(self, shape):
        if self.inputs is None:
            return
        shapes = shape if isinstance(shape, list) else [shape]
        if len(shapes) != len(self.inputs):
            raise ValueError(f"model '{self.name}' takes {len(self.inputs)} input(s) "
                             f"{self.input_names}, got {len(shapes)}")
        for tensor, shape in zip(self.inputs, shapes):
            expected = tensor.shape
            if len(shape) != len(expected) or any(e is not None and s is not None and e != s
                                                  for e, s in zip(expected[1:], shape[1:])):
                which = "inputs" if len(shapes) == 1 else f"input '{tensor.name}'"
                raise ValueError(f"model '{self.name}' expects {which} of shape "
                                 f"{describe(expected)}, got {describe(shape)}")

    @property
    def input_shape(self):
        return self.input_shape_built

    @property
    def output_shape(self):
        if self.outputs is None:
            return None
        return _one_or_list([t.shape for t in self.outputs])

    # -- weights -------------------------------------------------------------
    def _unique(self, attribute):
        """The layers' `attribute` weights, each once (a layer may be used twice)."""
        loss_layers = [node.layer for node in self._loss_nodes]  # a loss may use layers of its own
        return list({id(w): w for layer in self.layers + loss_layers
                     for w in getattr(layer, attribute)}.values())

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

    @property
    def stateful(self):
        """True when a layer keeps states between batches (a stateful RNN, nested ones too)."""
        return any(layer.stateful for layer in self.layers)

    def reset_states(self):
        """Reset the states of every stateful layer (nested models' and wrappers' included)."""
        for layer in self.layers:
            if layer.stateful:
                layer.reset_states()

    @property
    def losses(self):
        """Every layer's losses (nested models' included), then the model's own."""
        return [loss for layer in self.layers for loss in layer.losses] + list(self._losses)

    def get_layer(self, name=None, index=None):
        """The layer called `name`, or the `index`-th of `layers`."""
        layers = self.layers
        if index is not None:
            if not isinstance(index, int) or not -len(layers) <= index < len(layers):
                raise ValueError(f"get_layer: model '{self.name}' has {len(layers)} layers, "
                                 f"there is no index {index!r}")
            return layers[index]
        if name is None:
            raise ValueError("get_layer: give a name or an index")
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"no layer named {name!r} in model '{self.name}'; it has "
                         f"{[layer.name for layer in layers]}")

    # -- description ---------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None):
        """Print each layer's name, type, output shape and parameter count, then the totals (Keras 2)."""
        layer_utils.print_summary(self, line_length, positions, print_fn)

    def _repr_html_(self):
        """summary() as an HTML table, for Jupyter; None (the plain repr) until the model is built."""
        if not self.built:
            return None
        return layer_utils.summary_html(self)

    def get_config(self):
        """Keras' functional config: each layer once, with the calls that feed it."""
        return network_config(self)


def _one_or_list(items):
    """One item alone, several as a list (Keras' model.input, model.output, predict)."""
    return list(items) if len(items) > 1 else items[0]
