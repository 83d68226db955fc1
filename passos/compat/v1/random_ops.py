"""TF1 random ops: nodes that draw fresh values on every run (random_normal, random_uniform ...).

Draws come from `passos.random`, which `tf.set_random_seed(n)` seeds; an op built with `seed=`
(or after tf.set_random_seed) gets its own generator, restarting with each session.
"""
import numpy as np

from ...graph.graph import Symbol, get_default_graph
from ...ops import random as passos_random
from ...ops.sampling import RandomOp
from ...ops.arithmetic import add, multiply, subtract
from . import dtypes
from .framework import inputs, named, state
from .shape_args import shape_arg


def set_random_seed(seed):
    """Make the default graph's random ops and initialisers reproducible (seeds passos.random)."""
    state().seed = int(seed)
    passos_random.seed(int(seed))


def _node(kind, shape, dtype, params, seed, name):
    graph = get_default_graph()
    graph_seed = state(graph).seed
    if seed is not None or graph_seed is not None:
        seed = (graph_seed or 0, int(seed) if seed is not None else len(graph.nodes))
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
