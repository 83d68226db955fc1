"""Gradients at ties and bounds, where finite differences and the op table never look.

maximum/minimum split a tie's gradient in half between the inputs, clip
passes the gradient at its bounds (as TensorFlow's clip_by_value and
torch.clamp), and max/min reductions share it equally among tied extremes
(as torch.amax). Expected gradients are worked out by hand; eager and graph
mode must both give them.
"""
import numpy as np
import pytest

import passos as P
import passos.graph as G

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
