"""TF1 dynamic shapes and feeds: tf.shape(x) tensors as shape arguments, tensor random parameters,
float labels fed to int placeholders."""
import numpy as np
import pytest

import passos.compat.v1 as tf
from passos.compat.v1 import shaped_ops as so
from passos.core.apply import apply
from passos.gradcheck import gradcheck


def test_vae_sampling_runs_trains_and_has_gradients():
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        x = tf.placeholder(tf.float32, [None, 4])
        mu = tf.matmul(x, tf.Variable(np.full((4, 2), 0.1, "float32")))
        logvar = tf.matmul(x, tf.Variable(np.zeros((4, 2), "float32")))
        z = mu + tf.exp(0.5 * logvar) * tf.random_normal(tf.shape(mu))
        assert z.get_shape().as_list() == [None, 2]
        loss = tf.reduce_mean(tf.square(z - 1.0)) + tf.reduce_mean(tf.exp(logvar) - logvar)
        g_mu, g_logvar = tf.gradients(loss, [mu, logvar])
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            feed = {x: np.ones((8, 4), "float32")}
            gm, gl = sess.run([g_mu, g_logvar], feed)
            assert gm.shape == gl.shape == (8, 2) and np.abs(gm).sum() > 0 and np.abs(gl).sum() > 0
            first = sess.run(loss, feed)
            for _ in range(30):
                sess.run(train, feed)
            assert sess.run(loss, feed) < first


def test_shape_tensors_in_reshape_fill_zeros_tile_slice():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 4])
        n = tf.shape(x)[0]
        r = tf.reshape(x, tf.stack([n, 2, 2]))
        f, zeros, ones = tf.fill(tf.shape(x), 3.0), tf.zeros(tf.shape(x)), tf.ones([n, 2], tf.int32)
        t = tf.tile(x, tf.stack([2, n]))
        s = tf.slice(x, [0, 1], tf.stack([n, -1]))
        u = tf.random_uniform(tf.shape(x), minval=tf.constant(2.0), maxval=3.0)
        assert r.get_shape().as_list() == [None, 2, 2] and f.get_shape().as_list() == [None, 4]
        assert ones.get_shape().as_list() == [None, 2] and t.get_shape().as_list() == [None, None]
        assert s.get_shape().as_list() == [None, 3]
        value = np.arange(12, dtype="float32").reshape(3, 4)
        out = tf.Session().run([r, f, zeros, ones, t, s, u], {x: value})
        np.testing.assert_array_equal(out[0], value.reshape(3, 2, 2))
        np.testing.assert_array_equal(out[1], np.full((3, 4), 3.0))
        assert out[2].shape == (3, 4) and out[3].dtype == np.int32 and out[3].shape == (3, 2)
        np.testing.assert_array_equal(out[4], np.tile(value, (2, 3)))
        np.testing.assert_array_equal(out[5], value[:, 1:])
        assert out[6].shape == (3, 4) and 2 <= out[6].min() and out[6].max() < 3
        gx = tf.Session().run(tf.gradients(tf.reduce_sum(s * 2.0) + tf.reduce_sum(t), x), {x: value})[0]
        np.testing.assert_array_equal(gx, np.broadcast_to(np.where(np.arange(4) > 0, 2.0, 0.0) + 6.0, (3, 4)))


def test_static_shape_keeps_known_dims_while_tf_shape_is_dynamic():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        assert x.get_shape().as_list() == [None, 3]
        assert tf.shape(x).get_shape().as_list() == [2]
        assert tf.reshape(x, tf.constant([3, -1])).get_shape().as_list() == [3, None]
        assert tf.reshape(x, tf.shape(x)).get_shape().as_list() == [None, 3]
        assert tf.Session().run(tf.shape(x), {x: np.zeros((5, 3))}).tolist() == [5, 3]


