"""tf.nn.dynamic_rnn and the TF1 cells: values against NumPy written from TF1's cell equations
with the same variables, sequence_length, gradients by finite differences, variable names and
shapes, MultiRNNCell, DropoutWrapper, static and bidirectional RNNs, and training."""
import numpy as np
import pytest

import passos.compat.v1 as tf
from passos.gradcheck import numeric_gradient

from tf1_graphs import fresh_graph  # noqa: F401 - an autouse fixture

rng = np.random.default_rng(0)
N, T, D, U = 3, 5, 4, 6
LENGTHS = np.array([5, 2, 0], np.int32)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# -- TF1's cell equations in NumPy: (output, new state) of one step ------------------------------
def rnn_step(w, x, h):
    h = np.tanh(np.concatenate([x, h], 1) @ w["rnn/basic_rnn_cell/kernel:0"] + w["rnn/basic_rnn_cell/bias:0"])
    return h, h


def lstm_step(w, x, state, name="basic_lstm_cell", forget_bias=1.0):
    c, h = state
    z = np.concatenate([x, h], 1) @ w[f"rnn/{name}/kernel:0"] + w[f"rnn/{name}/bias:0"]
    i, j, f, o = np.split(z, 4, axis=1)
    c = c * sigmoid(f + forget_bias) + sigmoid(i) * np.tanh(j)
    h = np.tanh(c) * sigmoid(o)
    return h, (c, h)


def gru_step(w, x, h):
    gates = sigmoid(np.concatenate([x, h], 1) @ w["rnn/gru_cell/gates/kernel:0"] + w["rnn/gru_cell/gates/bias:0"])
    r, u = np.split(gates, 2, axis=1)
    c = np.tanh(np.concatenate([x, r * h], 1) @ w["rnn/gru_cell/candidate/kernel:0"]
                + w["rnn/gru_cell/candidate/bias:0"])
    h = u * h + (1 - u) * c
    return h, h


def reference(step, w, x, state, lengths=None):
    """TF1's dynamic_rnn in NumPy: zero outputs and a kept state past each length."""
    outputs = []
    for t in range(x.shape[1]):
        y, new = step(w, x[:, t], state)
        if lengths is not None:
            keep = (t < lengths)[:, None]
            y = y * keep
            new = tuple(np.where(keep, n, s) for n, s in zip(new, state)) if isinstance(new, tuple) \
                else np.where(keep, new, state)
        outputs.append(y)
        state = new
    return np.stack(outputs, 1), state


CELLS = {
    "rnn": (lambda: tf.nn.rnn_cell.BasicRNNCell(U), rnn_step, lambda h: h),
    "lstm": (lambda: tf.nn.rnn_cell.BasicLSTMCell(U), lstm_step, lambda s: (s.c, s.h)),
    "lstm_cell": (lambda: tf.nn.rnn_cell.LSTMCell(U), lambda w, x, s: lstm_step(w, x, s, "lstm_cell"),
                  lambda s: (s.c, s.h)),
    "gru": (lambda: tf.nn.rnn_cell.GRUCell(U), gru_step, lambda h: h),
}


def zeros_state(kind):
    h = np.zeros((N, U))
    return (h, h) if kind.startswith("lstm") else h


def build(kind, dtype=tf.float32, lengths=None):
    make, step, as_arrays = CELLS[kind]
    x = tf.placeholder(dtype, [None, T, D])
    y, state = tf.nn.dynamic_rnn(make(), x, sequence_length=lengths, dtype=dtype)
    return x, y, state, step, as_arrays


def randomize(sess):
    """Random values in every variable (the biases too), returned by name."""
    values = {}
    for v in tf.global_variables():
        values[v.name] = rng.normal(0, 0.5, v.shape).astype(v.dtype)
        v.load(values[v.name], sess)
    return values


@pytest.mark.parametrize("kind", sorted(CELLS))
@pytest.mark.parametrize("lengths", [None, LENGTHS])
def test_dynamic_rnn_matches_tf1_equations(kind, lengths):
    x, y, state, step, as_arrays = build(kind, lengths=lengths)
    data = rng.normal(size=(N, T, D)).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w = randomize(sess)
        got_y, got_state = sess.run([y, state], {x: data})
    want_y, want_state = reference(step, w, data.astype(np.float64), zeros_state(kind), lengths)
    np.testing.assert_allclose(got_y, want_y, rtol=1e-5, atol=1e-5)
    for got, want in zip(np.atleast_1d(as_arrays(got_state)), np.atleast_1d(want_state)):
        np.testing.assert_allclose(np.asarray(got).reshape(np.shape(want)), want, rtol=1e-5, atol=1e-5)
    if lengths is not None:
        assert not got_y[1, 2:].any() and not got_y[2].any()


