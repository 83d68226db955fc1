"""Gradients at ties and bounds, where finite differences and the op table never look.

maximum/minimum split a tie's gradient in half between the inputs, clip
passes the gradient at its bounds (as TensorFlow's clip_by_value and
torch.clamp), and max/min reductions share it equally among tied extremes
(as torch.amax). Activations are defined piecewise, so at a kink the slope is
one side's, never a split: elu'(0) = alpha, relu'(0) = 0 (as PyTorch and TF1's
kernels). Expected gradients are worked out by hand; eager and graph mode must
both give them, and PyTorch where it is installed.
"""
import numpy as np
import pytest

import passos as P
import passos.compat.v1 as tf
import passos.graph as G
from passos.ops.activations import SELU_ALPHA, SELU_SCALE

ROWS = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0], [-1.0, 0.0, -1.0]])
ROW_WEIGHTS = np.array([1.0, 3.0, 6.0])

# name: (function, inputs, upstream gradient, expected value, expected input gradients)
CASES = {
    "maximum": (P.maximum, [np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 3.0])],
                np.array([1.0, 2.0, 4.0]), [1, 2, 3], [[0.5, 2, 2], [0.5, 0, 2]]),
    "maximum[bcast]": (P.maximum, [np.array([[1.0, 2.0], [2.0, 0.0]]), np.array([2.0, 2.0])],
                       np.ones((2, 2)), [[2, 2], [2, 2]], [[[0, 0.5], [0.5, 0]], [1.5, 1.5]]),
    "minimum": (P.minimum, [np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 3.0])],
                np.array([1.0, 2.0, 4.0]), [1, 0, 3], [[0.5, 0, 2], [0.5, 2, 2]]),
    "minimum[bcast]": (P.minimum, [np.array([[1.0, 2.0], [2.0, 3.0]]), np.array([2.0, 2.0])],
                       np.ones((2, 2)), [[1, 2], [2, 2]], [[[1, 0.5], [0.5, 0]], [0.5, 1.5]]),
    "clip": (lambda x: P.clip(x, -0.5, 0.5), [np.array([-0.5, 0.5, -0.6, 0.6, 0.0])],
             np.arange(1.0, 6.0), [-0.5, 0.5, -0.5, 0.5, 0], [[1, 2, 0, 0, 5]]),
    "clip[min]": (lambda x: P.clip(x, min_value=0.25), [np.array([0.25, 0.2, 0.3])],
                  np.ones(3), [0.25, 0.25, 0.3], [[1, 0, 1]]),
    "clip[max]": (lambda x: P.clip(x, max_value=-0.25), [np.array([-0.25, -0.2, -0.3])],
                  np.ones(3), [-0.25, -0.25, -0.3], [[1, 0, 1]]),
    "max[axis1]": (lambda x: P.max(x, axis=1), [ROWS], ROW_WEIGHTS, [3, 2, 0],
                   [[[0, 0.5, 0.5], [1, 1, 1], [0, 6, 0]]]),
    "min[axis1,keepdims]": (lambda x: P.min(x, axis=1, keepdims=True), [ROWS], ROW_WEIGHTS[:, None],
                            [[1], [2], [-1]], [[[1, 0, 0], [1, 1, 1], [3, 0, 3]]]),
    "max[all]": (P.max, [ROWS], np.array(4.0), 3, [[[0, 2, 2], [0, 0, 0], [0, 0, 0]]]),
    "min[axis0]": (lambda x: P.min(x, axis=0), [ROWS], np.array([1.0, 2.0, 4.0]), [-1, 0, -1],
                   [[[0, 0, 0], [0, 0, 0], [1, 2, 4]]]),
}

KINKS = np.array([-1.0, 0.0, 1.0])
E = np.exp(-1.0)
# name: (function, inputs, expected input gradient of sum(f(x)), the same in PyTorch or None)
ACTIVATIONS = {
    "relu": (P.relu, KINKS, [0, 0, 1], lambda t, F: F.relu(t)),
    "elu": (P.elu, KINKS, [E, 1, 1], lambda t, F: F.elu(t)),
    "elu[alpha=0.5]": (lambda x: P.elu(x, alpha=0.5), KINKS, [0.5 * E, 0.5, 1],
                       lambda t, F: F.elu(t, alpha=0.5)),
    "selu": (P.selu, KINKS, [SELU_SCALE * SELU_ALPHA * E, SELU_SCALE * SELU_ALPHA, SELU_SCALE],
             lambda t, F: F.selu(t)),
    "softplus": (P.softplus, np.array([0.0]), [0.5], lambda t, F: F.softplus(t)),
    "tf.nn.relu6": (tf.nn.relu6, np.array([0.0, 3.0, 6.0]), [0, 1, 0], lambda t, F: F.relu6(t)),
    "tf.nn.leaky_relu": (tf.nn.leaky_relu, KINKS, [0.2, 0.2, 1],
                         lambda t, F: F.leaky_relu(t, 0.2)),
    # Keras 2's hard_sigmoid is clip(0.2 x + 0.5, 0, 1): TF's clip passes the gradient at the bounds
    "hard_sigmoid": (P.hard_sigmoid, np.array([-2.5, 2.5, 3.0]), [0.2, 0.2, 0], None),
}


def eager(fn, arrays, gy):
    xs = [P.tensor(x, requires_grad=True) for x in arrays]
    y = fn(*xs)
    y.backward(gy)
    return y.numpy(), [x.grad for x in xs]


def graph(fn, arrays, gy):
    g = G.Graph()
    with g.as_default():
        xs = [G.placeholder("float64", x.shape) for x in arrays]
        y = fn(*xs)
        grads = G.gradients(P.sum(y * gy), xs)
    value, *grads = G.Session(g).run([y, *grads], dict(zip(xs, arrays)))
    return value, grads


@pytest.mark.parametrize("run", [eager, graph])
@pytest.mark.parametrize("name", CASES)
def test_gradient_at_ties_and_bounds_by_hand(name, run):
    fn, arrays, gy, expected, expected_grads = CASES[name]
    value, grads = run(fn, arrays, gy)
    np.testing.assert_array_equal(value, expected)
    assert len(grads) == len(expected_grads)
    for grad, want in zip(grads, expected_grads):
        np.testing.assert_array_equal(grad, want)


def modes(name):
    """tf.nn functions build graph nodes; the others run in both modes."""
    return [graph] if name.startswith("tf.") else [eager, graph]


@pytest.mark.parametrize("name, run", [(name, run) for name in ACTIVATIONS for run in modes(name)])
def test_activation_slope_at_its_kink_is_one_sides(name, run):
    fn, x, expected, _ = ACTIVATIONS[name]
    _, (grad,) = run(fn, [x], np.ones_like(x))
    np.testing.assert_allclose(grad, expected, rtol=1e-15)


@pytest.mark.parametrize("name", [name for name, case in ACTIVATIONS.items() if case[3]])
def test_activation_slope_at_its_kink_matches_torch(name):
    torch = pytest.importorskip("torch", reason="PyTorch parity tests need torch (pip install torch)")
    fn, x, _, torch_fn = ACTIVATIONS[name]
    t = torch.tensor(x, requires_grad=True)
    torch_fn(t, torch.nn.functional).sum().backward()
    _, (grad,) = modes(name)[0](fn, [x], np.ones_like(x))
    np.testing.assert_allclose(grad, t.grad.numpy(), rtol=1e-15)
