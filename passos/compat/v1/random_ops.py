"""TF1 random ops: nodes that draw fresh values on every run (random_normal, random_uniform,
multinomial ...).

Draws come from `passos.random`, which `tf.set_random_seed(n)` seeds; an op built with `seed=`
(or after tf.set_random_seed) gets its own generator, restarting with each session.
"""
import numpy as np

from ...graph.graph import Symbol, get_default_graph
from ...ops import random as passos_random
from ...ops.sampling import Categorical, RandomOp
from ...ops.arithmetic import add, multiply, subtract
from . import dtypes
from .framework import inputs, named, state
from .shape_args import shape_arg


def set_random_seed(seed):
    """Make the default graph's random ops and initialisers reproducible (seeds passos.random)."""
    state().seed = int(seed)
    passos_random.seed(int(seed))


def _op_seed(graph, seed):
    """The op's generator seed: the graph's and the op's (or the op's position), as TF1."""
    graph_seed = state(graph).seed
    if seed is not None or graph_seed is not None:
        return (graph_seed or 0, int(seed) if seed is not None else len(graph.nodes))
    return None


def _node(kind, shape, dtype, params, seed, name):
    graph = get_default_graph()
    seed = _op_seed(graph, seed)
    size, known = shape_arg(shape if isinstance(shape, (list, tuple, Symbol, np.ndarray)) else [shape], kind)
    to = dtypes.as_dtype(dtype).dtype
    tensors = {k: v for k, v in params.items() if isinstance(v, Symbol)}
    if not tensors:
        return graph.add_op(RandomOp(kind, known, to, params, seed), [] if size is None else [size],
                            name=name or kind)
    # tensor parameters: standard draws, scaled and shifted in the graph (so they get gradients)
    if to.kind != "f":
        raise TypeError(f"{kind}: {', '.join(tensors)} may be tensors only for float samples, "
                        f"not {to}")
    for k, v in tensors.items():
        if v.dtype != to:
            raise TypeError(f"{kind}: {k} '{v.name}' has dtype {v.dtype}; the samples are {to}")
    low, high = ("mean", "stddev") if "mean" in params else ("minval", "maxval")

    def build():
        unit = graph.add_op(RandomOp(kind, known, to, {low: 0.0, high: 1.0}, seed),
                            [] if size is None else [size], name=kind)
        scale = params[high] if low == "mean" else subtract(*inputs(params[high], params[low]))
        return add(*inputs(multiply(*inputs(unit, scale)), params[low]))
    return named(name or kind, build)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Samples of N(mean, stddev²), fresh on every run."""
    return _node("random_normal", shape, dtype, {"mean": mean, "stddev": stddev}, seed, name)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Normal samples redrawn until within two standard deviations of the mean."""
    return _node("truncated_normal", shape, dtype, {"mean": mean, "stddev": stddev}, seed, name)


def random_uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """Samples uniform in [minval, maxval) (maxval defaults to 1; required for integers)."""
    if maxval is None:
        if dtypes.as_dtype(dtype).is_integer:
            raise ValueError("random_uniform: maxval must be given for integer dtypes")
        maxval = 1.0
    return _node("random_uniform", shape, dtype, {"minval": minval, "maxval": maxval}, seed, name)


def multinomial(logits, num_samples, seed=None, name=None, output_dtype=dtypes.int64):
    """Class indices drawn from softmax(logits) on every run: logits (batch, classes) ->
    (batch, num_samples) of output_dtype."""
    return _categorical(logits, num_samples, output_dtype, seed, name or "multinomial")


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """tf.random.categorical: as multinomial, dtype int64 unless given."""
    return _categorical(logits, num_samples, dtype or dtypes.int64, seed, name or "categorical")


def _categorical(logits, num_samples, dtype, seed, name):
    if isinstance(num_samples, Symbol) or not isinstance(num_samples, (int, np.integer)) \
            or num_samples < 0:
        raise TypeError(f"{name}: num_samples must be a non-negative int known when the graph is "
                        f"built, got {num_samples!r}")
    to = dtypes.as_dtype(dtype)
    if not to.is_integer:
        raise TypeError(f"{name}: the samples are class indices: dtype must be an integer type "
                        f"(int32 or int64), got {to.name}")
    graph = get_default_graph()
    op = Categorical(int(num_samples), to.dtype, _op_seed(graph, seed))
    return named(name, lambda: graph.add_op(op, inputs(logits)))
