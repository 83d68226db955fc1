"""Random draws as graph nodes: fresh samples on every run of a plan (TF1's random ops,
Keras' K.random_normal inside a model), their shape static or a tensor known only when run.

Draws come from the shared generator (`passos.random`); an op built with `seed` restarts
its own stream with each session, as TF1's op seeds do.
"""
import numpy as np

from ..core.apply import Symbolic, apply, tracing_graph
from ..core.op import Op
from ..core.shapes import ShapeError, describe
from ..core.tensor import Tensor
from . import movement as mv
from . import random as passos_random


class RandomOp(Op):
    """Samples of one distribution, drawn when the plan runs; the shape is static, or the
    value of the op's one input (`tf.shape(x)`) with `target` what is known when built."""

    differentiable = False

    def __init__(self, kind, shape, dtype, params, seed):
        self.kind, self.target, self.to, self.params, self.seed = kind, shape, dtype, params, seed

    def attrs(self):
        return {"shape": self.target, "dtype": str(self.to), **self.params, "seed": self.seed}

    def shape(self, *size):
        return self.target

    def dtype(self, *size):
        return self.to

    def draw(self, rng, size):
        p, size = self.params, (tuple(int(d) for d in size[0]) if size else self.target)
        if self.kind == "random_normal":
            values = rng.normal(p["mean"], p["stddev"], size)
        elif self.kind == "truncated_normal":
            values = passos_random.truncated_normal(rng, p["mean"], p["stddev"], size)
        elif self.to.kind in "iu":
            values = rng.integers(p["minval"], p["maxval"], size)
        else:
            values = rng.uniform(p["minval"], p["maxval"], size)
        return values.astype(self.to)

    def bind(self, session, node):
        if self.seed is None:
            return lambda *size: self.draw(passos_random.generator(), size)
        rng = np.random.default_rng(self.seed)  # one stream per session, as TF1's op seeds
        return lambda *size: self.draw(rng, size)


class Categorical(RandomOp):
    """`num_samples` class indices per row of logits (batch, classes), drawn with probabilities
    softmax(logits) (TF1's multinomial): one search per sample in the row's cumulative sums."""

    def __init__(self, num_samples, dtype, seed):
        super().__init__("multinomial", None, dtype, {"num_samples": num_samples}, seed)

    def shape(self, logits):
        if len(logits) != 2 or logits[1] == 0:
            raise ShapeError(f"multinomial: logits must be 2-D (batch, classes) with at least "
                             f"one class, got shape {describe(logits)}")
        return (logits[0], self.params["num_samples"])

    def forward(self, logits):
        return self.draw(passos_random.generator(), (logits,))

    def draw(self, rng, inputs):
        z = np.asarray(inputs[0], np.float64)
        self.shape(z.shape)
        p = np.exp(z - z.max(axis=1, keepdims=True))
        cdf = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
        cdf[:, -1] = 1.0
        rows = np.arange(len(z))[:, None]  # row r's sums shifted into [r, r + 1]: one search
        u = rng.random((len(z), self.params["num_samples"])) + rows
        found = np.searchsorted((cdf + rows).ravel(), u.ravel(), side="right")
        classes = np.minimum(found.reshape(u.shape) - rows * z.shape[1], z.shape[1] - 1)
        return classes.astype(self.to)


def _dynamic(shape):
    """Whether `shape` holds a tensor (or is one): its value is known only when run."""
    if isinstance(shape, (Symbolic, Tensor)):
        return True
    return isinstance(shape, (list, tuple)) and any(isinstance(d, (Symbolic, Tensor)) for d in shape)


def _size_input(shape, who):
    """(1-D int tensor of the shape, what is known of it now: ints, None where unknown)."""
    if isinstance(shape, (list, tuple)):
        known = tuple(None if isinstance(d, (Symbolic, Tensor)) else int(d) for d in shape)
        return mv.stack([d if isinstance(d, (Symbolic, Tensor)) else np.int32(d)
                         for d in shape]), known
    dims = shape.shape
    if dims is None or len(dims) != 1 or np.dtype(shape.dtype).kind not in "iu":
        raise TypeError(f"{who}: a shape tensor must hold integers along one axis, got "
                        f"{describe(dims)} {shape.dtype}")
    return shape, None if dims[0] is None else (None,) * dims[0]


def graph_draws(kind, shape, dtype, params, seed=None, who=None):
    """Samples drawn on each run, or None when they can be drawn now (a static shape outside
    a trace). `shape` may mix ints with scalar tensors, or be a 1-D int tensor."""
    graph = tracing_graph()
    if not _dynamic(shape):
        if graph is None:
            return None
        known = tuple(int(d) for d in shape)
        return graph.add_op(RandomOp(kind, known, np.dtype(dtype), params, seed), [])
    size, known = _size_input(shape, who or kind)
    return apply(RandomOp(kind, known, np.dtype(dtype), params, seed), size)
