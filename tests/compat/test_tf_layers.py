"""tf.layers and tf.contrib.layers: TF1 names, reuse, update ops, regularizers, values, training."""
import numpy as np
import pytest

import passos.compat.v1 as tf


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    tf.set_random_seed(0)
    yield
    tf.reset_default_graph()


def names():
    return [v.node_name for v in tf.global_variables()]


def train(loss, feed, steps=30, rate=0.1):
    step = tf.train.GradientDescentOptimizer(rate).minimize(loss)
    with tf.Session() as session:
        session.run(tf.global_variables_initializer())
        first = session.run(loss, feed)
        for _ in range(steps):
            session.run(step, feed)
        return first, session.run(loss, feed)


def test_an_mlp_of_tf_layers_trains():
    rng = np.random.default_rng(0)
    data = rng.normal(size=(32, 4)).astype(np.float32)
    labels = (data[:, 0] + data[:, 1] > 0).astype(np.int32)
    x, y = tf.placeholder(tf.float32, [None, 4]), tf.placeholder(tf.int32, [None])
    hidden = tf.layers.dense(x, 16, activation=tf.nn.relu)
    hidden = tf.layers.dropout(hidden, rate=0.1, training=True)
    logits = tf.layers.dense(hidden, 2)
    loss = tf.losses.sparse_softmax_cross_entropy(y, logits)
    first, last = train(loss, {x: data, y: labels})
    assert last < 0.7 * first


def test_a_cnn_of_tf_layers_trains():
    rng = np.random.default_rng(1)
    images = rng.normal(size=(8, 6, 6, 1)).astype(np.float32)
    labels = (images.mean(axis=(1, 2, 3)) > 0).astype(np.int32)
    x, y = tf.placeholder(tf.float32, [None, 6, 6, 1]), tf.placeholder(tf.int32, [None])
    h = tf.layers.conv2d(x, 4, 3, padding="same", activation=tf.nn.relu)
    h = tf.layers.max_pooling2d(h, 2, 2)
    h = tf.layers.average_pooling2d(tf.layers.conv2d(h, 4, (2, 2)), 2, 1)
    logits = tf.contrib.layers.fully_connected(tf.layers.flatten(h), 2, activation_fn=None)
    loss = tf.losses.sparse_softmax_cross_entropy(y, logits)
    first, last = train(loss, {x: images, y: labels}, steps=40)
    assert last < 0.7 * first


def test_variables_are_named_and_reused_as_in_tf1():
    x = tf.placeholder(tf.float32, [None, 3])
    tf.layers.dense(x, 2)
    tf.layers.dense(x, 2)
    with tf.variable_scope("net"):
        tf.layers.conv1d(tf.reshape(x, [-1, 3, 1]), 2, 2)
        tf.contrib.layers.fully_connected(x, 2)
    assert names() == ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias",
                       "net/conv1d/kernel", "net/conv1d/bias", "net/fully_connected/weights",
                       "net/fully_connected/biases"]
    tf.layers.dense(x, 2, name="dense", reuse=True)
    with tf.variable_scope(tf.get_variable_scope(), reuse=True):
        tf.layers.dense(x, 2, name="dense_1")
    layer = tf.layers.Dense(5, name="fc")
    layer(x), layer(x)
    assert names()[-2:] == ["fc/kernel", "fc/bias"] and len(names()) == 10
    assert layer.trainable_variables == [layer.kernel, layer.bias]
    with pytest.raises(ValueError, match="dense/kernel already exists"):
        tf.layers.dense(x, 2, name="dense")
    with pytest.raises(ValueError, match="does not exist"):
        tf.layers.dense(x, 2, name="new", reuse=True)


def test_dense_and_conv2d_compute_the_numpy_formulas():
    rng = np.random.default_rng(2)
    W, b = rng.normal(size=(3, 2)), rng.normal(size=2)
    K, kb = rng.normal(size=(2, 2, 1, 3)), rng.normal(size=3)
    xs, images = rng.normal(size=(4, 3)), rng.normal(size=(2, 4, 5, 1))
    x, img = tf.placeholder(tf.float32, [None, 3]), tf.placeholder(tf.float32, [None, 4, 5, 1])
    y = tf.layers.dense(x, 2, tf.nn.relu, kernel_initializer=tf.constant_initializer(W),
                        bias_initializer=tf.constant_initializer(b))
    c = tf.layers.Conv2D(3, 2, strides=(1, 2), kernel_initializer=tf.constant_initializer(K),
                         bias_initializer=tf.constant_initializer(kb))(img)
    with tf.Session() as session:
        session.run(tf.global_variables_initializer())
        got_y, got_c = session.run([y, c], {x: xs, img: images})
    np.testing.assert_allclose(got_y, np.maximum(xs @ W + b, 0), rtol=1e-5, atol=1e-6)
    want = np.zeros((2, 3, 2, 3))
    for i in range(3):
        for j in range(2):
            patch = images[:, i:i + 2, 2 * j:2 * j + 2, :]
            want[:, i, j] = np.einsum("nhwc,hwcf->nf", patch, K) + kb
    np.testing.assert_allclose(got_c, want, rtol=1e-5, atol=1e-5)


