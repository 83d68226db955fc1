"""passos.compat.v1 ops against NumPy, PyTorch (where installed) and TF1's loss formulas; tf.nn.top_k,
in_top_k and l2_normalize, tf.tensordot and tf.arg_max with TF1's rules."""
import numpy as np
import pytest

import passos.compat.v1 as tf
from passos.gradcheck import numeric_gradient

from tf1_graphs import fresh_graph, run  # noqa: F401 - fresh_graph: an autouse fixture

try:
    import torch
except ImportError:  # the parity checks below are skipped
    torch = None

rng = np.random.default_rng(0)


def test_math_functions_match_numpy():
    a = rng.normal(size=(3, 4)).astype(np.float32)
    b = rng.uniform(0.5, 2, size=(3, 4)).astype(np.float32)
    x, y = tf.constant(a), tf.constant(b)
    cases = {
        "add": (tf.add(x, y), a + b), "subtract": (tf.subtract(x, y), a - b),
        "multiply": (tf.multiply(x, y), a * b), "divide": (tf.divide(x, y), a / b),
        "square": (tf.square(x), a ** 2), "sqrt": (tf.sqrt(y), np.sqrt(b)),
        "exp": (tf.exp(x), np.exp(a)), "log": (tf.log(y), np.log(b)), "abs": (tf.abs(x), np.abs(a)),
        "pow": (tf.pow(y, 1.5), b ** 1.5), "negative": (tf.negative(x), -a),
        "maximum": (tf.maximum(x, 0.1), np.maximum(a, 0.1)), "minimum": (tf.minimum(x, y), np.minimum(a, b)),
        "sigmoid": (tf.sigmoid(x), 1 / (1 + np.exp(-a))), "tanh": (tf.tanh(x), np.tanh(a)),
        "matmul": (tf.matmul(x, y, transpose_b=True), a @ b.T),
        "matmul_ta": (tf.matmul(x, y, transpose_a=True), a.T @ b),
        "reduce_sum": (tf.reduce_sum(x, axis=1), a.sum(1)),
        "reduce_mean": (tf.reduce_mean(x, axis=[0, 1]), a.mean()),
        "reduce_max": (tf.reduce_max(x, 0, keepdims=True), a.max(0, keepdims=True)),
        "reduce_min": (tf.reduce_min(x, reduction_indices=1, keep_dims=True), a.min(1, keepdims=True)),
        "argmax": (tf.argmax(x, 1), a.argmax(1)), "argmax_default": (tf.argmax(x), a.argmax(0)),
        "argmin": (tf.argmin(x, axis=1), a.argmin(1)),
        "equal": (tf.equal(tf.argmax(x, 1), tf.argmax(y, 1)), a.argmax(1) == b.argmax(1)),
        "cast": (tf.cast(x > 0, tf.float32), (a > 0).astype(np.float32)),
        "reshape": (tf.reshape(x, [-1, 2]), a.reshape(-1, 2)),
        "transpose": (tf.transpose(x), a.T), "concat": (tf.concat([x, y], 1), np.concatenate([a, b], 1)),
        "stack": (tf.stack([x, y], axis=1), np.stack([a, b], 1)),
        "where": (tf.where(x > 0, x, y), np.where(a > 0, a, b)),
        "where_rows": (tf.where(tf.constant([True, False, True]), x, y), np.where([[1], [0], [1]], a, b)),
        "clip": (tf.clip_by_value(x, -0.5, 0.5), np.clip(a, -0.5, 0.5)),
        "logsumexp": (tf.reduce_logsumexp(x, 1), np.log(np.exp(a).sum(1))),
        "squared_difference": (tf.squared_difference(x, y), (a - b) ** 2),
        "add_n": (tf.add_n([x, y, x]), 2 * a + b),
        "one_hot": (tf.one_hot([0, 2, -1], 3), np.array([[1, 0, 0], [0, 0, 1], [0, 0, 0]], np.float32)),
        "gather": (tf.gather(x, [2, 0]), a[[2, 0]]), "tile": (tf.tile(x, [2, 1]), np.tile(a, (2, 1))),
        "expand_dims": (tf.expand_dims(x, 1), a[:, None]), "squeeze": (tf.squeeze(x[:1]), a[0]),
        "slice": (tf.slice(x, [1, 0], [2, -1]), a[1:3]), "pad": (tf.pad(x, [[1, 0], [0, 2]]), np.pad(a, [(1, 0), (0, 2)])),
        "shape": (tf.shape(x), np.array([3, 4], np.int32)), "floor": (tf.floor(x), np.floor(a)),
        "count_nonzero": (tf.count_nonzero(x > 0), np.count_nonzero(a > 0)),
        "operators": (-(x @ tf.transpose(y)) ** 2 / 2 - 1, -((a @ b.T) ** 2) / 2 - 1),
    }
    names = list(cases)
    values = run([cases[n][0] for n in names])
    for name, value in zip(names, values):
        np.testing.assert_allclose(value, cases[name][1], rtol=1e-5, atol=1e-6, err_msg=name)
    assert values[names.index("argmax")].dtype == np.int64


