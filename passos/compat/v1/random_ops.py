"""TF1 random ops: nodes that draw fresh values on every run (random_normal, random_uniform ...).

Draws come from `passos.random`, which `tf.set_random_seed(n)` seeds; an op built with `seed=`
(or after tf.set_random_seed) gets its own generator, restarting with each session.
"""
import numpy as np

from ...core.op import Op
from ...graph.graph import get_default_graph
from ... import initializers
from ...ops import random as passos_random
from . import dtypes
from .framework import state


class RandomOp(Op):
    """Samples of one distribution with a static shape, drawn when the plan runs."""

    differentiable = False

    def __init__(self, kind, shape, dtype, params, seed):
        self.kind, self.target, self.to, self.params, self.seed = kind, shape, dtype, params, seed

    def attrs(self):
        return {"shape": self.target, "dtype": str(self.to), **self.params, "seed": self.seed}

    def shape(self):
        return self.target

    def dtype(self):
        return self.to

    def draw(self, rng):
        p = self.params
        if self.kind == "random_normal":
            values = rng.normal(p["mean"], p["stddev"], self.target)
        elif self.kind == "truncated_normal":
            values = initializers.truncated_normal(rng, p["mean"], p["stddev"], self.target)
        elif self.to.kind in "iu":
            values = rng.integers(p["minval"], p["maxval"], self.target)
        else:
            values = rng.uniform(p["minval"], p["maxval"], self.target)
        return values.astype(self.to)

    def bind(self, session, node):
        if self.seed is None:
            return lambda: self.draw(passos_random.generator())
        rng = np.random.default_rng(self.seed)  # one stream per session, as TF1's op seeds
        return lambda: self.draw(rng)


def set_random_seed(seed):
    """Make the default graph's random ops and initialisers reproducible (seeds passos.random)."""
    state().seed = int(seed)
    passos_random.seed(int(seed))


def _node(kind, shape, dtype, params, seed, name):
    graph = get_default_graph()
    graph_seed = state(graph).seed
    if seed is not None or graph_seed is not None:
        seed = (graph_seed or 0, int(seed) if seed is not None else len(graph.nodes))
    shape = (int(shape),) if np.ndim(shape) == 0 else tuple(int(d) for d in shape)
    op = RandomOp(kind, shape, dtypes.as_dtype(dtype).dtype, params, seed)
    return graph.add_op(op, [], name=name or kind)


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