def test_variables_have_tf1_names_shapes_and_initial_biases():
    x = tf.placeholder(tf.float32, [None, T, D])
    tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(U), x, dtype=tf.float32)
    tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(U), x, dtype=tf.float32, scope="gru")
    got = {v.name: v.shape for v in tf.trainable_variables()}
    assert got == {"rnn/basic_lstm_cell/kernel:0": (D + U, 4 * U), "rnn/basic_lstm_cell/bias:0": (4 * U,),
                   "gru/gru_cell/gates/kernel:0": (D + U, 2 * U), "gru/gru_cell/gates/bias:0": (2 * U,),
                   "gru/gru_cell/candidate/kernel:0": (D + U, U), "gru/gru_cell/candidate/bias:0": (U,)}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        biases = sess.run({n: v for n, v in zip(got, tf.trainable_variables()) if "bias" in n})
    assert (biases["gru/gru_cell/gates/bias:0"] == 1).all() and not biases["rnn/basic_lstm_cell/bias:0"].any()


def test_variable_scope_reuse_shares_the_cell_variables():
    x = tf.placeholder(tf.float32, [None, T, D])
    with tf.variable_scope("model"):
        y1, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(U), x, dtype=tf.float32)
    with tf.variable_scope("model", reuse=True):
        y2, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(U), x, dtype=tf.float32)
    assert [v.name for v in tf.global_variables()] == ["model/rnn/basic_lstm_cell/kernel:0",
                                                        "model/rnn/basic_lstm_cell/bias:0"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        a, b = sess.run([y1, y2], {x: np.ones((N, T, D))})
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="already exists"):
        tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(U, name="basic_lstm_cell"), x,
                          dtype=tf.float32, scope="model/rnn")


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_gradients_match_finite_differences(kind):
    x, y, state, _, _ = build(kind, tf.float64, LENGTHS)
    final = state.h if kind == "lstm" else state
    weights = rng.normal(size=(N, T, U))
    loss = tf.reduce_sum(y * weights) + tf.reduce_sum(tf.square(final))
    variables = tf.trainable_variables()
    grads = tf.gradients(loss, [x] + variables)
    data = rng.normal(size=(N, T, D))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = randomize(sess)
        analytic = sess.run(grads, {x: data})

        def objective():
            for v in variables:
                v.load(values[v.name], sess)
            return sess.run(loss, {x: data})

        arrays = [data] + [values[v.name] for v in variables]
        for got, array in zip(analytic, arrays):
            np.testing.assert_allclose(got, numeric_gradient(objective, array), rtol=1e-5, atol=1e-7)


def test_time_major_initial_state_and_one_step_call_agree():
    cell = tf.nn.rnn_cell.BasicLSTMCell(U)
    x = tf.placeholder(tf.float32, [T, N, D])
    start = tf.nn.rnn_cell.LSTMStateTuple(tf.ones([N, U]) * 0.5, tf.ones([N, U]) * -0.25)
    y, state = tf.nn.dynamic_rnn(cell, x, initial_state=start, time_major=True)
    stepped, s = [], start
    with tf.variable_scope("rnn", reuse=True):
        for t in range(T):
            h, s = cell(x[t], s)
            stepped.append(h)
    assert y.shape == (T, N, U) and len(tf.trainable_variables()) == 2
    data = rng.normal(size=(T, N, D)).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, want, c1, c2 = sess.run([y, tf.stack(stepped), state.c, s.c], {x: data})
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c1, c2, rtol=1e-5, atol=1e-6)


def test_multi_rnn_cell_stacks_and_dropout_keep_1_is_identity():
    x = tf.placeholder(tf.float32, [None, T, D])
    cells = [tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicLSTMCell(U), output_keep_prob=1.0),
             tf.nn.rnn_cell.GRUCell(U)]
    y, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.MultiRNNCell(cells), x, LENGTHS, dtype=tf.float32)
    assert [v.name for v in tf.trainable_variables()][:2] == [
        "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel:0", "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias:0"]
    assert isinstance(state, tuple) and isinstance(state[0], tf.nn.rnn_cell.LSTMStateTuple)
    data = rng.normal(size=(N, T, D)).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w = randomize(sess)
        got_y, got_h = sess.run([y, state[1]], {x: data})
    first = {k.replace("multi_rnn_cell/cell_0/", ""): v for k, v in w.items()}
    second = {k.replace("multi_rnn_cell/cell_1/", ""): v for k, v in w.items()}
    h1, _ = reference(lstm_step, first, data, zeros_state("lstm"), LENGTHS)
    want_y, want_h = reference(gru_step, second, h1, zeros_state("gru"), LENGTHS)
    np.testing.assert_allclose(got_y, want_y, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got_h, want_h, rtol=1e-5, atol=1e-5)


def test_dropout_wrapper_drops_and_a_state_dropout_steps_the_cell():
    x = tf.placeholder(tf.float32, [None, T, D])
    keep = tf.placeholder(tf.float32, [])
    cell = tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicRNNCell(U), output_keep_prob=keep,
                                         state_keep_prob=keep)
    assert not cell.fused
    y, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    plain, _ = tf.nn.dynamic_rnn(cell.cell, x, dtype=tf.float32)
    data = rng.normal(size=(N, T, D)).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        a, b = sess.run([y, plain], {x: data, keep: 1.0})
        dropped = sess.run(y, {x: data, keep: 0.5})
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    assert (dropped == 0).mean() > 0.3


