"""Ops on a model's tensors: `1 + z_log_var - K.square(z_mean)`, `losses.mse(inputs, outputs)`.

A `KerasTensor` is `Symbolic`, so passos' `apply` hands any op that takes one to the
KerasTensor's `graph`: `RECORDER` here. It wraps the op in an `OpLayer` and calls that on
the KerasTensors, so the expression becomes layer calls of the functional graph, usable as
model outputs, as `model.add_loss` losses and in `K.function`. Every op and every function
built from ops works this way with no code of its own (Keras 2 got the same from
TensorFlow tensors; TF 2's Keras does it with TFOpLambda layers).
"""
from ...core.apply import apply
from ...graph.graph import Graph, Symbol, placeholder
from ...ops import operators
from .base_layer import Layer, layer_label, unique_layer_name
from .node import KerasTensor


class OpLayer(Layer):
    """One op applied to KerasTensors (filling the `None` slots of `template`) and constants."""

    def __init__(self, op, template, in_dtypes, name=None):
        super().__init__(name=unique_layer_name(name or op.kind))
        self.op, self.template, self._in_dtypes = op, template, in_dtypes
        self._out_dtype = None

    def _filled(self, tensors):
        tensors = iter(tensors)
        return [next(tensors) if item is None else item for item in self.template]

    def call(self, inputs):
        return apply(self.op, *self._filled(inputs if isinstance(inputs, list) else [inputs]))

    def compute_output_shape(self, input_shape):
        """The op's own shape (and dtype) rule, checked as a graph node would be."""
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        with Graph().as_default():
            slots = [placeholder(dtype, shape) for dtype, shape in zip(self._in_dtypes, shapes)]
            out = apply(self.op, *self._filled(slots))
        self._out_dtype = out.dtype
        return out.shape

    def output_dtype(self, inputs):
        return self._out_dtype

    def compute_mask(self, inputs, mask=None):
        return None  # masks stop at arithmetic, as with Keras 2's TensorFlow tensors

    def get_config(self):
        raise ValueError(f"{layer_label(self)} is the op '{self.op.kind}' applied to model "
                         "tensors; a config cannot hold it: put the computation in a Lambda "
                         "layer with a named function to save the model's structure")


class Recorder:
    """The `graph` of every KerasTensor: records an op on them as an OpLayer call."""

    def add_op(self, op, inputs, name=None):
        symbol = next((x for x in inputs if isinstance(x, Symbol)), None)
        if symbol is not None:
            raise TypeError(f"{op.kind}: mixes a model tensor (KerasTensor) with the graph tensor "
                            f"'{symbol.name}'; read model tensors in a graph through K.function, "
                            "or compute inside a Lambda layer")
        tensors = [x for x in inputs if isinstance(x, KerasTensor)]
        layer = OpLayer(op, [None if isinstance(x, KerasTensor) else x for x in inputs],
                        [t.dtype for t in tensors], name)
        return layer(tensors if len(tensors) > 1 else tensors[0])


RECORDER = Recorder()
KerasTensor.graph = RECORDER  # KerasTensor's module cannot import this one, which builds on it
operators.install(KerasTensor, equality=False)  # == stays identity, as for TF1's tensors
