"""K.function and K.gradients: run and differentiate backend expressions and model tensors.

`K.function([model.input], [model.layers[1].output])([x])` reads a layer's
activations: the model tensors become symbols of the default graph (their
layers replayed on a placeholder, see tensors.symbol_of) and one Session
plan computes them. With K.learning_phase() among the inputs, the value fed
(0 test, 1 train) picks the phase the layers run in.
"""
import numpy as np

from ...core.autodiff import input_grads, reverse_topological, walk
from ...core.tensor import Tensor
from ...graph import graph as graph_module
from ...graph.gradients import gradients as graph_gradients
from ...graph.graph import Symbol
from ...graph.session import Session
from ..engine.base_layer import KerasTensor
from . import config
from .tensors import symbol_of


class Function:
    """A callable computing `outputs` from values for `inputs`, then applying `updates`.

    updates: (variable, new value) pairs, assigned after each call, as Keras'
    optimizers write theirs.
    """

    def __init__(self, inputs, outputs, updates=None, name=None):
        for what, items in (("inputs", inputs), ("outputs", outputs)):
            if not isinstance(items, (list, tuple)):
                raise TypeError(f"K.function: {what} must be a list of tensors, got "
                                f"{type(items).__name__} {items!r:.60}")
        self.inputs, self.outputs = list(inputs), list(outputs)
        self.updates = [_update_pair(u) for u in (updates or [])]
        self.name = name
        self._graph = graph_module.get_default_graph()
        self._phase_index = next((i for i, x in enumerate(self.inputs)
                                  if isinstance(x, Symbol) and x is _phase_of(self._graph)), None)
        self._plans = {}  # learning phase -> (session callable, fed symbols)

    def _plan(self, phase):
        plan = self._plans.get(phase)
        if plan is None:
            with self._graph.as_default():
                fed = [_symbol(x, phase, "inputs") for x in self.inputs]
                fetches = [_symbol(x, phase, "outputs") for x in self.outputs]
                fetches += [_symbol(v, phase, "updates") for _, v in self.updates]
                graph_phase = _phase_of(self._graph)
                if graph_phase is not None and self._phase_index is None:
                    fed.append(graph_phase)  # the phase input, if anything reads it
            session = Session(self._graph)
            plan = self._plans[phase] = (session, fetches, fed)
        return plan

    def __call__(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != len(self.inputs):
            raise ValueError(f"K.function: expected a list of {len(self.inputs)} input values, "
                             f"got {inputs!r:.80}")
        values = list(inputs)
        phase = config.static_phase() or 0
        if self._phase_index is not None:
            phase = int(bool(np.asarray(values[self._phase_index])))
        session, fetches, fed = self._plan(phase)
        if len(fed) > len(values):
            values.append(phase)
        feeds = {node: v for node, v in zip(fed, values) if isinstance(node, Symbol)}
        symbols = [f for f in fetches if isinstance(f, Symbol)]
        results = dict(zip(map(id, symbols), session.run(symbols, feeds))) if symbols else {}
        arrays = [results[id(f)] if isinstance(f, Symbol) else np.array(f) for f in fetches]
        for (variable, _), new in zip(self.updates, arrays[len(self.outputs):]):
            np.copyto(variable.data, new, casting="unsafe")
        return arrays[:len(self.outputs)]


def _phase_of(graph):
    return graph.front_ends.get("keras", {}).get("phase")


def _symbol(x, phase, what):
    """A fetchable form of x: a symbol, or a concrete value (an eager tensor's array)."""
    if isinstance(x, KerasTensor):
        return symbol_of(x, phase)
    if isinstance(x, Symbol):
        return x
    if isinstance(x, Tensor):
        return x.data
    if what == "outputs":
        return np.asarray(x)
    raise TypeError(f"K.function: {what} must be tensors (model tensors, placeholders or "
                    f"expressions of them), got {type(x).__name__} {x!r:.60}")


def _update_pair(update):
    if not (isinstance(update, (list, tuple)) and len(update) == 2
            and isinstance(update[0], Tensor)):
        raise TypeError(f"K.function: each update must be a (variable, new value) pair, got "
                        f"{update!r:.80}")
    return tuple(update)


def function(inputs, outputs, updates=None, **kwargs):
    """A Function computing `outputs` from `inputs` (lists of tensors), applying `updates`."""
    return Function(inputs, outputs, updates, name=kwargs.pop("name", None))


def gradients(loss, variables):
    """The gradients of `loss` (summed, if not a scalar) with respect to each of `variables`.

    Symbolic loss: symbols, computed when run (K.function); an eager loss:
    tensors now. None for a variable the loss does not depend on.
    """
    variables = list(variables) if isinstance(variables, (list, tuple)) else [variables]
    if isinstance(loss, KerasTensor):
        loss = symbol_of(loss)
    if isinstance(loss, Symbol):
        xs = [symbol_of(v) if isinstance(v, KerasTensor) else
              loss.graph.capture(v) if isinstance(v, Tensor) else v for v in variables]
        grads = graph_gradients(loss, xs)
    elif isinstance(loss, Tensor):
        grads = _eager_gradients(loss, variables)
    else:
        raise TypeError(f"gradients: loss must be a tensor computed from the variables, got "
                        f"{type(loss).__name__}")
    return grads


def _eager_gradients(loss, variables):
    """Gradients by the engine's backward walk, kept apart: no tensor's .grad changes."""
    for v in variables:
        if not isinstance(v, Tensor):
            raise TypeError(f"gradients: an eager loss needs eager variables, got "
                            f"{type(v).__name__} {v!r:.60}")
    wanted, found = {id(v) for v in variables}, {}

    def inputs_of(t):
        node = t._node
        if node is not None and node.freed:
            raise RuntimeError("gradients: the loss was already used by backward(); compute it "
                               "again before asking for its gradients")
        return () if node is None else [x for x in node.inputs
                                        if isinstance(x, Tensor) and x.requires_grad]

    def step(t, g):
        if id(t) in wanted:
            found[id(t)] = g
        node = t._node
        if node is None:
            return None
        needs = tuple(isinstance(x, Tensor) and x.requires_grad for x in node.inputs)
        xs = tuple(x.data if isinstance(x, Tensor) else x for x in node.inputs)
        return zip(node.inputs, input_grads(node.op, g, xs, node.y, node.saved, needs))

    if loss.requires_grad:
        walk(reverse_topological(loss, inputs_of), {id(loss): np.ones(loss.shape, loss.dtype)},
             step)
    return [Tensor(np.array(found[id(v)])) if id(v) in found else None for v in variables]
