"""Patterns from public TF1 teaching programs (aymericdamien/TensorFlow-Examples) that passos
once failed: tf.range given tensors (dynamic_rnn.py's last-relevant-output gather) and
tf.contrib.rnn.static_bidirectional_rnn (bidirectional_rnn.py) against TF1's numbers, and string
constants running to bytes (helloworld.py)."""
import numpy as np
import pytest

import passos.compat.v1 as tf

from tf1_graphs import fresh_graph  # noqa: F401 - an autouse fixture

rng = np.random.default_rng(0)


def test_range_of_a_shape_tensor_gathers_each_sequences_last_output():
    # dynamic_rnn.py: index = tf.range(0, batch_size) * seq_max_len + (seqlen - 1)
    outputs = tf.placeholder(tf.float32, [None, 4, 3])
    seqlen = tf.placeholder(tf.int32, [None])
    batch_size = tf.shape(outputs)[0]
    index = tf.range(0, batch_size) * 4 + (seqlen - 1)
    last = tf.gather(tf.reshape(outputs, [-1, 3]), index)
    assert index.dtype == tf.int32 and index.shape == (None,) and last.shape == (None, 3)
    y = rng.standard_normal((5, 4, 3)).astype(np.float32)
    lengths = np.array([4, 1, 2, 3, 4], np.int32)
    got = tf.Session().run(last, {outputs: y, seqlen: lengths})
    np.testing.assert_array_equal(got, y[np.arange(5), lengths - 1])


@pytest.mark.parametrize("args, want", [
    ((4,), np.arange(4, dtype=np.int32)),                       # one argument: [0, limit)
    ((1, 7, 2), np.array([1, 3, 5], np.int32)),
    ((1.0, 2, 0.25), np.array([1, 1.25, 1.5, 1.75], np.float32)),  # a float: float32
    ((5, 0, -2), np.array([5, 3, 1], np.int32)),
])
def test_range_with_tensor_arguments_matches_tf1_values_and_dtypes(args, want):
    fed = tf.placeholder(tf.int32, [])  # the limit comes from a tensor read when run
    start, limit, delta = (0, args[0], 1) if len(args) == 1 else args
    limit_node = tf.cast(fed, tf.float32) if isinstance(start, float) else fed
    r = tf.range(start, limit_node, delta)
    got = tf.Session().run(r, {fed: limit})
    assert got.dtype == want.dtype and r.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    constant = tf.range(*args)  # all known when built: a constant of TF1's dtype and shape
    assert constant.shape == want.shape and constant.dtype == want.dtype


def test_range_dtype_and_errors():
    n = tf.placeholder(tf.int64, [])
    assert tf.range(n).dtype == tf.int64 and tf.range(n, dtype=tf.float32).dtype == tf.float32
    assert tf.range(tf.constant(3) * 2).shape == (None,)
    with pytest.raises(ValueError, match="range: limit must be a scalar"):
        tf.range(tf.placeholder(tf.int32, [2]))
    with pytest.raises(ValueError, match="range: delta must not be 0"):
        tf.Session().run(tf.range(0, n, 0), {n: 3})


def _rnn_steps(kernel, bias, xs):
    """TF1's BasicRNNCell over xs (time, batch, depth): h = tanh([x, h] W + b), from zeros."""
    h, out = np.zeros((xs.shape[1], bias.shape[0])), []
    for x in xs:
        h = np.tanh(np.concatenate([x, h], 1) @ kernel + bias)
        out.append(h)
    return out, h


def test_static_bidirectional_rnn_joins_forward_and_reversed_backward_outputs():
    T, N, D, U = 4, 3, 2, 5
    xs = [tf.placeholder(tf.float32, [None, D]) for _ in range(T)]
    outputs, s_fw, s_bw = tf.contrib.rnn.static_bidirectional_rnn(
        tf.contrib.rnn.BasicRNNCell(U), tf.contrib.rnn.BasicRNNCell(U), xs, dtype=tf.float32)
    assert tf.nn.static_bidirectional_rnn is tf.contrib.rnn.static_bidirectional_rnn
    assert len(outputs) == T and outputs[0].shape == (None, 2 * U)
    names = sorted(v.name for v in tf.trainable_variables())
    assert names == [f"bidirectional_rnn/{d}/basic_rnn_cell/{w}:0"
                     for d in ("bw", "fw") for w in ("bias", "kernel")]
    values = rng.standard_normal((T, N, D)).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w = {v.name.split("/")[1] + v.name.split("/")[-1][:-2]: v for v in tf.trainable_variables()}
        w = dict(zip(w, sess.run(list(w.values()))))
        got, got_fw, got_bw = sess.run([outputs, s_fw, s_bw], dict(zip(xs, values)))
    want_fw, h_fw = _rnn_steps(w["fwkernel"], w["fwbias"], values)
    want_bw, h_bw = _rnn_steps(w["bwkernel"], w["bwbias"], values[::-1])
    want = [np.concatenate([f, b], 1) for f, b in zip(want_fw, want_bw[::-1])]
    np.testing.assert_allclose(np.array(got), np.array(want), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_fw, h_fw, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_bw, h_bw, rtol=1e-5, atol=1e-6)