def test_split_unstack_and_logical_ops():
    a = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    x = tf.constant(a)
    parts = tf.split(x, 2, axis=1)
    rows = tf.unstack(x)
    got = run(parts + rows + [tf.logical_and(x > 2, x < 6), ~(x > 2), tf.reduce_any(x > 10, 1)])
    np.testing.assert_array_equal(got[0], a[:, :2])
    np.testing.assert_array_equal(got[3], a[1])
    np.testing.assert_array_equal(got[5], (a > 2) & (a < 6))
    np.testing.assert_array_equal(got[6], ~(a > 2))
    np.testing.assert_array_equal(got[7], [False, False, True])


def test_gradients_of_composites():
    a = rng.normal(size=(4, 3)).astype(np.float64)
    x = tf.Variable(a)
    loss = tf.reduce_sum(tf.square(tf.gather(x, [0, 0, 2]))) + tf.reduce_sum(tf.tile(x, [1, 2]))
    (g,) = tf.gradients(loss, [x])
    expected = np.full_like(a, 2.0)
    expected[0] += 2 * 2 * a[0]
    expected[2] += 2 * a[2]
    np.testing.assert_allclose(run(g), expected)
    y = tf.stop_gradient(x) * x
    np.testing.assert_allclose(run(tf.gradients(tf.reduce_sum(y), x)[0]), a)
    assert tf.gradients(tf.reduce_sum(tf.floor(x)), [x]) == [None]


def softmax(z, axis=-1):
    e = np.exp(z - z.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def test_nn_ops_match_numpy():
    z = rng.normal(size=(5, 4)).astype(np.float32)
    onehot = np.eye(4, dtype=np.float32)[[0, 3, 1, 1, 2]]
    labels = onehot.argmax(1)
    binary = (rng.random((5, 4)) > 0.5).astype(np.float32)
    logits = tf.constant(z)
    cases = {
        "relu": (tf.nn.relu(logits), np.maximum(z, 0)),
        "elu": (tf.nn.elu(logits), np.where(z > 0, z, np.exp(z) - 1)),
        "sigmoid": (tf.nn.sigmoid(logits), 1 / (1 + np.exp(-z))),
        "softmax": (tf.nn.softmax(logits), softmax(z)),
        "softmax0": (tf.nn.softmax(logits, axis=0), softmax(z, 0)),
        "log_softmax": (tf.nn.log_softmax(logits), np.log(softmax(z))),
        "ce_v2": (tf.nn.softmax_cross_entropy_with_logits_v2(labels=onehot, logits=logits),
                  -(onehot * np.log(softmax(z))).sum(1)),
        "ce": (tf.nn.softmax_cross_entropy_with_logits(labels=onehot, logits=logits),
               -(onehot * np.log(softmax(z))).sum(1)),
        "sparse": (tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits),
                   -np.log(softmax(z))[np.arange(5), labels]),
        "sigmoid_ce": (tf.nn.sigmoid_cross_entropy_with_logits(labels=binary, logits=logits),
                       -(binary * np.log(1 / (1 + np.exp(-z))) + (1 - binary) * np.log(1 - 1 / (1 + np.exp(-z))))),
        "bias_add": (tf.nn.bias_add(logits, [1.0, 2.0, 3.0, 4.0]), z + [1, 2, 3, 4]),
        "l2_loss": (tf.nn.l2_loss(logits), (z ** 2).sum() / 2),
        "leaky": (tf.nn.leaky_relu(logits), np.where(z > 0, z, 0.2 * z)),
        "softplus": (tf.nn.softplus(logits), np.log1p(np.exp(z))),
    }
    names = list(cases)
    for name, value in zip(names, run([cases[n][0] for n in names])):
        np.testing.assert_allclose(value, cases[name][1], rtol=1e-5, atol=1e-6, err_msg=name)
    with pytest.raises(ValueError, match="Only call `softmax_cross_entropy_with_logits` with named"):
        tf.nn.softmax_cross_entropy_with_logits(onehot, logits)


