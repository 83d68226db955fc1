"""The functional API's graph: `KerasTensor`s joined by `Node`s, one node per layer call.

`Input(...)` makes a KerasTensor with no node; calling a layer on KerasTensors adds a Node
(the layer, its input tensors, its output tensors) that the layer also keeps in
`_inbound_nodes`, so a layer called twice (shared weights) has two nodes.
"""
import numpy as np

from ...core.apply import Symbolic
from ...core.shapes import describe


class KerasTensor(Symbolic):
    """A symbolic value of a functional model: its shape, and the layer call that made it.

    Ops on it (`x * 2`, `K.exp(x)`) become layer calls too (engine/op_layer.py).
    """

    def __init__(self, shape, dtype="float32", node=None, index=0, name=None):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.node = node    # the layer call that made it; None for an Input
        self.index = index  # which of the call's outputs it is
        self.name = name or (node.layer.name if node is not None else "input")
        self.mask_shape = None  # the shape of its Keras mask when it carries one

    @property
    def layer(self):
        """The layer whose call made this tensor (None for an Input)."""
        return self.node.layer if self.node is not None else None

    @property
    def inputs(self):
        """The tensors that call took."""
        return self.node.inputs if self.node is not None else ()

    graph = None  # what records ops on it as layer calls: op_layer.RECORDER, set there

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={describe(self.shape)} from '{self.name}'>"


class Node:
    """One call of `layer` on KerasTensors: `listed` when it took a list, `multiple` outputs;
    `masked` when masks go in or come out (replayed by masking.run_masked)."""

    masked = False

    def __init__(self, layer, inputs, listed, output_shapes, dtype):
        self.layer, self.inputs, self.listed = layer, tuple(inputs), listed
        self.multiple = isinstance(output_shapes, list)
        shapes = output_shapes if self.multiple else [output_shapes]
        name = layer.name if not layer._inbound_nodes else f"{layer.name}_{len(layer._inbound_nodes)}"
        self.outputs = tuple(KerasTensor(s, dtype, self, i, name if len(shapes) == 1 else f"{name}_{i}")
                             for i, s in enumerate(shapes))
        layer._inbound_nodes.append(self)

    @property
    def input(self):
        """What the call took: one tensor, or the list it was given."""
        return list(self.inputs) if self.listed else self.inputs[0]

    @property
    def output(self):
        return list(self.outputs) if self.multiple else self.outputs[0]

    def run(self, values, apply):
        """Look up this call's inputs in `values` (by id), apply(node, input), store the outputs."""
        args = [values[id(t)] for t in self.inputs]
        result = apply(self, args if self.listed else args[0])
        for t, value in zip(self.outputs, result if self.multiple else [result]):
            values[id(t)] = value


def flat(value):
    """A list of the items of a list or tuple, or [value]."""
    return list(value) if isinstance(value, (list, tuple)) else [value]
