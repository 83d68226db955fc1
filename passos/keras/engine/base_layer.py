"""`Layer`: weights created in `build(input_shape)`, computation in `call(x)` with passos ops.

The same `call` runs eagerly on tensors, on graph symbols (a model compiled into plans)
and on `KerasTensor`s (a functional model wired up), whose output shape comes from
tracing `call` on a placeholder: no layer hand-writes shape rules.
"""
import contextlib
import contextvars
import functools
import inspect
import re

import numpy as np

from ... import arguments
from ...core.apply import tracing
from ...core.tensor import Tensor
from ...debug import numerics
from ...graph.graph import Graph, Symbol, placeholder
from .. import initializers as initializers_module
from . import weight_options
from .masking import mask_error, none_given, wired_mask_shapes
from .node import KerasTensor, Node, flat

_name_counts = {}
_weight_source = contextvars.ContextVar("passos_weight_source", default=None)


@contextlib.contextmanager
def weights_from(source):
    """While active, `add_weight` takes each array from `source(layer, name, shape, dtype)`.

    No initializer runs: load_model, which overwrites every weight, saves their time and
    memory, and its `source` refuses a weight the file does not hold before allocating it.
    """
    token = _weight_source.set(source)
    try:
        yield
    finally:
        _weight_source.reset(token)


def call_layer(layer, x, training, mask=None):
    """layer.call(x, training=training), or layer.call(x) when its `call` takes no `training`.

    Keras passes `training` only to a `call` that takes it: a Keras-2 `def call(self, x):` works;
    likewise `mask`, when there is one, only to a `call` that takes it.
    """
    takes_mask = mask is not None and takes_argument(type(layer).call, "mask")
    extra = {"mask": mask} if takes_mask else {}
    if takes_argument(type(layer).call, "training"):
        return layer.call(x, training=training, **extra)
    return layer.call(x, **extra)


def eager_output(y):
    """An eager call gives passos Tensors, also where `call` passed a NumPy input through unchanged
    (Dropout at inference, a linear Activation): the result's type never depends on `training`."""
    if isinstance(y, (list, tuple)):
        return type(y)(eager_output(item) for item in y)
    return Tensor(y) if isinstance(y, np.ndarray) else y


@functools.lru_cache(maxsize=None)
def takes_argument(call, name):
    """True when the function `call` takes an argument `name` (or any keyword)."""
    parameters = inspect.signature(call).parameters.values()
    return any(p.name == name or p.kind is p.VAR_KEYWORD for p in parameters)


def unique_layer_name(base):
    """dense_1, dense_2 ... as Keras 2 names layers (a count per base name, from 1)."""
    count = _name_counts.get(base, 0) + 1
    _name_counts[base] = count
    return f"{base}_{count}"


def snake_case(name):
    """Keras' layer-name rule: Conv2D -> conv2d, MaxPooling2D -> max_pooling2d."""
    name = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


