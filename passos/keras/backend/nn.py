"""Keras backend neural-network functions: activations, cross-entropies, random draws, switches.

The activations and losses are passos' own (the fused, stable softmax
cross-entropy included); the rest are composed from differentiable ops.
"""
import numpy as np

from ...core.apply import tracing_graph
from ...core.tensor import Tensor
from ...graph.graph import Symbol
from ...ops import arithmetic as ar, elementwise as el, nn, random, reduce as rd, sampling
from .. import losses
from . import config
from .arrays import _reshape, expand_dims, stack
from .tensors import graph_aware, int_shape, phase_placeholder, resolve


@graph_aware
def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """max(x, 0); with alpha, alpha * x below 0 (leaky); with max_value, capped there.

    With a threshold, values at or below it give 0 (or alpha * (x - threshold)).
    """
    x = resolve(x)
    if threshold:
        y = x * el.cast(ar.greater(x, threshold), x.dtype)
    else:
        y = el.relu(x)
    if max_value is not None:
        y = ar.clip(y, 0, max_value)
    if alpha:
        y = y - alpha * el.relu(threshold - x)
    return y


@graph_aware
def sigmoid(x):
    return el.sigmoid(resolve(x))


@graph_aware
def hard_sigmoid(x):
    """clip(0.2 x + 0.5, 0, 1): a cheap, piecewise-linear sigmoid."""
    return nn.hard_sigmoid(resolve(x))


@graph_aware
def tanh(x):
    return el.tanh(resolve(x))


@graph_aware
def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along `axis`."""
    return nn.softmax(resolve(x), axis=axis)


@graph_aware
def softplus(x):
    """log(1 + e^x), written max(x, 0) + log(1 + e^-|x|) so it never overflows."""
    x = resolve(x)
    positive = el.relu(x)  # -|x| is x - 2 max(x, 0): the kinks cancel, the gradient stays exact
    return positive + el.log(1 + el.exp(x - 2 * positive))


@graph_aware
def elu(x, alpha=1.0):
    """x above 0, alpha * (e^x - 1) below."""
    return nn.elu(resolve(x), alpha)


@graph_aware
def l2_normalize(x, axis=None):
    """x / sqrt(max(sum(x²), 1e-12)) along `axis` (all axes when None)."""
    x = resolve(x)
    total = rd.sum(el.square(x), axis=tuple(axis) if isinstance(axis, list) else axis,
                   keepdims=True)
    return x / el.sqrt(ar.maximum(total, 1e-12))


@graph_aware
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """-sum(target * log(output)) along `axis`; output probabilities, or logits if from_logits."""
    target, output = resolve(target), resolve(output)
    if from_logits:
        return nn.softmax_cross_entropy(output, target, axis=axis)
    if axis in (-1, len(int_shape(output)) - 1):
        return losses.categorical_crossentropy(target, output)  # reads a softmax's logits
    output = output / rd.sum(output, axis=axis, keepdims=True)
    output = ar.clip(output, config.epsilon(), 1 - config.epsilon())
    return -rd.sum(target * el.log(output), axis=axis)


@graph_aware
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Categorical cross-entropy with integer class labels: one value per label."""
    target, output = resolve(target), resolve(output)
    shape = int_shape(output)
    if axis not in (-1, len(shape) - 1):
        raise ValueError(f"sparse_categorical_crossentropy: the classes must lie on the last "
                         f"axis of the output of shape {shape}, got axis={axis}")
    if not from_logits:
        return losses.sparse_categorical_crossentropy(target, output)
    labels = _reshape(el.cast(target, "int64"), shape[:-1], "sparse_categorical_crossentropy")
    return nn.sparse_softmax_cross_entropy(output, labels)


