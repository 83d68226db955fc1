"""Keras' tensors in passos: variables, constants, placeholders, and the symbols of model tensors.

Eagerly a Keras backend value is a passos `Tensor` (a variable is one that
requires grad); symbolically it is a graph `Symbol`. A `KerasTensor` of a
functional model (`model.input`, `layer.output`) becomes, when a backend
function needs it, the symbol computing it in the default graph: its layers
replayed on a placeholder for the model input (`symbol_of`).
"""
import functools

import numpy as np

from ...core.apply import tracing, tracing_graph
from ...core.dtypes import as_dtype
from ...core.tensor import Tensor
from ...graph import graph as graph_module
from ...graph.graph import Symbol
from ...graph.session import Session
from ...ops.discrete import shape_of
from ..engine.base_layer import KerasTensor
from . import config


def _state(graph):
    """What the backend keeps per graph: symbols of KerasTensors and the learning-phase input."""
    return graph.front_ends.setdefault("keras", {"tensors": {}, "phase": None})


def phase_placeholder():
    """The default graph's learning-phase input (a bool scalar fed 0 or 1)."""
    graph = graph_module.get_default_graph()
    state = _state(graph)
    if state["phase"] is None:
        with graph.as_default():
            state["phase"] = graph_module.placeholder("bool", (), name="keras_learning_phase")
    return state["phase"]


def symbol_of(x, phase=None):
    """The graph symbol for KerasTensor x, its layers run in `phase` (0 test, 1 train)."""
    if phase is None:
        phase = config.static_phase() or 0
    graph = graph_module.get_default_graph()
    cache = _state(graph)["tensors"]
    root = x.layer is None
    key = (id(x), None if root else phase)
    hit = cache.get(key)
    if hit is not None:
        return hit[1]
    if root:
        with graph.as_default():
            symbol = graph_module.placeholder(x.dtype, x.shape, name=x.name)
    else:
        node = x.node  # one layer call: its inputs' symbols first
        args = [symbol_of(t, phase) for t in node.inputs]
        out = x.layer(args if node.listed else args[0], training=bool(phase))
        symbol = out[x.index] if node.multiple else out
    cache[key] = (x, symbol)  # x kept alive, so its id is not reused while cached
    return symbol


def resolve(x):
    """x as passos ops take it: a list becomes an array (a KerasTensor stays: ops on it
    become layer calls of the model, engine/op_layer.py)."""
    return np.asarray(x) if isinstance(x, (list, tuple)) else x


def _graph_of(values):
    """The graph of the first graph symbol (in lists too), or None when there is none."""
    for x in values:
        for item in (x if isinstance(x, (list, tuple)) else [x]):
            if isinstance(item, Symbol):
                return item.graph
    return None


def _replayed(x, graph, memo):
    """x with its eager history rebuilt as nodes of `graph` (variables read live, differentiable);
    a KerasTensor becomes the node computing it there."""
    if isinstance(x, (list, tuple)):
        return type(x)(_replayed(item, graph, memo) for item in x)
    if isinstance(x, KerasTensor):
        with graph.as_default():
            return symbol_of(x)
    node = getattr(x, "_node", None)
    if not isinstance(x, Tensor) or node is None:
        return x
    if id(x) not in memo:
        memo[id(x)] = graph.add_op(node.op, [_replayed(i, graph, memo) for i in node.inputs])
    return memo[id(x)]


def graph_aware(function):
    """Run a backend function inside the graph of its graph-symbol arguments, if any.

    Model tensors then enter that graph as the nodes computing them; eager tensors as live
    reads (a variable's later values are seen, its gradient flows), and an eager result
    computed from variables (K.expand_dims(w)) as the ops that made it, not a frozen copy.
    """
    @functools.wraps(function)
    def run(*args, **kwargs):
        graph = _graph_of(list(args) + list(kwargs.values()))
        if graph is None or tracing_graph() is graph:
            return function(*args, **kwargs)
        memo = {}
        args = [_replayed(a, graph, memo) for a in args]
        kwargs = {k: _replayed(v, graph, memo) for k, v in kwargs.items()}
        with tracing(graph):
            return function(*args, **kwargs)
    return run


def variable(value, dtype=None, name=None, constraint=None):
    """A trainable tensor holding a copy of `value` (float type floatx() unless dtype says)."""
    array = np.array(getattr(value, "data", value), dtype=as_dtype(dtype or config.floatx()))
    return Tensor(array, requires_grad=True, name=name or "variable")


def constant(value, dtype=None, shape=None, name=None):
    """A constant tensor of `value`, filled out to `shape` when given."""
    dtype = as_dtype(dtype or config.floatx())
    array = np.full(shape, value, dtype) if shape is not None else np.array(value, dtype)
    return Tensor(array, name=name)


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None):
    """A graph input of the default graph, fed by K.function; None marks a free dimension."""
    if sparse:
        raise NotImplementedError("placeholder: passos has no sparse tensors; use sparse=False")
    if shape is None and ndim is not None:
        shape = (None,) * int(ndim)
    return graph_module.placeholder(dtype or config.floatx(), shape, name=name)


def is_keras_tensor(x):
    """Whether x is a tensor of a Keras model (Input(...) or a layer's output)."""
    if isinstance(x, KerasTensor):
        return True
    if isinstance(x, (Tensor, Symbol)):
        return False
    raise ValueError(f"is_keras_tensor: expected a tensor, got {type(x).__name__} {x!r:.60}")


def int_shape(x):
    """The shape as a tuple of ints, None where unknown (None when even the rank is)."""
    shape = x.shape if isinstance(x, (KerasTensor, Tensor, Symbol)) else np.shape(x)
    return None if shape is None else tuple(shape)


def ndim(x):
    """The number of axes of x."""
    shape = int_shape(x)
    return None if shape is None else len(shape)


def dtype(x):
    """The dtype of x as a string ('float32')."""
    found = getattr(x, "dtype", None)
    return str(np.dtype(found if found is not None else np.asarray(x).dtype))


def shape(x):
    """The shape of x as an int32 tensor (a symbol when x is symbolic)."""
    return shape_of(resolve(x))


def eval(x):  # noqa: A001 - the Keras name
    """The value of x as a NumPy array (a symbol is run in a Session of its graph)."""
    if isinstance(x, KerasTensor):
        raise ValueError(f"eval: {x!r} is a model tensor with no value of its own; use "
                         "K.function([model.input], [tensor])([data])")
    if isinstance(x, Symbol):
        return np.asarray(Session(x.graph).run(x))
    return np.array(getattr(x, "data", x))


def _variable(x, who):
    if not isinstance(x, Tensor):
        raise TypeError(f"{who}: expected a variable (K.variable or a layer weight), got "
                        f"{type(x).__name__} {x!r:.60}")
    return x


def get_value(x):
    """A copy of variable x's value as a NumPy array."""
    return _variable(x, "get_value").data.copy()


def set_value(x, value):
    """Overwrite variable x in place (models and optimizers keep seeing the same array)."""
    x = _variable(x, "set_value")
    array = np.asarray(getattr(value, "data", value))
    if array.shape != x.shape:
        raise ValueError(f"set_value: variable '{x.name}' has shape {x.shape}, got a value of "
                         f"shape {array.shape}")
    np.copyto(x.data, array, casting="unsafe")


def batch_get_value(xs):
    """get_value of each variable in xs."""
    return [get_value(x) for x in xs]


def batch_set_value(tuples):
    """set_value for each (variable, value) pair."""
    for x, v in tuples:
        set_value(x, v)