class SumCell(tf.nn.rnn_cell.RNNCell):
    """A user's cell: h = h + x @ w."""

    state_size = output_size = 2

    def __call__(self, inputs, state, scope=None):
        w = tf.get_variable("w", [D, 2], initializer=tf.ones_initializer())
        h = state + tf.matmul(inputs, w)
        return h, h


def test_a_user_cell_is_unrolled_with_its_variables_reused():
    x = tf.placeholder(tf.float32, [None, T, D])
    y, state = tf.nn.dynamic_rnn(SumCell(), x, LENGTHS, dtype=tf.float32)
    assert [v.name for v in tf.global_variables()] == ["rnn/w:0"]
    data = rng.normal(size=(N, T, D)).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got_y, got_state = sess.run([y, state], {x: data})
    sums = np.cumsum(data.sum(-1), 1) * (np.arange(T) < LENGTHS[:, None])
    np.testing.assert_allclose(got_y[..., 0], sums, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got_state[:, 0], [sums[0, -1], sums[1, 1], 0], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("make", [lambda: tf.nn.rnn_cell.GRUCell(U), SumCell])
def test_bidirectional_runs_backwards_within_each_length(make):
    x = tf.placeholder(tf.float32, [None, T, D])
    (y_fw, y_bw), (s_fw, s_bw) = tf.nn.bidirectional_dynamic_rnn(make(), make(), x, LENGTHS,
                                                                 dtype=tf.float32)
    names = [v.name for v in tf.trainable_variables()]
    assert names[0].startswith("bidirectional_rnn/fw/") and names[-1].startswith("bidirectional_rnn/bw/")
    data = rng.normal(size=(N, T, D)).astype(np.float32)
    reversed_data = data.copy()
    for b, n in enumerate(LENGTHS):  # tf.reverse_sequence
        reversed_data[b, :n] = data[b, :n][::-1]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w = {k.replace("bidirectional_rnn/bw", "rnn"): v for k, v in randomize(sess).items()}
        got_y, got_s = sess.run([y_bw, s_bw], {x: data})
    step = gru_step if names[-1].endswith("bias:0") else \
        (lambda w, x, h: (h + x @ w["rnn/w:0"],) * 2)
    want_y, want_s = reference(step, w, reversed_data, np.zeros((N, got_s.shape[1])), LENGTHS)
    for b, n in enumerate(LENGTHS):
        want_y[b, :n] = want_y[b, :n][::-1]
    np.testing.assert_allclose(got_y, want_y, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got_s, want_s, rtol=1e-5, atol=1e-5)


def test_static_rnn_gives_a_list_and_contrib_names_the_same_cells():
    assert tf.contrib.rnn.BasicLSTMCell is tf.nn.rnn_cell.BasicLSTMCell
    xs = [tf.placeholder(tf.float32, [None, D]) for _ in range(T)]
    outputs, state = tf.contrib.rnn.static_rnn(tf.contrib.rnn.BasicLSTMCell(U), xs, dtype=tf.float32)
    assert len(outputs) == T and outputs[0].shape == (None, U) and state.h.shape == (None, U)


def test_state_is_tuple_false_joins_c_and_h():
    cell = tf.nn.rnn_cell.BasicLSTMCell(U, state_is_tuple=False)
    assert cell.state_size == 2 * U
    x = tf.placeholder(tf.float32, [N, T, D])
    y, state = tf.nn.dynamic_rnn(cell, x, initial_state=cell.zero_state(N, tf.float32))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got_y, got_state = sess.run([y, state], {x: np.ones((N, T, D))})
    assert got_state.shape == (N, 2 * U)
    np.testing.assert_allclose(got_state[:, U:], got_y[:, -1], rtol=1e-6)


def test_errors_name_the_problem():
    x = tf.placeholder(tf.float32, [None, T, D])
    with pytest.raises(ValueError, match="you must give a dtype"):
        tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(U), x)
    with pytest.raises(ValueError, match=r"inputs must have shape \(batch, time, depth\)"):
        tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(U), tf.placeholder(tf.float32, [None, D]),
                          dtype=tf.float32)
    with pytest.raises(NotImplementedError, match="use_peepholes"):
        tf.nn.rnn_cell.LSTMCell(U, use_peepholes=True)
    with pytest.raises(ValueError, match="activation must be"):
        tf.nn.rnn_cell.BasicRNNCell(U, activation=tf.nn.elu)


def test_training_an_lstm_reduces_the_loss():
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, T, 1])
    target = tf.placeholder(tf.float32, [None, 1])
    _, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(8), x, dtype=tf.float32)
    loss = tf.reduce_mean(tf.square(tf.layers.dense(state.h, 1) - target))
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    data = rng.uniform(size=(64, T, 1)).astype(np.float32)
    feed = {x: data, target: data.sum(1)}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss, feed)
        for _ in range(60):
            sess.run(train, feed)
        assert sess.run(loss, feed) < 0.1 * first