@graph_aware
def binary_crossentropy(target, output, from_logits=False):
    """-(target log p + (1 - target) log(1 - p)) elementwise; p = sigmoid(output) if from_logits."""
    target, output = resolve(target), resolve(output)
    logits = output if from_logits else losses.logits_of(output, el.Sigmoid)
    if logits is not None:  # max(z, 0) - z t + log(1 + e^-|z|), stable for any z
        positive = el.relu(logits)
        return positive - logits * target + el.log(1 + el.exp(logits - 2 * positive))
    p = ar.clip(output, config.epsilon(), 1 - config.epsilon())
    return -(target * el.log(p) + (1 - target) * el.log(1 - p))


def _draws(kind, shape, dtype, params, seed, eager):
    """Samples as a graph node inside a model or for a tensor shape (fresh at each run, as
    Keras' are), else `eager(generator, shape)` drawn now as a tensor."""
    dtype = dtype or config.floatx()
    node = sampling.graph_draws(kind, shape, dtype, params, seed, who=f"K.{kind}")
    if node is not None:
        return node
    rng = random.generator() if seed is None else random.stream(seed)
    return Tensor(eager(rng, tuple(shape)).astype(dtype))


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Draws from N(mean, stddev²): `shape` may hold tensors (K.shape(x)[0])."""
    return _draws("random_normal", shape, dtype, {"mean": mean, "stddev": stddev}, seed,
                  lambda rng, size: rng.normal(mean, stddev, size))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal draws redrawn until within two standard deviations of the mean."""
    return _draws("truncated_normal", shape, dtype, {"mean": mean, "stddev": stddev}, seed,
                  lambda rng, size: random.truncated_normal(rng, mean, stddev, size))


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Draws uniform in [minval, maxval)."""
    return _draws("random_uniform", shape, dtype, {"minval": minval, "maxval": maxval}, seed,
                  lambda rng, size: rng.uniform(minval, maxval, size))


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """1 with probability p, else 0."""
    dtype = dtype or config.floatx()
    return el.cast(ar.less(random_uniform(shape, dtype=dtype, seed=seed), p), dtype)


def _evaluated(x):
    """x, called when callable, as a tensor or symbol."""
    x = resolve(x() if callable(x) else x)
    return x if isinstance(x, (Tensor, Symbol)) else Tensor(np.asarray(x))


@graph_aware
def switch(condition, then_expression, else_expression):
    """then_expression where condition holds, else else_expression (callables are called).

    A Python bool picks one side; a tensor condition of fewer axes than the
    expressions applies to whole trailing slices, as in Keras.
    """
    if isinstance(condition, (bool, int, np.bool_)):
        return _evaluated(then_expression if condition else else_expression)
    condition = resolve(condition)
    then, other = _evaluated(then_expression), _evaluated(else_expression)
    rank = len(int_shape(condition))
    for _ in range(rank, max(len(int_shape(then)), len(int_shape(other)))):
        condition = expand_dims(condition, -1)
    return ar.where(el.cast(condition, "bool"), then, other)


def learning_phase():
    """0 or 1 when set_learning_phase set it, else the graph input that K.function feeds."""
    phase = config.static_phase()
    return phase if phase is not None else phase_placeholder()


def in_train_phase(x, alt, training=None):
    """x in the training phase, alt in the test phase (callables are called)."""
    if training is None:
        if config.static_phase() is None and tracing_graph() is not None:
            raise ValueError("in_train_phase: inside a layer's call, pass training=training "
                             "(declare call(self, inputs, training=None)): passos gives each "
                             "layer the phase it runs in")
        training = learning_phase()
    if isinstance(training, Symbol):
        return switch(training, x, alt)
    return _evaluated(x if training else alt)


def in_test_phase(x, alt, training=None):
    """x in the test phase, alt in the training phase."""
    return in_train_phase(alt, x, training)


@graph_aware
def map_fn(fn, elems, name=None, dtype=None):
    """fn applied to each slice elems[i] along the first axis (of known size), stacked."""
    elems = resolve(elems)
    count = int_shape(elems)[0]
    if count is None:
        raise ValueError(f"map_fn: the first axis of elems (shape {int_shape(elems)}) needs a "
                         "known size")
    return stack([fn(elems[i]) for i in range(count)])