def test_v1_cross_entropy_stops_the_gradient_into_labels():
    z = tf.Variable(np.zeros((2, 3), np.float32))
    y = tf.Variable(np.full((2, 3), 1 / 3, np.float32))
    v1 = tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z))
    v2 = tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=z))
    assert tf.gradients(v1, [y]) == [None]
    np.testing.assert_allclose(run(tf.gradients(v2, [y])[0]), np.full((2, 3), np.log(3)), rtol=1e-6)


def test_dropout_keep_prob_is_fed():
    x = tf.ones([200, 50])
    keep_prob = tf.placeholder(tf.float32)
    y = tf.nn.dropout(x, keep_prob)
    with tf.Session() as s:
        np.testing.assert_array_equal(s.run(y, {keep_prob: 1.0}), np.ones((200, 50)))
        dropped = s.run(y, {keep_prob: 0.5})
    assert set(np.unique(dropped)) == {0.0, 2.0} and abs((dropped == 0).mean() - 0.5) < 0.03
    assert abs((run(tf.nn.dropout(x, rate=0.25)) == 0).mean() - 0.25) < 0.03
    with pytest.raises(ValueError, match="exactly one of keep_prob and rate"):
        tf.nn.dropout(x)


@pytest.mark.skipif(torch is None, reason="PyTorch not installed")
@pytest.mark.parametrize("padding,stride", [("SAME", 1), ("VALID", 1), ("SAME", 2), ("VALID", 2)])
def test_conv2d_and_pooling_match_torch(padding, stride):
    import torch.nn.functional as F
    x = rng.normal(size=(2, 7, 7, 3))
    k = rng.normal(size=(3, 3, 3, 4))
    xi, ki = tf.constant(x), tf.Variable(k)
    conv = tf.nn.conv2d(xi, ki, strides=[1, stride, stride, 1], padding=padding)
    pooled = tf.nn.max_pool(conv, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID")
    averaged = tf.nn.avg_pool(conv, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    loss = tf.reduce_sum(pooled * pooled)
    values = run([conv, pooled, averaged, tf.gradients(loss, [ki])[0]])
    xt = torch.tensor(x).permute(0, 3, 1, 2)
    kt = torch.tensor(k).permute(3, 2, 0, 1).requires_grad_()
    if padding == "SAME":  # TF's SAME: the odd extra padding cell goes at the end
        total = max((int(np.ceil(7 / stride)) - 1) * stride + 3 - 7, 0)
        xt = F.pad(xt, (total // 2, total - total // 2, total // 2, total - total // 2))
    ct = F.conv2d(xt, kt, stride=stride)
    pt = F.max_pool2d(ct, 2)
    (pt * pt).sum().backward()
    np.testing.assert_allclose(values[0], ct.permute(0, 2, 3, 1).detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(values[1], pt.permute(0, 2, 3, 1).detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(values[2], F.avg_pool2d(ct, 2).permute(0, 2, 3, 1).detach().numpy(),
                               rtol=1e-10)
    np.testing.assert_allclose(values[3], kt.grad.permute(2, 3, 1, 0).numpy(), rtol=1e-8)


def test_conv_argument_errors():
    x = tf.placeholder(tf.float32, [None, 8, 8, 1])
    k = tf.zeros([3, 3, 1, 2])
    with pytest.raises(ValueError, match="batch and depth dimensions"):
        tf.nn.conv2d(x, k, strides=[2, 1, 1, 1], padding="SAME")
    with pytest.raises(ValueError, match="data_format must be 'NHWC' or 'NCHW'"):
        tf.nn.conv2d(x, k, strides=[1, 1, 1, 1], padding="SAME", data_format="NWHC")
    assert tf.nn.conv2d(x, k, [1, 2, 2, 1], "SAME").shape == (None, 4, 4, 2)
    assert tf.nn.max_pool(x, [1, 3, 3, 1], [1, 2, 2, 1], "VALID").shape == (None, 3, 3, 1)


# -- losses against TF1's formulas (default reduction: SUM_BY_NONZERO_WEIGHTS) ----------------------
def test_losses_match_formulas():
    y = rng.normal(size=(6, 1)).astype(np.float32)
    p = rng.normal(size=(6, 1)).astype(np.float32) * 2
    prob = rng.uniform(0.05, 0.95, (6, 1)).astype(np.float32)
    y01 = (rng.random((6, 1)) > 0.5).astype(np.float32)
    w = np.array([[1.0], [0.0], [2.0], [1.0], [0.0], [3.0]], np.float32)
    z = rng.normal(size=(6, 4)).astype(np.float32)
    onehot = np.eye(4, dtype=np.float32)[[0, 1, 2, 3, 0, 1]]
    e = np.abs(p - y)
    huber = np.where(e <= 1.0, 0.5 * e ** 2, e - 0.5)
    huber2 = np.where(e <= 2.0, 0.5 * e ** 2, 2 * (e - 1.0))
    ce = -(onehot * np.log(softmax(z))).sum(1)
    cases = {
        "mse": (tf.losses.mean_squared_error(y, p), ((p - y) ** 2).mean()),
        "mse_weighted": (tf.losses.mean_squared_error(y, p, weights=w),
                         ((p - y) ** 2 * w).sum() / np.count_nonzero(w)),
        "mse_scalar_weight": (tf.losses.mean_squared_error(y, p, weights=2.0), 2 * ((p - y) ** 2).mean()),
        "mse_sum": (tf.losses.mean_squared_error(y, p, reduction=tf.losses.Reduction.SUM),
                    ((p - y) ** 2).sum()),
        "mse_mean": (tf.losses.mean_squared_error(y, p, weights=w, reduction=tf.losses.Reduction.MEAN),
                     ((p - y) ** 2 * w).sum() / w.sum()),
        "mse_none": (tf.losses.mean_squared_error(y, p, reduction=tf.losses.Reduction.NONE), (p - y) ** 2),
        "absolute": (tf.losses.absolute_difference(y, p), e.mean()),
        "huber": (tf.losses.huber_loss(y, p), huber.mean()),
        "huber_delta": (tf.losses.huber_loss(y, p, delta=2.0), huber2.mean()),
        "log_loss": (tf.losses.log_loss(y01, prob),
                     (-y01 * np.log(prob + 1e-7) - (1 - y01) * np.log(1 - prob + 1e-7)).mean()),
        "softmax_ce": (tf.losses.softmax_cross_entropy(onehot, z), ce.mean()),
        "softmax_ce_weighted": (tf.losses.softmax_cross_entropy(onehot, z, weights=w[:, 0]),
                                (ce * w[:, 0]).sum() / 4),
        "sparse_ce": (tf.losses.sparse_softmax_cross_entropy(onehot.argmax(1), z), ce.mean()),
        "smoothed": (tf.losses.softmax_cross_entropy(onehot, z, label_smoothing=0.2),
                     -((onehot * 0.8 + 0.05) * np.log(softmax(z))).sum(1).mean()),
        "sigmoid_ce": (tf.losses.sigmoid_cross_entropy(y01, p),
                       (np.maximum(p, 0) - p * y01 + np.log1p(np.exp(-np.abs(p)))).mean()),
        "zero_weights": (tf.losses.mean_squared_error(y, p, weights=np.zeros((6, 1), np.float32)), 0.0),
    }
    names = list(cases)
    values = run([cases[n][0] for n in names])
    for name, value in zip(names, values):
        np.testing.assert_allclose(value, cases[name][1], rtol=1e-5, atol=1e-7, err_msg=name)
        assert np.asarray(value).dtype == np.float32, name
    assert len(tf.losses.get_losses()) == len(names)


def test_losses_refuse_mismatched_shapes():
    labels = tf.placeholder(tf.float32, [None])
    predictions = tf.placeholder(tf.float32, [None, 1])
    with pytest.raises(ValueError, match=r"mean_squared_error: labels of shape \(\?,\) and "
                                         r"predictions of shape \(\?, 1\) are incompatible"):
        tf.losses.mean_squared_error(labels, predictions)


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
    np.testing.assert_allclose(grad, numeric_gradient(lambda: run(loss, {x: data}), data),
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
    for value, grad in ((a, ga), (b, gb)):
        np.testing.assert_allclose(grad, numeric_gradient(lambda: run(loss, {x: a, y: b}), value),
                                   rtol=1e-6)
    with pytest.raises(ValueError, match=r"tensordot: axis 2 of a \(2, 3, 4\) has size 4 but "
                                         r"axis 1 of b \(4, 3, 5\) has 3"):
        tf.tensordot(x, y, [[2], [1]])
    with pytest.raises(ValueError, match=r"tensordot: axes pairs \[1\] of a with \[0, 1\] of b"):
        tf.tensordot(x, y, [[1], [0, 1]])
    batch = tf.placeholder(tf.float64, [None, 3, 4])  # a batch of unknown size, as in attention
    out = tf.tensordot(batch, y, [[2], [0]])
    assert out.shape == (None, 3, 3, 5)
    np.testing.assert_allclose(run(out, {batch: a, y: b}), np.tensordot(a, b, [[2], [0]]),
                               rtol=1e-12)
    with pytest.raises(ValueError, match=r"tensordot: at most one free axis may have an unknown"):
        tf.tensordot(batch, tf.placeholder(tf.float64, [4, None]), 1)


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
