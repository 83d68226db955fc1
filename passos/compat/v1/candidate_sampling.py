"""TF1's candidate samplers: the classes a sampled loss scores besides the true ones
(tf.random.log_uniform_candidate_sampler and uniform_candidate_sampler, also in tf.nn).

Each returns (sampled_candidates int64 (num_sampled,), true_expected_count float32
(batch, num_true), sampled_expected_count float32 (num_sampled,)), drawn afresh on every run.
An expected count is how often a class is expected among the samples, as TF computes it:
p(class) * num_sampled, or with unique=True 1 - (1 - p(class)) ** tries, tries being the
draws it took to find num_sampled distinct classes. The log-uniform (Zipfian) distribution is
p(c) = log((c + 2) / (c + 1)) / log(range_max + 1): small class ids (frequent words) first.

>>> import passos.compat.v1 as tf
>>> with tf.Graph().as_default():
...     sampled, true_count, _ = tf.random.uniform_candidate_sampler([[3]], 1, 4, True, 10)
...     s, t = tf.Session().run([sampled, true_count])
>>> len(set(s.tolist())), t.shape
(4, (1, 1))
"""
import numpy as np

from ...core.op import Op
from ...core.shapes import ShapeError, describe
from ...graph.graph import get_default_graph
from ...graph.sources import OutputOf
from ...ops import random as passos_random
from .framework import inputs
from .random_ops import _op_seed


class CandidateSampler(Op):
    """num_sampled classes in [0, range_max) and the expected counts of those and of the true
    classes: three plan slots."""

    differentiable = False
    width = 3

    def __init__(self, distribution, num_true, num_sampled, unique, range_max, seed):
        self.kind = f"{distribution}_candidate_sampler"
        self.distribution, self.num_true, self.num_sampled = distribution, num_true, num_sampled
        self.unique, self.range_max, self.seed = unique, range_max, seed

    def probability(self, classes):
        """Each class's probability of one draw."""
        c = np.asarray(classes, np.float64)
        if self.distribution == "uniform":
            return np.full(c.shape, 1.0 / self.range_max)
        return np.log((c + 2.0) / (c + 1.0)) / np.log1p(self.range_max)

    def sample(self, rng, n):
        """n independent draws (log-uniform: exp(u log(range_max + 1)) - 1, rounded down)."""
        if self.distribution == "uniform":
            return rng.integers(0, self.range_max, n)
        values = np.exp(rng.random(n) * np.log1p(self.range_max)).astype(np.int64) - 1
        return values % self.range_max

    def _distinct(self, rng):
        """num_sampled distinct classes in the order drawn, and the draws it took."""
        picked, tries = {}, 0
        while len(picked) < self.num_sampled:
            for value in self.sample(rng, 2 * (self.num_sampled - len(picked))).tolist():
                tries += 1
                picked.setdefault(value, None)
                if len(picked) == self.num_sampled:
                    break
        return np.fromiter(picked, np.int64, self.num_sampled), tries

    def draw(self, rng, true_classes):
        true = np.asarray(true_classes)
        self.shape(true.shape)
        if true.dtype.kind not in "iu":
            raise TypeError(f"{self.kind}: true_classes must be integers, got dtype {true.dtype}")
        if self.unique:
            sampled, tries = self._distinct(rng)
        else:
            sampled, tries = self.sample(rng, self.num_sampled).astype(np.int64), self.num_sampled

        def expected(classes):
            p = self.probability(classes)
            if tries == self.num_sampled:
                return (p * self.num_sampled).astype(np.float32)
            return (-np.expm1(tries * np.log1p(-p))).astype(np.float32)
        return [sampled, expected(true), expected(sampled)]

    def bind(self, session, node):
        if self.seed is None:
            return lambda true: self.draw(passos_random.generator(), true)
        rng = np.random.default_rng(self.seed)  # one stream per session, as TF1's op seeds
        return lambda true: self.draw(rng, true)

    def shape(self, true_classes):
        if len(true_classes) != 2 or true_classes[1] not in (None, self.num_true):
            raise ShapeError(f"{self.kind}: true_classes must be (batch, num_true) = (batch, "
                             f"{self.num_true}), got shape {describe(true_classes)}")
        return (self.num_sampled,)

    def dtype(self, true_classes):
        return np.dtype(np.int64)


def _count(value, who, what, least=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise ValueError(f"{who}: {what} must be an int >= {least}, got {value!r}")
    return int(value)


def _sampler(distribution, true_classes, num_true, num_sampled, unique, range_max, seed, name):
    who = f"{distribution}_candidate_sampler"
    num_true = _count(num_true, who, "num_true")
    num_sampled = _count(num_sampled, who, "num_sampled")
    range_max = _count(range_max, who, "range_max")
    if unique and num_sampled > range_max:
        raise ValueError(f"{who}: cannot draw num_sampled={num_sampled} distinct classes from "
                         f"range_max={range_max}; lower num_sampled or pass unique=False")
    graph = get_default_graph()
    (true,) = inputs(true_classes)
    if true.dtype.kind not in "iu":
        raise TypeError(f"{who}: true_classes must be integers (int64 class ids), got "
                        f"'{true.name}' of dtype {true.dtype}")
    op = CandidateSampler(distribution, num_true, num_sampled, bool(unique), range_max,
                          _op_seed(graph, seed))
    sampled = graph.add_op(op, [true], name=name or who)
    batch = None if true.shape is None else true.shape[0]
    return (sampled,
            graph.add_op(OutputOf(1, (batch, num_true), np.float32), [sampled],
                         name=f"{sampled.node_name}:1"),
            graph.add_op(OutputOf(2, (num_sampled,), np.float32), [sampled],
                         name=f"{sampled.node_name}:2"))


def log_uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                                  seed=None, name=None):
    """num_sampled classes drawn log-uniformly (Zipfian) from [0, range_max) on every run, and
    the expected counts of the true and sampled classes (see the module's docstring)."""
    return _sampler("log_uniform", true_classes, num_true, num_sampled, unique, range_max, seed,
                    name)


def uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, seed=None,
                              name=None):
    """num_sampled classes drawn uniformly from [0, range_max) on every run, and the expected
    counts of the true and sampled classes."""
    return _sampler("uniform", true_classes, num_true, num_sampled, unique, range_max, seed, name)