def test_batch_normalization_updates_its_moving_averages_through_update_ops():
    data = np.random.default_rng(3).normal(2.0, 3.0, size=(16, 3)).astype(np.float32)
    x, training = tf.placeholder(tf.float32, [None, 3]), tf.placeholder(tf.bool, [])
    y = tf.layers.batch_normalization(x, momentum=0.9, training=training)
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(updates) == 2 and "batch_normalization/moving_mean" in names()
    assert [v.name for v in tf.trainable_variables()] == ["batch_normalization/gamma:0",
                                                          "batch_normalization/beta:0"]
    with tf.Session() as session:
        session.run(tf.global_variables_initializer())
        normalized, _ = session.run([y, updates], {x: data, training: True})
        mean, variance = session.run(tf.global_variables()[2:])
        inference = session.run(y, {x: data, training: False})
    np.testing.assert_allclose(normalized, (data - data.mean(0)) / np.sqrt(data.var(0) + 1e-3),
                               rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(mean, 0.1 * data.mean(0), rtol=1e-5)
    np.testing.assert_allclose(variance, 0.9 + 0.1 * data.var(0), rtol=1e-5)
    np.testing.assert_allclose(inference, (data - mean) / np.sqrt(variance + 1e-3), rtol=1e-4)


@pytest.mark.skipif(not hasattr(tf, "control_dependencies"),
                    reason="tf.control_dependencies is not in this tree yet (another part of #14)")
def test_update_ops_run_with_the_train_op_under_control_dependencies():
    x = tf.placeholder(tf.float32, [None, 2])
    loss = tf.reduce_mean(tf.square(tf.layers.batch_normalization(x, training=True)))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        step = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.Session() as session:
        session.run(tf.global_variables_initializer())
        session.run(step, {x: [[1.0, 2.0], [3.0, 6.0]]})
        np.testing.assert_allclose(session.run(tf.global_variables()[2]), [0.02, 0.04], rtol=1e-5)


def test_regularizers_fill_the_regularization_losses():
    x = tf.placeholder(tf.float32, [None, 3])
    layer = tf.layers.Dense(2, kernel_regularizer=tf.contrib.layers.l2_regularizer(0.1),
                            bias_regularizer=tf.contrib.layers.l1_regularizer(0.5))
    layer(x)
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 2
    with tf.Session() as session:
        session.run(tf.global_variables_initializer())
        session.run(layer.bias.assign([1.0, -2.0]))
        kernel, total = session.run([layer.kernel, tf.losses.get_regularization_loss()])
    assert total == pytest.approx(0.05 * (kernel ** 2).sum() + 1.5, rel=1e-5)


def test_dropout_follows_a_training_tensor_and_flatten_keeps_the_batch():
    x, training = tf.placeholder(tf.float32, [None, 2, 50]), tf.placeholder(tf.bool, [])
    y = tf.layers.flatten(tf.layers.dropout(x, 0.5, training=training))
    assert y.shape == (None, 100)
    ones = np.ones((3, 2, 50), np.float32)
    with tf.Session() as session:
        np.testing.assert_array_equal(session.run(y, {x: ones, training: False}), 1.0)
        dropped = session.run(y, {x: ones, training: True})
    assert set(np.unique(dropped)) == {0.0, 2.0}


def test_shapes_of_transposed_conv_and_pooling_and_the_errors():
    x = tf.placeholder(tf.float32, [None, 4, 4, 2])
    assert tf.layers.conv2d_transpose(x, 3, 2, strides=2).shape == (None, 8, 8, 3)
    assert tf.layers.conv2d_transpose(x, 3, 3, padding="same").shape == (None, 4, 4, 3)
    assert tf.layers.max_pooling1d(tf.reshape(x, [-1, 16, 2]), 2, 2).shape == (None, 8, 2)
    assert tf.layers.average_pooling3d(tf.reshape(x, [-1, 2, 2, 4, 2]), 2, 2).shape == \
        (None, 1, 1, 2, 2)
    assert tf.layers.conv3d(tf.reshape(x, [-1, 2, 4, 2, 2]), 1, 2).shape == (None, 1, 3, 1, 1)
    with pytest.raises(ValueError, match=r"dense: the last dimension .* shape \(\?, \?\)"):
        tf.layers.dense(tf.placeholder(tf.float32, [None, None]), 2)
    with pytest.raises(ValueError, match="conv2d: padding must be"):
        tf.layers.conv2d(x, 2, 3, padding="full")
    with pytest.raises(ValueError, match="conv2d: expects inputs of rank 4"):
        tf.layers.conv2d(tf.placeholder(tf.float32, [None, 3]), 2, 3)
    assert tf.keras.layers.Dense is __import__("passos.keras").keras.layers.Dense
    assert tf.contrib.layers.xavier_initializer()((30, 20)).shape == (30, 20)
