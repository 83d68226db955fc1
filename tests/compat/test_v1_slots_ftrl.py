"""tf.train optimizers' slots are variables Saver saves and restores; FtrlOptimizer against TF1's
FTRL-Proximal formula written out in NumPy."""
import numpy as np
import pytest

import passos.compat.v1 as tf

from tf1_graphs import fresh_graph  # noqa: F401 - an autouse fixture

X = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")

# the optimizer, and the slot variables (beside dense/kernel) and non-slot ones TF1 names
OPTIMIZERS = {
    "adam": (lambda: tf.train.AdamOptimizer(0.1), ["Adam", "Adam_1"],
             ["beta1_power", "beta2_power"]),
    "momentum": (lambda: tf.train.MomentumOptimizer(0.05, 0.9), ["Momentum"], []),
    "adagrad": (lambda: tf.train.AdagradOptimizer(0.3), ["Adagrad"], []),
    "rmsprop": (lambda: tf.train.RMSPropOptimizer(0.01, momentum=0.5, centered=True),
                ["RMSProp", "RMSProp_1", "RMSProp_2"], []),
    "adadelta": (lambda: tf.train.AdadeltaOptimizer(1.0), ["Adadelta", "Adadelta_1"], []),
    "ftrl": (lambda: tf.train.FtrlOptimizer(0.1, l1_regularization_strength=0.01),
             ["Ftrl", "Ftrl_1"], []),
}


def _model(make):
    """A fresh graph: a dense layer, its training op, a default Saver and the initializer."""
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(1)
        y = tf.layers.dense(tf.constant(X), 2, name="dense")
        loss = tf.reduce_mean(tf.square(y - 1.0))
        train = make().minimize(loss, global_step=tf.train.get_or_create_global_step())
        saver, init = tf.train.Saver(), tf.global_variables_initializer()
        kernel = tf.trainable_variables()[0]
    return graph, train, saver, init, kernel


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_saver_keeps_slots_so_training_resumes_exactly(name, tmp_path):
    make, slots, non_slots = OPTIMIZERS[name]
    graph, train, saver, init, kernel = _model(make)
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        for _ in range(5):
            sess.run(train)
        path = saver.save(sess, str(tmp_path / "model.ckpt"))
        for _ in range(5):
            sess.run(train)
        uninterrupted = sess.run(kernel)
    saved = dict(tf.train.list_variables(path))
    for slot in slots:
        assert saved[f"dense/kernel/{slot}"] == [3, 2] and saved[f"dense/bias/{slot}"] == [2]
    assert [n for n in non_slots if n in saved] == non_slots
    assert len(saved) == 3 + 2 * len(slots) + len(non_slots)
    # a new graph and session, restored: the next steps are those of the first session
    graph, train, saver, init, kernel = _model(make)
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        saver.restore(sess, path)
        for _ in range(5):
            sess.run(train)
        np.testing.assert_array_equal(sess.run(kernel), uninterrupted)


def test_adam_slots_are_global_variables_reset_by_the_initializer():
    optimizer = tf.train.AdamOptimizer(0.1, beta1=0.8, beta2=0.9)
    w = tf.get_variable("w", initializer=np.array([1.0, -2.0], "float32"))
    train = optimizer.minimize(tf.reduce_sum(tf.square(w)))
    assert optimizer.get_slot_names() == ["m", "v"]
    m, v = optimizer.get_slot(w, "m"), optimizer.get_slot(w, "v")
    assert (m.name, v.name) == ("w/Adam:0", "w/Adam_1:0")
    assert optimizer.get_slot(w, "momentum") is None
    assert tf.trainable_variables() == [w]
    assert [x.name for x in optimizer.variables()] == ["w/Adam:0", "w/Adam_1:0",
                                                       "beta1_power:0", "beta2_power:0"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        sess.run(train)
        # m after two steps of g = 2w: 0.2 g1 (0.8) + 0.2 g2; the powers are beta^(t + 1)
        assert np.allclose(sess.run(tf.global_variables()[-2:]), [0.8 ** 3, 0.9 ** 3])
        assert np.all(sess.run(m) != 0)
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(m), [0.0, 0.0])
        assert np.allclose(sess.run(tf.global_variables()[-2:]), [0.8, 0.9])


