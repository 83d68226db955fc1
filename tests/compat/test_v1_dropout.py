"""One dropout op behind tf.nn.dropout and keras.layers.Dropout: the same seed, the same masks."""
import numpy as np
import pytest

import passos
import passos.compat.v1 as tf
from passos.keras import layers as L

from tf1_graphs import fresh_graph  # noqa: F401 - an autouse fixture


def ones():
    return np.ones((40, 30), np.float32)


def keras_masks(rate, calls, **kwargs):
    layer = L.Dropout(rate, **kwargs)
    return [layer(passos.tensor(ones()), training=True).numpy() for _ in range(calls)]


def test_the_same_seed_gives_the_same_masks_through_keras_and_tf1():
    expected = keras_masks(0.5, 2, seed=7)
    assert not np.array_equal(*expected)  # a fresh mask on each call, in a fixed sequence
    x, keep_prob = tf.placeholder(tf.float32, [None, 30]), tf.placeholder(tf.float32)
    fed = tf.nn.dropout(x, keep_prob, seed=7)
    constant = tf.nn.dropout(x, rate=0.5, seed=7)
    with tf.Session() as session:
        for mask in expected:
            passos.random.seed(123)  # a seeded op draws from its own stream, not the shared one
            np.testing.assert_array_equal(session.run(fed, {x: ones(), keep_prob: 0.5}), mask)
            np.testing.assert_array_equal(session.run(constant, {x: ones()}), mask)


def test_without_a_seed_both_fronts_draw_from_passos_random():
    passos.random.seed(3)
    expected = keras_masks(0.3, 1)[0]
    assert set(np.unique(expected)) == {0, np.float32(1 / 0.7)}
    y = tf.nn.dropout(tf.constant(ones()), keep_prob=0.7)
    passos.random.seed(3)
    with tf.Session() as session:
        np.testing.assert_array_equal(session.run(y), expected)


def test_a_fed_keep_prob_of_one_passes_values_exactly_and_the_gradient_is_the_mask():
    values = np.random.default_rng(0).normal(size=(6, 5)).astype(np.float32)
    x, keep_prob = tf.placeholder(tf.float32, [None, 5]), tf.placeholder(tf.float32)
    y = tf.nn.dropout(x, keep_prob)
    (grad,) = tf.gradients(tf.reduce_sum(y), [x])
    with tf.Session() as session:
        np.testing.assert_array_equal(session.run(y, {x: values, keep_prob: 1.0}), values)
        dropped, mask = session.run([y, grad], {x: values, keep_prob: 0.25})
    assert set(np.unique(mask)) == {0, 4}
    np.testing.assert_array_equal(dropped, values * mask)


def test_noise_shape_shares_the_mask_along_axes_of_size_one():
    x = tf.constant(np.ones((8, 5, 6), np.float32))
    y = tf.Session().run(tf.nn.dropout(x, rate=0.5, noise_shape=[8, 1, 6]))
    np.testing.assert_array_equal(y, np.broadcast_to(y[:, :1, :], y.shape))
    with pytest.raises(passos.ShapeError, match=r"dropout: noise_shape \(8, 2, 6\) does not "
                                                r"fit inputs of shape \(8, 5, 6\)"):
        tf.nn.dropout(x, rate=0.5, noise_shape=[8, 2, 6])


def test_bad_keep_prob_and_rate_are_clear_errors():
    x = tf.ones([4, 3])
    with pytest.raises(ValueError, match=r"^dropout: keep_prob must be a number in \(0, 1\], "
                                         r"got 0$"):
        tf.nn.dropout(x, keep_prob=0)
    with pytest.raises(ValueError, match=r"^dropout: rate must be a number in \[0, 1\)"):
        tf.nn.dropout(x, rate=1.0)
    keep_prob = tf.placeholder(tf.float32)
    with pytest.raises(ValueError, match=r"dropout: rate must be in \[0, 1\) \(keep_prob in "
                                         r"\(0, 1\]\), got 1.0"):
        tf.Session().run(tf.nn.dropout(x, keep_prob), {keep_prob: 0.0})