class Layer:
    """Base class of all layers: naming, weights, building, calling and configuration."""

    weight_options = ()  # regularizer/constraint prefixes it takes ("kernel", "activity" ...)
    stateful = False  # True: keeps states from one batch to the next, reset by reset_states()
    supports_masking = False  # True: takes a mask and passes it on (compute_mask), as in Keras

    def __init__(self, name=None, trainable=True, input_shape=None, input_dim=None,
                 batch_input_shape=None, batch_size=None, dtype=None, **unknown):
        self.name = name or unique_layer_name(snake_case(type(self).__name__))
        weight_options.take(self, unknown, layer_label(self))
        if unknown:
            raise TypeError(f"{type(self).__name__}: unknown keyword argument(s) "
                            f"{sorted(unknown)}")
        self.trainable = trainable
        self.dtype = np.dtype(dtype or "float32")
        self.batch_input_shape = _batch_input_shape(self, input_shape, input_dim,
                                                    batch_input_shape, batch_size)
        self.built = False
        self._weights = []          # (tensor, trainable) in creation order
        self.input_shape_built = self.output_shape_built = None
        self._updates = []          # graph-mode state updates made by the last call
        self._inbound_nodes = []    # its calls on KerasTensors (functional API), in order
        self._losses = []           # add_loss's losses of the last eager call (or of the traces)
        self._penalized = []        # (weight, regularizer)
        self._constraints = []      # (weight, constraint), applied after each optimizer step

    # -- weights ---------------------------------------------------------------
    def add_weight(self, name, shape, initializer="zeros", trainable=True, dtype=None,
                   regularizer=None, constraint=None):
        """Create a weight (an eager tensor, shared with every compiled plan).

        Its regularizer's penalty joins `losses`; its constraint runs after each training step.
        """
        init = initializers_module.get(initializer)
        source = _weight_source.get()
        if source is None:
            value = np.asarray(init(tuple(shape), dtype=dtype or self.dtype))
            value = value.astype(dtype or self.dtype)
        else:
            value = source(self, name, tuple(shape), np.dtype(dtype or self.dtype))
        weight = Tensor(value, requires_grad=trainable, name=f"{self.name}/{name}")
        self._weights.append((weight, trainable))
        weight_options.attach(self, weight, name, regularizer, constraint)
        return weight

    @property
    def trainable_weights(self):
        return [w for w, t in self._weights if t] if self.trainable else []

    @property
    def non_trainable_weights(self):
        return [w for w, t in self._weights if not (t and self.trainable)]

    @property
    def weights(self):
        return self.trainable_weights + self.non_trainable_weights

    def get_weights(self):
        """Copies of the weights' values, in Keras order."""
        return [w.data.copy() for w in self.weights]

    def set_weights(self, values):
        """Overwrite the weights in place (plans and optimizers keep seeing the same arrays)."""
        weights = self.weights
        if len(values) != len(weights):
            raise ValueError(f"{type(self).__name__} '{self.name}': set_weights got "
                             f"{len(values)} arrays, the layer has {len(weights)} weights")
        for w, v in zip(weights, values):
            v = np.asarray(v)
            if v.shape != w.shape:
                raise ValueError(f"{type(self).__name__} '{self.name}': weight '{w.name}' has "
                                 f"shape {w.shape}, got an array of shape {v.shape}")
            np.copyto(w.data, v, casting="same_kind")

    def count_params(self):
        return int(sum(w.data.size for w in self.weights))

    def add_loss(self, losses, inputs=None):
        """Add a scalar loss (or a list) computed in `call`; compiled models add it to their loss."""
        for loss in losses if isinstance(losses, (list, tuple)) else [losses]:
            if isinstance(loss, KerasTensor):
                raise layer_error(self, "add_loss got a KerasTensor (an Input's tensor): passos "
                                        "adds losses computed inside a layer's call; call "
                                        "self.add_loss(...) in a custom layer's call instead")
            self._losses.append(loss)

    @property
    def losses(self):
        """The losses of the latest call (add_loss, activity_regularizer), then weight penalties."""
        return list(self._losses) + [regularizer(w) for w, regularizer in self._penalized]

    def add_update(self, update):
        """Record a traced state update (BatchNormalization's moving averages) for plans; eager ones ran."""
        if isinstance(update, Symbol):
            self._updates.append(update)

    # -- building and calling --------------------------------------------------
    def build(self, input_shape):
        """Create the weights for inputs of `input_shape` (batch dimension included)."""

    def call(self, x, training=False):
        raise NotImplementedError(f"{type(self).__name__}.call")

    def check_input(self, shape):
        """Raise a clear error if inputs of `shape` do not fit (after build)."""

    def output_dtype(self, inputs):
        """The dtype of the KerasTensors that a call on the KerasTensors `inputs` makes."""
        return inputs[0].dtype

    def compute_mask(self, inputs, mask=None):
        """The mask of the output (Keras): the input's when `supports_masking`, else None; a
        layer without `supports_masking` refuses a mask with Keras' error."""
        if not self.supports_masking:
            if not none_given(mask):
                raise mask_error(self, mask)
            return None
        return mask

    def __call__(self, x, training=False, mask=None):
        # 1. build on first use, from the input's shape (a list of shapes for a list of inputs)
        listed = isinstance(x, (list, tuple))
        shapes = [_shape_of(item) for item in flat(x)]
        shape = shapes if listed else shapes[0]
        if not self.built:
            self._build(shape)
        self.check_input(shape)
        # 2. functional wiring: record the call, find the output shape by tracing
        symbolic = [isinstance(item, KerasTensor) for item in flat(x)]
        if any(symbolic):
            if not all(symbolic):
                raise layer_error(self, "was called on a mix of KerasTensors (from Input) and "
                                        "arrays or tensors; call it on KerasTensors only")
            self.output_shape_built = self.compute_output_shape(shape)
            masked = any(t.mask_shape is not None for t in flat(x)) or makes_masks(self)
            mask_shapes = wired_mask_shapes(self, flat(x), listed) if masked else [None]
            node = Node(self, flat(x), listed, self.output_shape_built, self.output_dtype(flat(x)))
            for t, mask_shape in zip(node.outputs, mask_shapes * len(node.outputs)):
                t.mask_shape = mask_shape
            node.masked = masked
            return node.output
        # 3. compute; the nodes traced here (or eager ops checked) are this layer's: errors name it
        graph = next((item.graph for item in flat(x) if isinstance(item, Symbol)), None)
        if graph is not None:  # a trace collects the losses of every call; eager, the latest
            with graph.origin(self.name), tracing(graph):
                return self._activity_penalty(call_layer(self, x, training, mask))
        self._losses.clear()
        if numerics.checking:
            with numerics.in_layer(self.name):
                return self._activity_penalty(eager_output(call_layer(self, x, training, mask)))
        return self._activity_penalty(eager_output(call_layer(self, x, training, mask)))

    def _activity_penalty(self, y):
        """Add activity_regularizer(output) to the layer's losses; return the output."""
        if self.activity_regularizer is not None:
            self.add_loss([self.activity_regularizer(item) for item in flat(y)])
        return y

    # -- the functional API's view of the calls (Keras' layer.input, get_output_at ...) --
    @property
    def input(self):
        return self._only_node("input").input

    @property
    def output(self):
        return self._only_node("output").output

    def _only_node(self, what):
        if not self._inbound_nodes:
            raise AttributeError(f"{layer_label(self)} is not connected (never called on an "
                                 f"Input's tensor), so it has no {what}")
        if len(self._inbound_nodes) > 1:
            raise AttributeError(f"{layer_label(self)} has {len(self._inbound_nodes)} inbound "
                                 f"nodes (it was called several times), so its {what} is "
                                 f"ambiguous; use get_{what}_at(node_index)")
        return self._inbound_nodes[0]

    def _node_at(self, index, what):
        if not isinstance(index, int) or not -len(self._inbound_nodes) <= index < len(
                self._inbound_nodes):
            raise ValueError(f"{layer_label(self)}.get_{what}_at({index!r}): the layer has "
                             f"{len(self._inbound_nodes)} inbound node(s)")
        return self._inbound_nodes[index]

    def get_input_at(self, node_index):
        """The input tensor(s) of the layer's `node_index`-th call."""
        return self._node_at(node_index, "input").input

    def get_output_at(self, node_index):
        """The output tensor(s) of the layer's `node_index`-th call."""
        return self._node_at(node_index, "output").output

    def get_input_shape_at(self, node_index):
        return _shapes(self._node_at(node_index, "input_shape").input)

    def get_output_shape_at(self, node_index):
        return _shapes(self._node_at(node_index, "output_shape").output)

    def _build(self, shape):
        self.input_shape_built = [(None,) + tuple(s[1:]) for s in shape] \
            if isinstance(shape, list) else (None,) + tuple(shape[1:])
        self.build(self.input_shape_built)
        self.built = True

    def compute_output_shape(self, input_shape):
        """Output shape for `input_shape`, found by tracing `call` on a placeholder."""
        kept = list(self._losses)  # a shape trace adds no losses
        with Graph().as_default() as graph, tracing(graph):
            if isinstance(input_shape, list):
                x = [placeholder(self.dtype, s, name=f"x{i}") for i, s in enumerate(input_shape)]
            else:
                x = placeholder(self.dtype, input_shape, name="x")
            y = call_layer(self, x, False)
        self._losses[:] = kept
        return [item.shape for item in y] if isinstance(y, (list, tuple)) else y.shape

    # -- configuration -----------------------------------------------------------
    def get_config(self):
        """The constructor arguments, JSON-serialisable (Keras convention)."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": str(self.dtype)}
        if self.batch_input_shape is not None:
            config["batch_input_shape"] = list(self.batch_input_shape)
        config.update(weight_options.config(self))
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} '{self.name}'>"


def makes_masks(layer):
    """True when the layer's class writes its own compute_mask (it may make a mask from none)."""
    return type(layer).compute_mask is not Layer.compute_mask


def _shape_of(x):
    return x.shape if isinstance(x, (Tensor, Symbol, KerasTensor)) else np.shape(x)


def _shapes(tensors):
    return [t.shape for t in tensors] if isinstance(tensors, list) else tensors.shape


def _batch_input_shape(layer, input_shape, input_dim, batch_input_shape, batch_size):
    """The layer's batch input shape from Keras' ways of giving it, each checked (or None)."""
    who = layer_label(layer)
    if batch_input_shape is not None:
        return arguments.shape(batch_input_shape, who, "batch_input_shape")
    if batch_size is not None:
        batch_size = arguments.positive_int(batch_size, who, "batch_size")
    if input_shape is not None:
        return (batch_size,) + arguments.shape(input_shape, who, "input_shape")
    if input_dim is not None:
        return (batch_size, arguments.positive_int(input_dim, who, "input_dim"))
    return None


def layer_label(layer):
    """How messages name a layer: its class and name, e.g. Dense 'dense_2'."""
    return f"{type(layer).__name__} '{layer.name}'"


def layer_error(layer, message):
    """A ValueError that starts with the layer's class and name."""
    return ValueError(f"{layer_label(layer)} {message}")
