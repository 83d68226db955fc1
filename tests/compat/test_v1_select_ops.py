"""tf.nn.top_k / in_top_k / l2_normalize, tf.tensordot, tf.arg_max: TF1's values and rules."""
import numpy as np
import pytest

import passos.compat.v1 as tf

rng = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def run(fetches, feed_dict=None):
    with tf.Session() as s:
        return s.run(fetches, feed_dict)


def numeric_gradient(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        g[i] = (f(up) - f(down)) / (2 * eps)
    return g


def test_top_k_values_indices_and_gradient():
    x = tf.placeholder(tf.float64, [None, 5])
    values, indices = tf.nn.top_k(x, k=3)
    assert values.shape == (None, 3) and indices.dtype == np.int32
    weights = rng.normal(size=(2, 3))
    grad = tf.gradients(tf.reduce_sum(values * weights), x)[0]
    data = np.array([[1.0, 3.0, 2.0, 5.0, 3.0], [0.5, -1.0, 0.25, 2.0, 0.0]])
    v, i, g = run([values, indices, grad], {x: data})
    np.testing.assert_array_equal(i, [[3, 1, 4], [3, 0, 2]])  # a tie: the lower index first
    np.testing.assert_array_equal(v, [[5.0, 3.0, 3.0], [2.0, 0.5, 0.25]])
    expected = np.zeros_like(data)
    np.put_along_axis(expected, i.astype(np.int64), weights, axis=1)
    np.testing.assert_array_equal(g, expected)
    assert tf.math.top_k is tf.nn.top_k
    with pytest.raises(ValueError, match=r"top_k: k = 6 is more than the 5 values of the last axis"):
        tf.nn.top_k(x, k=6)


def test_in_top_k_counts_ties_at_the_boundary_and_refuses_bad_rows():
    predictions = np.array([[0.1, 0.7, 0.2, 0.0],
                            [0.5, 0.5, 0.5, 0.1],     # a three-way tie for first place
                            [0.3, 0.4, 0.2, 0.1],
                            [np.nan, 0.4, 0.2, 0.1],
                            [0.3, 0.4, 0.2, 0.1]])
    targets = np.array([2, 2, 0, 0, 7])              # 7: out of range
    result = run(tf.nn.in_top_k(tf.constant(predictions), tf.constant(targets), 1))
    np.testing.assert_array_equal(result, [False, True, False, False, False])
    result = run(tf.math.in_top_k(predictions, targets, 2))
    np.testing.assert_array_equal(result, [True, True, True, False, False])
    with pytest.raises(ValueError, match=r"in_top_k: expects predictions \(batch, classes\) "
                                         r"and targets \(batch,\)"):
        tf.nn.in_top_k(tf.constant(predictions), tf.constant(targets[:3]), 1)


def test_l2_normalize_values_and_gradient():
    data = rng.normal(size=(3, 4))
    x = tf.placeholder(tf.float64, [3, 4])
    y = tf.nn.l2_normalize(x, axis=1)
    np.testing.assert_allclose(run(y, {x: data}),
                               data / np.linalg.norm(data, axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(run(tf.math.l2_normalize(x, dim=0), {x: data}),
                               data / np.linalg.norm(data, axis=0, keepdims=True), rtol=1e-12)
    np.testing.assert_array_equal(run(tf.nn.l2_normalize(tf.zeros([2])),), [0.0, 0.0])
    weights = rng.normal(size=(3, 4))
    loss = tf.reduce_sum(y * weights)
    grad = run(tf.gradients(loss, x)[0], {x: data})
    np.testing.assert_allclose(grad, numeric_gradient(lambda v: run(loss, {x: v}), data),
                               rtol=1e-6, atol=1e-9)


def test_tensordot_matches_numpy_and_has_gradients():
    a, b = rng.normal(size=(2, 3, 4)), rng.normal(size=(4, 3, 5))
    x, y = tf.placeholder(tf.float64, a.shape), tf.placeholder(tf.float64, b.shape)
    for axes in (1, [[1, 2], [1, 0]], [[-1], [0]], 0):
        out = tf.tensordot(x, y, axes)
        value = run(out, {x: a, y: b})
        assert out.shape == value.shape
        np.testing.assert_allclose(value, np.tensordot(a, b, axes), rtol=1e-12)
    loss = tf.reduce_sum(tf.tensordot(x, y, [[1, 2], [1, 0]]) ** 2)
    ga, gb = run(tf.gradients(loss, [x, y]), {x: a, y: b})
    np.testing.assert_allclose(ga, numeric_gradient(lambda v: run(loss, {x: v, y: b}), a),
                               rtol=1e-6)
    np.testing.assert_allclose(gb, numeric_gradient(lambda v: run(loss, {x: a, y: v}), b),
                               rtol=1e-6)
    with pytest.raises(ValueError, match=r"tensordot: axis 2 of a \(2, 3, 4\) has size 4 but "
                                         r"axis 1 of b \(4, 3, 5\) has 3"):
        tf.tensordot(x, y, [[2], [1]])
    with pytest.raises(ValueError, match=r"tensordot: axes pairs \[1\] of a with \[0, 1\] of b"):
        tf.tensordot(x, y, [[1], [0, 1]])


def test_arg_max_and_arg_min_take_dimension():
    data = np.array([[1.0, 9.0, 3.0], [7.0, 2.0, 8.0]])
    top, bottom = run([tf.arg_max(data, 1), tf.arg_min(data, dimension=0)])
    np.testing.assert_array_equal(top, [1, 2])
    np.testing.assert_array_equal(bottom, [0, 1, 0])
    assert top.dtype == np.int64


def test_newer_activations():
    data = np.array([-2.0, -0.5, 0.0, 1.5])
    selu, softsign, swish = run([tf.nn.selu(data), tf.nn.softsign(data), tf.nn.swish(data)])
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    np.testing.assert_allclose(selu, scale * np.where(data > 0, data, alpha * np.expm1(data)),
                               rtol=1e-12)
    np.testing.assert_allclose(softsign, data / (1 + np.abs(data)), rtol=1e-12)
    np.testing.assert_allclose(swish, data / (1 + np.exp(-data)), rtol=1e-12)