def test_slots_are_shared_by_the_optimizers_minimize_calls():
    optimizer = tf.train.MomentumOptimizer(0.1, 0.9)
    w = tf.get_variable("w", initializer=np.array([1.0], "float32"))
    optimizer.minimize(tf.reduce_sum(tf.square(w)))
    optimizer.minimize(tf.reduce_sum(w))
    assert [v.name for v in tf.global_variables()] == ["w:0", "w/Momentum:0"]


def ftrl_reference(w, gradient, steps, lr, power=-0.5, initial=0.1, l1=0.0, l2=0.0, shrink=0.0):
    """TF1's ApplyFtrlV2, step by step, in float64: the weights after each step."""
    w, accum, linear, found = w.copy(), np.full_like(w, initial), np.zeros_like(w), []
    for _ in range(steps):
        g = gradient(w)
        new_accum = accum + g * g
        linear += g + 2 * shrink * w - (new_accum ** -power - accum ** -power) / lr * w
        quadratic = new_accum ** -power / lr + 2 * l2
        w = np.where(np.abs(linear) > l1, (np.sign(linear) * l1 - linear) / quadratic, 0.0)
        accum = new_accum
        found.append(w)
    return np.array(found)


@pytest.mark.parametrize("kw", [
    {},
    {"power": -0.7, "initial": 0.5},
    {"l1": 0.3, "l2": 0.2},
    {"l1": 0.05, "l2": 0.1, "shrink": 0.4, "power": -0.3},
    {"power": 0.0, "l1": 2.0},  # a fixed rate; l1 large enough to zero a weight
])
def test_ftrl_matches_tf1_formula(kw):
    a, c = np.array([1.0, 3.0, 0.5]), np.array([-0.5, 1.0, 2.0])
    w = tf.Variable(np.array([1.0, -2.0, 0.5]), name="w")  # float64: compare tightly
    names = {"power": "learning_rate_power", "initial": "initial_accumulator_value",
             "l1": "l1_regularization_strength", "l2": "l2_regularization_strength",
             "shrink": "l2_shrinkage_regularization_strength"}
    optimizer = tf.train.FtrlOptimizer(0.4, **{names[k]: v for k, v in kw.items()})
    step = optimizer.minimize(tf.reduce_sum(a * tf.square(w) / 2 + c * w))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = [sess.run([step, w])[1] for _ in range(10)]
    expected = ftrl_reference(np.array([1.0, -2.0, 0.5]), lambda x: a * x + c, 10, 0.4, **kw)
    np.testing.assert_allclose(np.array(got), expected, rtol=1e-12, atol=1e-14)
    assert optimizer.get_slot_names() == ["accum", "linear"]


def test_ftrl_slot_names_and_argument_errors():
    w = tf.get_variable("w", initializer=np.zeros(2, "float32"))
    tf.train.FtrlOptimizer(0.1, accum_name="acc", linear_name="lin").minimize(tf.reduce_sum(w))
    assert [v.name for v in tf.global_variables()] == ["w:0", "w/acc:0", "w/lin:0"]
    for kw, name in (({"learning_rate_power": 0.5}, "learning_rate_power"),
                     ({"initial_accumulator_value": -0.1}, "initial_accumulator_value"),
                     ({"l1_regularization_strength": -1.0}, "l1_regularization_strength"),
                     ({"l2_regularization_strength": -1.0}, "l2_regularization_strength"),
                     ({"l2_shrinkage_regularization_strength": -1.0},
                      "l2_shrinkage_regularization_strength")):
        with pytest.raises(ValueError, match=f"^Ftrl: {name} must be a number in"):
            tf.train.FtrlOptimizer(0.1, **kw)