def test_static_bidirectional_rnn_reverses_only_each_sequences_first_length_steps():
    T, N, D, U = 4, 3, 2, 5
    lengths = np.array([4, 2, 0], np.int32)
    xs = [tf.placeholder(tf.float32, [None, D]) for _ in range(T)]
    outputs, s_fw, s_bw = tf.nn.static_bidirectional_rnn(
        tf.nn.rnn_cell.BasicRNNCell(U), tf.nn.rnn_cell.BasicRNNCell(U), xs, dtype=tf.float32,
        sequence_length=tf.constant(lengths))
    values = rng.standard_normal((T, N, D)).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w = dict(zip([v.name.split("/")[1] + v.name.split("/")[-1][:-2]
                      for v in tf.trainable_variables()], sess.run(tf.trainable_variables())))
        got, got_fw, got_bw = sess.run([outputs, s_fw, s_bw], dict(zip(xs, values)))
    for n, length in enumerate(lengths):  # TF1: zeros past the length, states of the last step
        seq = values[:length, n:n + 1]
        want = np.zeros((T, 2 * U))
        if length:
            fw, h_fw = _rnn_steps(w["fwkernel"], w["fwbias"], seq)
            bw, h_bw = _rnn_steps(w["bwkernel"], w["bwbias"], seq[::-1])
            want[:length] = np.concatenate([np.concatenate(fw), np.concatenate(bw[::-1])], 1)
        else:
            h_fw = h_bw = np.zeros((1, U))
        np.testing.assert_allclose(np.array(got)[:, n], want, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(got_fw[n], h_fw[0], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(got_bw[n], h_bw[0], rtol=1e-5, atol=1e-6)


def test_static_bidirectional_rnn_refuses_a_tensor_for_the_list():
    with pytest.raises(TypeError, match="static_bidirectional_rnn: inputs must be a non-empty "
                                        "list"):
        tf.nn.static_bidirectional_rnn(tf.nn.rnn_cell.BasicRNNCell(2), tf.nn.rnn_cell.
                                       BasicRNNCell(2), tf.placeholder(tf.float32, [1, 3, 2]),
                                       dtype=tf.float32)


def test_string_constants_run_to_bytes_as_in_tf1():
    # helloworld.py: print(sess.run(tf.constant('Hello, TensorFlow!'))) shows b'Hello, TensorFlow!'
    with tf.Session() as sess:
        hello = sess.run(tf.constant("Hello, TensorFlow!"))
        words = sess.run(tf.constant(["olá", "mundo"]))
    assert isinstance(hello, bytes) and hello == b"Hello, TensorFlow!"
    assert hello.decode() == "Hello, TensorFlow!"
    assert words.tolist() == ["olá".encode(), b"mundo"]


@pytest.mark.parametrize("get, advice", [
    (lambda: tf.enable_eager_execution, "passos' eager API"),  # the *_eager_api.py programs
    (lambda: tf.contrib.eager, "passos' eager API"),
    (lambda: tf.contrib.factorization, "KMeans"),                # kmeans.py
    (lambda: tf.contrib.tensor_forest, "RandomForestClassifier"),  # random_forest.py
    (lambda: tf.contrib.boosted_trees, "GradientBoostingClassifier"),
])
def test_unsupported_tutorial_names_say_what_to_use_instead(get, advice):
    with pytest.raises(AttributeError, match="TensorFlow 1.15 name that passos does not provide"
                                             f".*{advice}"):
        get()


@pytest.mark.parametrize("module, advice", [
    ("passos.compat.v1.contrib.factorization", "KMeans"),  # from tensorflow.contrib.factorization
    ("passos.compat.v1.contrib.eager", "passos' eager API"),  # import tensorflow.contrib.eager as tfe
])
def test_importing_an_unsupported_contrib_module_gives_the_advice(module, advice):
    import importlib
    with pytest.raises(ImportError, match=f"TensorFlow 1.15 name that passos does not provide.*"
                                          f"{advice}"):
        importlib.import_module(module)
    with pytest.raises(ModuleNotFoundError, match="No module named 'passos.compat.v1.contrib.nope'"):
        importlib.import_module("passos.compat.v1.contrib.nope")
