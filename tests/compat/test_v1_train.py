"""passos.compat.v1.train: optimizers against TF1's formulas in NumPy, training loops, Saver."""
import os

import numpy as np
import pytest

import passos.compat.v1 as tf

from tf1_graphs import fresh_graph  # noqa: F401 - an autouse fixture


def course_data(n=42, seed=0):
    """42 (x, y) pairs around a line, as the course's regression example (float32)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 40, n).astype(np.float32)
    return x, (1.5 * x + 10 + rng.normal(0, 5, n)).astype(np.float32)


# -- the TF1 linear regression, one sample per run ---------------------------------------------------
@pytest.mark.parametrize("loss_kind", ["squared", "huber"])
def test_linear_regression_matches_numpy(loss_kind):
    xs, ys = course_data()
    X = tf.placeholder(tf.float32, name="X")
    Y = tf.placeholder(tf.float32, name="Y")
    w = tf.get_variable("w", dtype=tf.float32, initializer=0.)
    b = tf.get_variable("b", dtype=tf.float32, initializer=0.)
    Y_predicted = w * X + b
    loss = (tf.square(Y - Y_predicted, name="loss") if loss_kind == "squared"
            else tf.losses.huber_loss(Y, Y_predicted))
    optimizer = tf.train.GradientDescentOptimizer(learning_rate=0.001).minimize(loss)
    history = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            for x, y in zip(xs, ys):
                _, l, w_value, b_value = sess.run([optimizer, loss, w, b], feed_dict={X: x, Y: y})
                history.append((l, w_value, b_value))
    # the same computation in NumPy, float32 throughout
    wn, bn, lr = np.float32(0), np.float32(0), np.float32(0.001)
    expected = []
    for _ in range(3):
        for x, y in zip(xs, ys):
            error = wn * x + bn - y
            if loss_kind == "squared":
                l, g = error * error, 2 * error
            else:
                e = abs(error)
                l = np.float32(0.5) * min(e, 1) ** 2 + (e - min(e, 1))
                g = np.clip(error, -1, 1)
            wn, bn = wn - lr * (g * x), bn - lr * g
            expected.append((l, wn, bn))
    got, want = np.array(history), np.array(expected)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert isinstance(history[0][1], np.float32)


# -- each optimizer against TF1's update rule --------------------------------------------------------
A = np.array([1.0, 3.0, 0.5])
C = np.array([0.3, -1.0, 2.0])


def gradient(w):
    return A * w + C  # of sum(A w² / 2 + C w)


def reference(name, steps, lr, moved=None, **kw):
    """TF1's update rules (training_ops.cc), written out.

    `moved` {t: value} sets w to value before step t, leaving the slots alone.
    """
    w = np.array([1.0, -2.0, 0.5])
    a = np.zeros_like(w)
    b = np.zeros_like(w)
    c = np.zeros_like(w)
    if name == "rmsprop":
        a = np.ones_like(w)
    if name == "adagrad":
        a = np.full_like(w, kw.get("initial_accumulator_value", 0.1))
    out = []
    for t in range(1, steps + 1):
        w = (moved or {}).get(t, w)
        g = gradient(w)
        if name == "sgd":
            w = w - lr * g
        elif name == "momentum":
            m = kw["momentum"]
            a = m * a + g
            w = w - (lr * g + lr * m * a if kw.get("use_nesterov") else lr * a)
        elif name == "adam":
            b1, b2, eps = kw.get("beta1", 0.9), kw.get("beta2", 0.999), kw.get("epsilon", 1e-8)
            lr_t = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
            a = b1 * a + (1 - b1) * g
            b = b2 * b + (1 - b2) * g * g
            w = w - lr_t * a / (np.sqrt(b) + eps)
        elif name == "rmsprop":
            rho, mom, eps = kw.get("decay", 0.9), kw.get("momentum", 0.0), kw.get("epsilon", 1e-10)
            a = rho * a + (1 - rho) * g * g
            denominator = a
            if kw.get("centered"):
                c = rho * c + (1 - rho) * g
                denominator = a - c * c
            b = mom * b + lr * g / np.sqrt(denominator + eps)
            w = w - b
        elif name == "adagrad":
            a = a + g * g
            w = w - lr * g / np.sqrt(a)
        elif name == "adadelta":
            rho, eps = kw.get("rho", 0.95), kw.get("epsilon", 1e-8)
            a = rho * a + (1 - rho) * g * g
            update = np.sqrt(b + eps) / np.sqrt(a + eps) * g
            b = rho * b + (1 - rho) * update * update
            w = w - lr * update
        out.append(w)
    return np.array(out)


OPTIMIZERS = [
    ("sgd", lambda: tf.train.GradientDescentOptimizer(0.1), 0.1, {}),
    ("momentum", lambda: tf.train.MomentumOptimizer(0.05, 0.9), 0.05, {"momentum": 0.9}),
    ("momentum", lambda: tf.train.MomentumOptimizer(0.05, 0.8, use_nesterov=True), 0.05,
     {"momentum": 0.8, "use_nesterov": True}),
    ("adam", lambda: tf.train.AdamOptimizer(), 0.001, {}),
    ("adam", lambda: tf.train.AdamOptimizer(0.1, beta1=0.8, beta2=0.99, epsilon=1e-3), 0.1,
     {"beta1": 0.8, "beta2": 0.99, "epsilon": 1e-3}),
    ("rmsprop", lambda: tf.train.RMSPropOptimizer(0.01), 0.01, {}),
    ("rmsprop", lambda: tf.train.RMSPropOptimizer(0.01, decay=0.8, momentum=0.5, centered=True),
     0.01, {"decay": 0.8, "momentum": 0.5, "centered": True}),
    ("adagrad", lambda: tf.train.AdagradOptimizer(0.3), 0.3, {}),
    ("adadelta", lambda: tf.train.AdadeltaOptimizer(), 0.001, {}),
    ("adadelta", lambda: tf.train.AdadeltaOptimizer(1.0, rho=0.9, epsilon=1e-6), 1.0,
     {"rho": 0.9, "epsilon": 1e-6}),
]


@pytest.mark.parametrize("name,make,lr,kw", OPTIMIZERS)
def test_optimizer_matches_tf1_formula(name, make, lr, kw):
    w = tf.Variable(np.array([1.0, -2.0, 0.5]), name="w")  # float64: compare tightly
    loss = tf.reduce_sum(A * tf.square(w) / 2 + C * w)
    step = make().minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = []
        for _ in range(12):
            sess.run(step)
            got.append(sess.run(w))
    np.testing.assert_allclose(np.array(got), reference(name, 12, lr, **kw), rtol=1e-12, atol=1e-14)


MOVED = np.array([0.5, 1.0, -1.5])


@pytest.mark.parametrize("how", ["assign", "restore"])
@pytest.mark.parametrize("name,make,lr,kw", OPTIMIZERS)
def test_slots_outlive_an_assign_or_restore_of_their_variable(name, make, lr, kw, how, tmp_path):
    """As in TF1, where slots are variables of their own that neither op touches."""
    w = tf.Variable(np.array([1.0, -2.0, 0.5]), name="w")
    step = make().minimize(tf.reduce_sum(A * tf.square(w) / 2 + C * w))
    saver = tf.train.Saver(var_list=[w])  # w only: the checkpoint holds no slots
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(w.assign(MOVED))
        prefix = saver.save(sess, str(tmp_path / "w"))
        sess.run(tf.global_variables_initializer())
        got = []
        for t in range(1, 7):
            if t == 4:
                sess.run(w.assign(MOVED)) if how == "assign" else saver.restore(sess, prefix)
            sess.run(step)
            got.append(sess.run(w))
    expected = reference(name, 6, lr, moved={4: MOVED}, **kw)
    np.testing.assert_allclose(np.array(got), expected, rtol=1e-12, atol=1e-14)


def test_global_step_fed_learning_rate_and_reinitialised_slots():
    global_step = tf.train.get_or_create_global_step()
    assert tf.train.get_or_create_global_step() is global_step and global_step.name == "global_step:0"
    assert global_step.dtype == np.int64 and not global_step.trainable
    lr = tf.placeholder(tf.float64, [], name="lr")
    w = tf.Variable(np.array([1.0, -2.0, 0.5]))
    step = tf.train.AdamOptimizer(lr).minimize(tf.reduce_sum(A * tf.square(w) / 2 + C * w),
                                               global_step=global_step)
    init = tf.global_variables_initializer()
    with tf.Session() as sess:
        sess.run(init)
        first = [sess.run([step, w], {lr: 0.001})[1] for _ in range(3)]
        assert sess.run(global_step) == 3
        sess.run(init)  # also forgets Adam's moments, as TF1's slot variables are re-initialised
        again = [sess.run([step, w], {lr: 0.001})[1] for _ in range(3)]
        assert sess.run(global_step) == 3
    np.testing.assert_allclose(first, reference("adam", 3, 0.001))
    np.testing.assert_array_equal(first, again)


def test_compute_and_apply_gradients_with_clipping():
    w = tf.Variable([3.0, 4.0])
    v = tf.Variable(1.0, trainable=False)
    optimizer = tf.train.GradientDescentOptimizer(1.0)
    grads_and_vars = optimizer.compute_gradients(tf.reduce_sum(tf.square(w)) + v)
    assert [var for _, var in grads_and_vars] == [w]
    grads, norm = tf.clip_by_global_norm([g for g, _ in grads_and_vars], 1.0)
    step = optimizer.apply_gradients(zip(grads, [w]))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert np.isclose(sess.run(norm), 10.0)
        sess.run(step)
        np.testing.assert_allclose(sess.run(w), [3 - 0.6, 4 - 0.8], rtol=1e-6)
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        optimizer.minimize(tf.reduce_sum(tf.floor(w)))
    with pytest.raises(ValueError, match="No variables to optimize"):
        optimizer.minimize(tf.constant(1.0), var_list=[])


def test_exponential_decay():
    step = tf.Variable(0, dtype=tf.int64, trainable=False)
    lr = tf.train.exponential_decay(0.1, step, 10, 0.5, staircase=True)
    smooth = tf.train.exponential_decay(0.1, step, 10, 0.5)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(step.assign(15))
        assert np.isclose(sess.run(lr), 0.05) and np.isclose(sess.run(smooth), 0.1 * 0.5 ** 1.5)


# -- Saver ---------------------------------------------------------------------------------------
def test_saver_round_trip(tmp_path):
    with tf.variable_scope("layer"):
        w = tf.get_variable("w", [3, 2])
        b = tf.get_variable("b", [2], initializer=tf.zeros_initializer())
    step = tf.Variable(7, name="step")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(b.assign([1.5, -2.0]))
        saved = sess.run([w, b, step])
        prefix = saver.save(sess, str(tmp_path / "ckpt" / "model.ckpt"), global_step=100)
    assert prefix.endswith("model.ckpt-100") and os.path.exists(prefix + ".npz")
    assert tf.train.latest_checkpoint(str(tmp_path / "ckpt")) == prefix
    assert sorted(os.listdir(tmp_path / "ckpt")) == ["checkpoint", "model.ckpt-100.meta",
                                                  "model.ckpt-100.npz"]
    with np.load(prefix + ".npz", allow_pickle=False) as data:
        assert sorted(data.files) == ["layer/b", "layer/w", "step"]
    with tf.Session() as sess:  # restore needs no initializer
        saver.restore(sess, prefix)
        for before, after in zip(saved, sess.run([w, b, step])):
            np.testing.assert_array_equal(before, after)
            assert before.dtype == after.dtype


def test_saver_keeps_max_to_keep_and_reports_problems(tmp_path):
    w = tf.Variable([1.0, 2.0], name="w")
    saver = tf.train.Saver(max_to_keep=2)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(4):
            saver.save(sess, str(tmp_path / "m"), global_step=i)
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "m-2.meta", "m-2.npz", "m-3.meta",
                                            "m-3.npz"]
    tf.reset_default_graph()
    tf.Variable([1.0, 2.0, 3.0], name="w")
    with tf.Session() as sess:
        with pytest.raises(ValueError, match=r"variable 'w' has shape \(3,\) but checkpoint entry "
                                             r"'w' has shape \(2,\)"):
            tf.train.Saver().restore(sess, str(tmp_path / "m-3"))
        with pytest.raises(ValueError, match="not a valid checkpoint"):
            tf.train.Saver().restore(sess, str(tmp_path / "missing"))
    tf.reset_default_graph()
    tf.Variable(1.0, name="other")
    with tf.Session() as sess:
        with pytest.raises(KeyError, match="Key other not found in checkpoint"):
            tf.train.Saver().restore(sess, str(tmp_path / "m-3"))


# -- small models learn ------------------------------------------------------------------------------
def test_softmax_classifier_with_adam_separates_blobs():
    rng = np.random.default_rng(1)
    centers = np.array([[0, 4], [4, 0], [-4, -4]], np.float32)
    labels = rng.integers(0, 3, 300)
    data = (centers[labels] + rng.normal(0, 1, (300, 2))).astype(np.float32)
    onehot = np.eye(3, dtype=np.float32)[labels]
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    y = tf.placeholder(tf.float32, [None, 3], name="y")
    W = tf.get_variable("W", [2, 3])
    b = tf.get_variable("b", [3], initializer=tf.zeros_initializer())
    logits = tf.matmul(x, W) + b
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)), tf.float32))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for epoch in range(20):
            for i in range(0, 300, 30):
                sess.run(train, {x: data[i:i + 30], y: onehot[i:i + 30]})
        assert sess.run(accuracy, {x: data, y: onehot}) > 0.95


def test_tiny_cnn_loss_decreases():
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 2, 64)
    images = rng.normal(0, 0.3, (64, 8, 8, 1)).astype(np.float32)
    images[labels == 0, 3:5, :, 0] += 1.0  # horizontal bar
    images[labels == 1, :, 3:5, 0] += 1.0  # vertical bar
    onehot = np.eye(2, dtype=np.float32)[labels]
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, 8, 8, 1])
    y = tf.placeholder(tf.float32, [None, 2])
    k = tf.get_variable("k", [3, 3, 1, 4], initializer=tf.truncated_normal_initializer(stddev=0.3))
    c = tf.get_variable("c", [4], initializer=tf.constant_initializer(0.1))
    h = tf.nn.max_pool(tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, k, [1, 1, 1, 1], "SAME"), c)),
                       ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
    flat = tf.reshape(h, [-1, 4 * 4 * 4])
    W = tf.get_variable("W", [64, 2])
    logits = tf.matmul(flat, W)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        losses = [sess.run([train, loss], {x: images, y: onehot})[1] for _ in range(30)]
    assert losses[-1] < 0.5 * losses[0]
