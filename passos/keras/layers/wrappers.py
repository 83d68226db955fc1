"""Wrappers around another layer: TimeDistributed (the layer on every time step) and
Bidirectional (a recurrent layer read forwards and backwards, outputs merged).

A wrapper's weights are its inner layers' (the same tensors), so models, optimizers and
saved files see them as the wrapper's, in Keras' order.
"""
from ...core.shapes import describe
from ...ops.movement import concatenate, getitem, reshape
from ..engine.base_layer import Layer, layer_error, layer_label

MERGE_MODES = ("concat", "sum", "ave", "mul", None)


def _layer_classes(cls=Layer):
    """Every Layer subclass by name (passos' own winning a clash), for rebuilding from configs."""
    found = {}
    for sub in cls.__subclasses__():
        for name, klass in _layer_classes(sub).items():
            if name not in found or klass.__module__.startswith("passos."):
                found[name] = klass
        if sub.__name__ not in found or sub.__module__.startswith("passos."):
            found[sub.__name__] = sub
    return found


def deserialize(item, who):
    """The layer described by {'class_name', 'config'} (Keras' nested layer format)."""
    if isinstance(item, Layer):
        return item
    cls = _layer_classes().get(item.get("class_name")) if isinstance(item, dict) else None
    if cls is None:
        raise ValueError(f"{who}: cannot rebuild the wrapped layer from {item!r:.120}; give a "
                         "layer, or {'class_name': ..., 'config': ...} naming a passos layer")
    return cls.from_config(item["config"])


def serialize(layer):
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


class Wrapper(Layer):
    """A layer around `layer`: its config nests the inner layer's."""

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        self.layer = deserialize(layer, type(self).__name__)
        if not isinstance(self.layer, Layer):
            raise TypeError(f"{type(self).__name__}: expects a Keras layer, got {layer!r:.80}")

    @property
    def wrapped_layers(self):
        """The inner layers that run (their losses, updates and constraints are the wrapper's)."""
        return [self.layer]

    @property
    def losses(self):
        return super().losses + [loss for inner in self.wrapped_layers for loss in inner.losses]

    @property
    def stateful(self):
        return any(inner.stateful for inner in self.wrapped_layers)

    def reset_states(self):
        """Reset the inner layers' states (Bidirectional: the forward and backward layer's)."""
        if not self.stateful:
            raise AttributeError(f"{layer_label(self)} wraps no stateful layer, so it has no "
                                 f"states to reset")
        for inner in self.wrapped_layers:
            inner.reset_states()

    def get_config(self):
        return {**super().get_config(), "layer": serialize(self.layer)}


class TimeDistributed(Wrapper):
    """The inner layer applied to every step: (batch, steps, ...) -> (batch, steps, ...').

    The steps are folded into the batch, (batch * steps, ...), so one call does all steps.
    A Keras mask passes through unchanged (the inner layer does not see it), as in Keras 2.2.4.
    """

    supports_masking = True

    def build(self, input_shape):
        if len(input_shape) < 3 or input_shape[1] is None:
            raise layer_error(self, f"expects inputs (batch, steps, ...) with a known number of "
                                    f"steps, got shape {describe(input_shape)}")
        self.layer._build((None,) + tuple(input_shape[2:]))
        self._weights = self.layer._weights

    def check_input(self, shape):
        if len(shape) < 3 or shape[1] != self.input_shape_built[1]:
            raise layer_error(self, f"was built for inputs {describe(self.input_shape_built)}, "
                                    f"got shape {describe(shape)}")

    def call(self, x, training=False):
        steps, inner = x.shape[1], tuple(x.shape[2:])
        if any(d is None for d in inner):
            raise layer_error(self, f"needs every axis after the steps known, got shape "
                                    f"{describe(x.shape)}")
        y = self.layer(reshape(x, (-1,) + inner), training=training)
        return reshape(y, (-1, steps) + tuple(y.shape[1:]))


class Bidirectional(Wrapper):
    """A recurrent layer run forwards and a copy run backwards; outputs merged by merge_mode.

    merge_mode: 'concat' (features side by side), 'sum', 'ave', 'mul', or None (both
    outputs, as a list: eager calls only). With return_sequences, the backward outputs are
    put back in time order before merging, as Keras does. A Keras mask goes to both layers.
    """

    supports_masking = True

    def __init__(self, layer, merge_mode="concat", weights=None, **kwargs):
        super().__init__(layer, **kwargs)
        if merge_mode not in MERGE_MODES:
            raise layer_error(self, f"merge_mode must be one of {MERGE_MODES}, got {merge_mode!r}")
        if not hasattr(self.layer, "go_backwards") or getattr(self.layer, "return_state", False):
            raise layer_error(self, f"wraps recurrent layers (SimpleRNN, LSTM, GRU) without "
                                    f"return_state, got {self.layer!r}")
        self.merge_mode = merge_mode
        config = self.layer.get_config()
        self.forward_layer = type(self.layer).from_config(
            {**config, "name": f"forward_{config['name']}"})
        self.backward_layer = type(self.layer).from_config(
            {**config, "name": f"backward_{config['name']}",
             "go_backwards": not config["go_backwards"]})
        self.return_sequences = self.layer.return_sequences
        self._initial_weights = weights

    def build(self, input_shape):
        self.forward_layer._build(input_shape)
        self.backward_layer._build(input_shape)
        self._weights = self.forward_layer._weights + self.backward_layer._weights
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    @property
    def wrapped_layers(self):
        return [self.forward_layer, self.backward_layer]

    def check_input(self, shape):
        self.forward_layer.check_input(shape)

    def call(self, x, training=False, mask=None):
        y = self.forward_layer(x, training=training, mask=mask)
        y_back = self.backward_layer(x, training=training, mask=mask)
        if self.return_sequences:  # the backward layer's outputs come last step first
            y_back = getitem(y_back, (slice(None), slice(None, None, -1)))
        if self.merge_mode == "concat":
            return concatenate([y, y_back], axis=-1)
        if self.merge_mode == "sum":
            return y + y_back
        if self.merge_mode == "ave":
            return (y + y_back) * 0.5
        if self.merge_mode == "mul":
            return y * y_back
        return [y, y_back]

    def compute_mask(self, inputs, mask=None):
        """With return_sequences the input's mask (one per output without merge_mode)."""
        if not self.return_sequences:
            return None
        return mask if self.merge_mode is not None else [mask, mask]

    def compute_output_shape(self, input_shape):
        if self.merge_mode is None:
            raise layer_error(self, "with merge_mode=None gives two outputs, which passos' "
                                    "functional models cannot wire yet; call it on tensors, or "
                                    "choose a merge_mode")
        return super().compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "merge_mode": self.merge_mode}