def test_tensor_stddev_in_an_initial_value():
    with tf.Graph().as_default():
        fan_in = tf.constant(400.0)
        w = tf.Variable(tf.truncated_normal([400, 50], stddev=1.0 / tf.sqrt(fan_in)))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert 0.03 < sess.run(w).std() < 0.06


def test_bad_shape_tensor_refused_when_built():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        with pytest.raises(TypeError, match=r"reshape: shape must be an int32 .* dtype float32"):
            tf.reshape(x, tf.cast(tf.shape(x), tf.float32))
        with pytest.raises(ValueError, match=r"fill: shape must be a 1-D tensor.*shape \(\)"):
            tf.fill(tf.shape(x)[0], 1.0)
        with pytest.raises(ValueError, match="random_normal: each tensor in shape must be a scalar"):
            tf.random_normal([tf.shape(x), 2])
        with pytest.raises(TypeError, match="random_normal: stddev .* dtype int32"):
            tf.random_normal([2], stddev=tf.constant(1))
        with pytest.raises(TypeError, match="zeros: shape must hold integers"):
            tf.zeros([2.5, 1])


def test_float_labels_fed_to_an_int_placeholder_as_tf1():
    with tf.Graph().as_default():
        labels = tf.placeholder(tf.int32, [None, 3], name="labels")
        total = tf.reduce_sum(labels)
        sess = tf.Session()
        one_hot = np.eye(3, dtype="float32")[[0, 2]]
        assert sess.run(total, {labels: one_hot}) == 2
        assert sess.run(total, {"labels:0": [[1.9, 0.0, -1.9]]}) == 0  # truncated toward zero
        with pytest.raises(ValueError, match="NaN or infinite"):
            sess.run(total, {labels: [[np.nan, 0.0, 1.0]]})
        small = tf.placeholder(tf.int8, [])
        with pytest.raises(TypeError, match="does not fit its dtype int8"):
            sess.run(small, {small: 300})
        with pytest.raises(TypeError, match="cannot be a tensor"):
            sess.run(total, {labels: labels})


@pytest.mark.parametrize("op, args", [
    (so.Reshape(None), ([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], np.int32([3, -1]))),
    (so.Fill(None), (np.int32([2, 3]), 1.5)),
    (so.Tile(None), ([[1.0, -2.0], [3.0, 0.5]], np.int32([2, 3]))),
    (so.Slice(None, None), ([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], np.int32([0, 1]), np.int32([-1, 2]))),
])
def test_shape_tensor_ops_pass_finite_difference_checks(op, args):
    assert gradcheck(lambda *xs: apply(op, *xs), *args)


def test_tensor_stddev_in_an_initializer_object():
    with tf.Graph().as_default():
        stddev = 1.0 / tf.sqrt(tf.constant(400.0))
        with pytest.raises(TypeError, match="random_normal: stddev .* dtype int32"):
            tf.get_variable("bad", [2], initializer=tf.random_normal_initializer(stddev=tf.constant(1)))
        w = tf.get_variable("w", [400, 50], initializer=tf.random_normal_initializer(stddev=stddev))
        u = tf.get_variable("u", [400, 50], initializer=tf.random_uniform_initializer(maxval=stddev))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert 0.04 < sess.run(w).std() < 0.06 and 0 <= sess.run(u).min() < sess.run(u).max() < 0.05


def test_summary_tags_follow_tf1():
    summary = pytest.importorskip("passos.compat.v1.summary")
    pytest.importorskip("tensorboard")
    with tf.Graph().as_default():
        W1 = tf.Variable(np.ones(2, "float32"), name="W1")
        loss = tf.reduce_sum(W1)
        assert summary.histogram("W1:0", W1).primitive.tag == "W1_0"
        assert summary.scalar("/loss (train)", loss).primitive.tag == "loss__train_"
        assert summary.scalar("loss", loss, family="train").primitive.tag == "train/train/loss"
        assert summary.scalar("loss", loss, family="train").primitive.tag == "train/train/loss_1"
        assert summary.histogram("W1", W1).primitive.tag == "W1_1"  # scope 'W1' is the variable's
