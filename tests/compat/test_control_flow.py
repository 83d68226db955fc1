"""passos.compat.v1 control flow: control_dependencies, tuple, cond, case, while_loop."""
import numpy as np
import pytest

import passos.compat.v1 as tf

from tf1_graphs import fresh_graph  # noqa: F401 - an autouse fixture


def _session():
    session = tf.Session()
    session.run(tf.global_variables_initializer())
    return session


def _numeric_grad(f, x, eps=1e-3):
    """Central differences of the scalar function f at array x (float64)."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        grad[i] = (f(up) - f(down)) / (2 * eps)
    return grad


# -- control_dependencies, identity, group, no_op, tuple -------------------------------------
def test_control_dependencies_runs_the_assign_before_the_read():
    v = tf.Variable(1.0)
    assign = tf.assign(v, 5.0)
    with tf.control_dependencies([assign]):
        read = tf.identity(v)
        doubled = v * 2
    with _session() as session:
        assert session.run(read) == 5.0
        session.run(tf.assign(v, 1.0))
        assert session.run(doubled) == 10.0


def test_update_ops_idiom_runs_the_updates_with_the_train_op():
    x = tf.Variable(3.0)
    counter = tf.Variable(0.0, trainable=False)
    tf.add_to_collection(tf.GraphKeys.UPDATE_OPS, tf.assign_add(counter, 1.0))
    loss = tf.square(x)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train_op = tf.train.GradientDescentOptimizer(0.25).minimize(loss)
    with _session() as session:
        for _ in range(3):
            session.run(train_op)
        assert session.run(counter) == 3.0
        assert np.isclose(session.run(x), 3.0 * 0.5 ** 3)


def test_control_dependencies_keeps_gradients_and_rejects_non_nodes():
    x = tf.placeholder(tf.float32, [3])
    v = tf.Variable(0.0)
    with tf.control_dependencies([tf.assign_add(v, 1.0)]):
        y = tf.reduce_sum(tf.square(x))
    (g,) = tf.gradients(y, [x])
    with _session() as session:
        np.testing.assert_allclose(session.run(g, {x: [1, 2, 3]}), [2, 4, 6])
        assert session.run(v) == 1.0
    with pytest.raises(TypeError, match="control_dependencies"):
        with tf.control_dependencies([3.0]):
            pass


def test_group_no_op_and_tuple():
    v = tf.Variable(0.0)
    a, b = tf.assign_add(v, 1.0), tf.assign_add(v, 10.0)
    x, y = tf.tuple([tf.constant(1.0), tf.constant(2.0)], control_inputs=[a, b])
    with _session() as session:
        assert session.run([x, y]) == [1.0, 2.0]
        assert session.run(v) == 11.0
        session.run(tf.group(a, b))
        assert session.run(v) == 22.0
        assert session.run(tf.no_op()) is None


# -- cond and case ---------------------------------------------------------------------------
def test_cond_runs_only_the_taken_branch():
    p = tf.placeholder(tf.bool, [])
    v = tf.Variable(0.0)
    params = tf.constant([1.0, 2.0, 3.0])
    bad = tf.placeholder(tf.int32, [1])
    out = tf.cond(p, lambda: tf.assign_add(v, 1.0) * 1.0, lambda: tf.constant(-1.0))
    errs = tf.cond(p, lambda: tf.reduce_sum(tf.gather(params, bad)), lambda: tf.constant(0.0))
    with _session() as session:
        assert session.run(out, {p: False}) == -1.0
        assert session.run(v) == 0.0
        assert session.run(out, {p: True}) == 1.0
        assert session.run(v) == 1.0
        assert session.run(errs, {p: False, bad: [7]}) == 0.0
        with pytest.raises(ValueError, match="out of range"):
            session.run(errs, {p: True, bad: [7]})


def test_cond_inside_control_dependencies_and_nested():
    p = tf.placeholder(tf.bool, [])
    x = tf.placeholder(tf.float32, [])
    v = tf.Variable(0.0)
    with tf.control_dependencies([tf.assign_add(v, 1.0)]):
        y = tf.cond(p, lambda: tf.cond(x > 0, lambda: x * 2, lambda: -x), lambda: x - 1)
    with _session() as session:
        assert [session.run(y, {p: True, x: k}) for k in (3.0, -4.0)] == [6.0, 4.0]
        assert session.run(y, {p: False, x: 3.0}) == 2.0
        assert session.run(v) == 3.0


def test_cond_checks_the_branches_when_built():
    p = tf.placeholder(tf.bool, [])
    with pytest.raises(ValueError, match="cond: the branches return different dtypes"):
        tf.cond(p, lambda: tf.constant(1.0), lambda: tf.constant(1))
    with pytest.raises(ValueError, match="different numbers"):
        tf.cond(p, lambda: [tf.constant(1.0)], lambda: [tf.constant(1.0)] * 2)
    with pytest.raises(TypeError, match="boolean scalar"):
        tf.cond(tf.constant([True, False]), lambda: 1.0, lambda: 2.0)
    with pytest.raises(TypeError, match="true_fn must be callable"):
        tf.cond(p, 1.0, lambda: 2.0)


def test_cond_with_several_outputs_and_merged_shapes():
    p = tf.placeholder(tf.bool, [])
    x = tf.placeholder(tf.float32, [None, 2])
    a, b = tf.cond(p, lambda: (x * 2, tf.reduce_sum(x)), lambda: (x + 1, tf.constant(0.0)))
    assert a.shape == (None, 2) and b.shape == ()
    with _session() as session:
        got = session.run([a, b], {p: True, x: [[1, 2]]})
        np.testing.assert_allclose(got[0], [[2, 4]])
        assert got[1] == 3.0


def test_gradients_flow_through_the_taken_cond_branch():
    p = tf.placeholder(tf.bool, [])
    x = tf.placeholder(tf.float64, [3])
    w = tf.constant([0.5, -1.0, 2.0], tf.float64)
    y, z = tf.cond(p, lambda: (tf.reduce_sum(tf.tanh(x) * w), x * 3),
                   lambda: (tf.reduce_sum(x * x), x))
    loss = y + tf.reduce_sum(z * z)
    (g,) = tf.gradients(loss, [x])
    point = np.array([0.3, -0.7, 1.1])
    with tf.Session() as session:
        for taken in (True, False):
            got = session.run(g, {p: taken, x: point})
            numeric = _numeric_grad(lambda v: session.run(loss, {p: taken, x: v}), point)
            np.testing.assert_allclose(got, numeric, rtol=1e-5, atol=1e-6)


def test_case_takes_the_first_true_predicate_else_the_default():
    i = tf.placeholder(tf.int32, [])
    out = tf.case([(tf.equal(i, 0), lambda: tf.constant(10.0)),
                   (tf.less(i, 3), lambda: tf.constant(20.0))],
                  default=lambda: tf.constant(-1.0))
    with tf.Session() as session:
        assert [session.run(out, {i: k}) for k in (0, 1, 2, 5)] == [10.0, 20.0, 20.0, -1.0]
    exclusive = tf.case({tf.less(i, 3): lambda: tf.constant(1.0),
                         tf.less(i, 5): lambda: tf.constant(2.0)},
                        default=lambda: tf.constant(0.0), exclusive=True)
    with tf.Session() as session:
        assert session.run(exclusive, {i: 4}) == 2.0
        with pytest.raises(ValueError, match="exclusive"):
            session.run(exclusive, {i: 1})


# -- while_loop ------------------------------------------------------------------------------
def test_while_loop_sums_and_powers():
    n = tf.placeholder(tf.int32, [])
    i, total = tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s + i), [0, 0])
    x = tf.placeholder(tf.float32, [2])
    power = tf.while_loop(lambda k, p: k < 3, lambda k, p: (k + 1, p * x),
                          (tf.constant(0), tf.ones([2])))[1]
    with tf.Session() as session:
        assert session.run([i, total], {n: 5}) == [5, 10]
        np.testing.assert_allclose(session.run(power, {x: [2, -3]}), [8, -27])


def test_while_loop_gradient_matches_finite_differences():
    x = tf.placeholder(tf.float64, [3])
    w = tf.placeholder(tf.float64, [3])
    n = tf.placeholder(tf.int32, [])
    _, y = tf.while_loop(lambda k, v: k < n, lambda k, v: (k + 1, tf.tanh(v * w) + x),
                         [tf.constant(0), x])
    loss = tf.reduce_sum(y * y)
    gx, gw = tf.gradients(loss, [x, w])
    feeds = {x: np.array([0.3, -0.5, 0.9]), w: np.array([1.2, 0.7, -0.4]), n: 3}
    with tf.Session() as session:
        got_x, got_w = session.run([gx, gw], feeds)
        for point, got in ((x, got_x), (w, got_w)):
            numeric = _numeric_grad(
                lambda v: session.run(loss, {**feeds, point: v}), feeds[point])
            np.testing.assert_allclose(got, numeric, rtol=1e-5, atol=1e-7)


def test_while_loop_checks_when_built_and_limits_iterations():
    x = tf.constant([1.0])
    with pytest.raises(ValueError, match="shape_invariants"):
        tf.while_loop(lambda v: tf.constant(True), lambda v: tf.concat([v, v], 0), [x])
    grown = tf.while_loop(lambda v: tf.constant(True), lambda v: tf.concat([v, v], 0), [x],
                          shape_invariants=[tf.TensorShape([None])], maximum_iterations=3)
    assert grown.shape == (None,)
    with pytest.raises(TypeError, match="dtype"):
        tf.while_loop(lambda v: v < 3, lambda v: tf.cast(v, tf.float32), [tf.constant(0)])
    with tf.Session() as session:
        assert session.run(grown).shape == (8,)
