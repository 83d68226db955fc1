"""Keras losses vs the Keras 2 formulas written out in NumPy; the fused softmax/sigmoid path."""
import numpy as np
import pytest

import passos as P
import passos.graph as G
from passos.keras import losses
from passos.keras.utils import to_categorical

EPS = 1e-7
RNG = np.random.default_rng(7)


# -- reference formulas (Keras 2, TensorFlow backend, from_logits=False) ----------------------------
def ref_categorical_crossentropy(y, p):
    p = p / p.sum(-1, keepdims=True)
    p = np.clip(p, EPS, 1 - EPS)
    return -(y * np.log(p)).sum(-1)


def ref_sparse_categorical_crossentropy(labels, p):
    # clip, log, then sparse_softmax_cross_entropy_with_logits (which renormalises)
    logp = np.log(np.clip(p, EPS, 1 - EPS))
    logp = logp - np.log(np.exp(logp).sum(-1, keepdims=True))
    labels = labels.reshape(p.shape[:-1]).astype(int)
    return -np.take_along_axis(logp, labels[..., None], -1)[..., 0]


def ref_binary_crossentropy(y, p):
    p = np.clip(p, EPS, 1 - EPS)
    return (-(y * np.log(p) + (1 - y) * np.log(1 - p))).mean(-1)


def ref_mse(y, p):
    return ((p - y) ** 2).mean(-1)


def ref_mae(y, p):
    return np.abs(p - y).mean(-1)


def np_softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def np_log_softmax(z):
    s = z - z.max(-1, keepdims=True)
    return s - np.log(np.exp(s).sum(-1, keepdims=True))


def np_sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


def stable_sigmoid_ce(y, z):
    return (np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))).mean(-1)


def probabilities(*shape):
    return np_softmax(RNG.normal(size=shape) * 2).astype(np.float32)


def one_hot(labels, classes):
    return np.eye(classes, dtype=np.float32)[labels]


def value(t):
    return np.asarray(t.numpy() if hasattr(t, "numpy") else t, np.float64)


# -- values of the plain (non-fused) path ------------------------------------------------------------
def test_categorical_crossentropy_vs_keras2():
    p = probabilities(6, 5)
    y = one_hot(RNG.integers(0, 5, 6), 5)
    out = losses.categorical_crossentropy(P.tensor(y), P.tensor(p))
    assert out.shape == (6,)
    np.testing.assert_allclose(value(out), ref_categorical_crossentropy(y.astype(np.float64), p),
                               rtol=1e-5)


def test_categorical_crossentropy_normalises_and_clips_like_keras2():
    # unnormalised rows, an exact zero and an exact one: Keras divides by the row sum, then clips
    p = np.array([[0.2, 0.6, 0.2, 1.0], [0.0, 1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0]], np.float32)
    y = np.array([[0, 1, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0]], np.float32)
    out = value(losses.categorical_crossentropy(P.tensor(y), P.tensor(p)))
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out, ref_categorical_crossentropy(y, p.astype(np.float64)),
                               rtol=1e-4, atol=1e-6)  # 1 - 1e-7 rounds in float32
    assert out[1] == pytest.approx(-np.log(EPS), rel=1e-4)   # log(0) clipped to log(1e-7)
    assert out[2] == pytest.approx(0.0, abs=1e-6)             # log(1 - 1e-7) ~ 0


def test_categorical_crossentropy_soft_labels():
    p = probabilities(4, 3)
    y = probabilities(4, 3)
    out = value(losses.categorical_crossentropy(P.tensor(y), P.tensor(p)))
    np.testing.assert_allclose(out, ref_categorical_crossentropy(y, p.astype(np.float64)),
                               rtol=1e-5)


@pytest.mark.parametrize("label_shape", [(8,), (8, 1)])
def test_sparse_categorical_crossentropy_vs_keras2(label_shape):
    p = probabilities(8, 4)
    labels = RNG.integers(0, 4, 8)
    out = losses.sparse_categorical_crossentropy(P.tensor(labels.reshape(label_shape)),
                                                 P.tensor(p))
    assert out.shape == (8,)
    np.testing.assert_allclose(value(out), ref_sparse_categorical_crossentropy(labels, p),
                               rtol=1e-5)
    # and the same number as the categorical loss on one-hot targets
    dense = losses.categorical_crossentropy(P.tensor(one_hot(labels, 4)), P.tensor(p))
    np.testing.assert_allclose(value(out), value(dense), rtol=1e-5)


def test_sparse_categorical_crossentropy_unnormalised_rows():
    # Keras 2 renormalises (log + softmax cross-entropy): same as categorical on one-hot targets
    p = np.array([[0.5, 1.0, 0.5], [0.1, 0.1, 0.2]], np.float32)
    labels = np.array([1, 2])
    out = value(losses.sparse_categorical_crossentropy(P.tensor(labels), P.tensor(p)))
    np.testing.assert_allclose(out, ref_sparse_categorical_crossentropy(labels, p.astype(float)),
                               rtol=1e-5)
    np.testing.assert_allclose(out, [np.log(2.0), np.log(2.0)], rtol=1e-5)


def test_sparse_categorical_crossentropy_clips_zero():
    p = np.array([[1.0, 0.0, 0.0]], np.float32)
    out = value(losses.sparse_categorical_crossentropy(P.tensor(np.array([1])), P.tensor(p)))
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out, ref_sparse_categorical_crossentropy(np.array([1]), p), rtol=1e-4)


def test_sparse_categorical_crossentropy_3d_outputs():
    p = probabilities(2, 3, 4)
    labels = RNG.integers(0, 4, (2, 3))
    out = losses.sparse_categorical_crossentropy(P.tensor(labels), P.tensor(p))
    assert out.shape == (2, 3)
    np.testing.assert_allclose(value(out), ref_sparse_categorical_crossentropy(labels, p),
                               rtol=1e-5)


def test_binary_crossentropy_vs_keras2():
    p = RNG.uniform(0.01, 0.99, (5, 3)).astype(np.float32)
    y = RNG.integers(0, 2, (5, 3)).astype(np.float32)
    out = losses.binary_crossentropy(P.tensor(y), P.tensor(p))
    assert out.shape == (5,)
    np.testing.assert_allclose(value(out), ref_binary_crossentropy(y, p.astype(np.float64)),
                               rtol=1e-5)


def test_binary_crossentropy_clips_zero_and_one():
    p = np.array([[0.0, 1.0], [1.0, 0.0]], np.float32)
    y = np.array([[1.0, 0.0], [1.0, 0.0]], np.float32)
    out = value(losses.binary_crossentropy(P.tensor(y), P.tensor(p)))
    assert np.isfinite(out).all()
    # in float32, as Keras computes: 1 - (1 - 1e-7) is 1.19e-7 there
    np.testing.assert_allclose(out, ref_binary_crossentropy(y, p), rtol=1e-5, atol=1e-6)
    assert out[0] > 15.9 and out[1] < 1e-6


@pytest.mark.parametrize("name,ref", [("mean_squared_error", ref_mse), ("mse", ref_mse),
                                      ("MSE", ref_mse), ("mean_absolute_error", ref_mae),
                                      ("mae", ref_mae), ("MAE", ref_mae)])
def test_regression_losses_and_aliases(name, ref):
    fn = losses.get(name)
    assert fn is getattr(losses, name)
    y = RNG.normal(size=(4, 3)).astype(np.float32)
    p = RNG.normal(size=(4, 3)).astype(np.float32)
    out = fn(P.tensor(y), P.tensor(p))
    assert out.shape == (4,)
    np.testing.assert_allclose(value(out), ref(y.astype(np.float64), p), rtol=1e-5, atol=1e-7)


def test_aliases_are_the_same_functions():
    assert losses.mse is losses.mean_squared_error
    assert losses.mae is losses.mean_absolute_error
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("mae") is losses.mean_absolute_error


def test_losses_reduce_only_the_last_axis():
    y = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    p = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    out = losses.mean_squared_error(P.tensor(y), P.tensor(p))
    assert out.shape == (2, 3)
    np.testing.assert_allclose(value(out), ref_mse(y, p.astype(np.float64)), rtol=1e-5)


def test_get_by_function_and_unknown():
    def custom(y_true, y_pred):
        return y_true
    assert losses.get(custom) is custom
    with pytest.raises(ValueError, match=r"unknown loss 'categorical_crossentropyy'.*"
                                         r"categorical_crossentropy"):
        losses.get("categorical_crossentropyy")


def test_regression_loss_gradients_vs_formula():
    y = RNG.normal(size=(3, 4))
    p = P.tensor(RNG.normal(size=(3, 4)), requires_grad=True)
    losses.mse(P.tensor(y), p).sum().backward()
    np.testing.assert_allclose(p.grad, 2 * (p.numpy() - y) / 4, rtol=1e-10)
    p.grad = None
    losses.mae(P.tensor(y), p).sum().backward()
    np.testing.assert_allclose(p.grad, np.sign(p.numpy() - y) / 4, rtol=1e-10)


def test_plain_crossentropy_gradient_vs_finite_differences():
    y = one_hot(np.array([0, 2, 1]), 3).astype(np.float64)
    p = np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8], [0.6, 0.3, 0.1]])
    assert P.gradcheck(lambda t: losses.categorical_crossentropy(P.tensor(y), t), p)
    assert P.gradcheck(lambda t: losses.binary_crossentropy(P.tensor(y), t), p)


# -- the fused path: y_pred produced by softmax / sigmoid ------------------------------------------
def fused_categorical(y, z, sparse=False):
    zt = P.tensor(z, requires_grad=True)
    y_pred = P.softmax(zt)
    fn = losses.sparse_categorical_crossentropy if sparse else losses.categorical_crossentropy
    out = fn(P.tensor(y), y_pred)
    out.sum().backward()
    return value(out), np.asarray(zt.grad, np.float64)


def test_fused_softmax_categorical_same_values_and_gradient():
    z = RNG.normal(size=(6, 5)).astype(np.float32)
    labels = RNG.integers(0, 5, 6)
    y = one_hot(labels, 5)
    out, grad = fused_categorical(y, z)
    np.testing.assert_allclose(out, ref_categorical_crossentropy(y, np_softmax(z.astype(float))),
                               rtol=1e-5)
    np.testing.assert_allclose(grad, np_softmax(z.astype(float)) - y, rtol=1e-5, atol=1e-6)


def test_fused_softmax_sparse_same_values_and_gradient():
    z = RNG.normal(size=(6, 5)).astype(np.float32)
    labels = RNG.integers(0, 5, 6)
    out, grad = fused_categorical(labels, z, sparse=True)
    np.testing.assert_allclose(out, ref_sparse_categorical_crossentropy(labels,
                                                                        np_softmax(z.astype(float))),
                               rtol=1e-5)
    np.testing.assert_allclose(grad, np_softmax(z.astype(float)) - one_hot(labels, 5), rtol=1e-5,
                               atol=1e-6)


def test_fused_softmax_soft_labels_gradient():
    z = RNG.normal(size=(3, 4))
    y = probabilities(3, 4).astype(np.float64)
    out, grad = fused_categorical(y, z)
    np.testing.assert_allclose(out, -(y * np_log_softmax(z)).sum(-1), rtol=1e-10)
    np.testing.assert_allclose(grad, np_softmax(z) * y.sum(-1, keepdims=True) - y, rtol=1e-8,
                               atol=1e-12)


@pytest.mark.parametrize("sparse", [False, True])
def test_fused_softmax_stable_for_huge_logits(sparse):
    z = np.array([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 0.0], [5e4, 5e4, -5e4]], np.float32)
    labels = np.array([2, 1, 0])
    y = labels if sparse else one_hot(labels, 3)
    with np.errstate(all="ignore"):
        naive = -np.log(np.exp(z.astype(np.float64))[np.arange(3), labels]
                        / np.exp(z.astype(np.float64)).sum(-1))
    assert not np.isfinite(naive).all()  # the naive formula overflows here
    out, grad = fused_categorical(y, z, sparse=sparse)
    assert np.isfinite(out).all() and np.isfinite(grad).all()
    expected = -np_log_softmax(z.astype(np.float64))[np.arange(3), labels]
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    assert out[0] == pytest.approx(2000.0, rel=1e-6)
    assert out[2] == pytest.approx(np.log(2.0), rel=1e-5)
    np.testing.assert_allclose(grad, np_softmax(z.astype(np.float64)) - one_hot(labels, 3),
                               atol=1e-6)


def test_fused_sigmoid_binary_same_values_and_gradient():
    z = RNG.normal(size=(5, 3)) * 3
    z[0] = 0.0  # sigmoid(0) = 0.5: the gradient there is 0.5 - y (no kink in the loss)
    y = RNG.integers(0, 2, (5, 3)).astype(np.float64)
    zt = P.tensor(z, requires_grad=True)
    out = losses.binary_crossentropy(P.tensor(y), P.sigmoid(zt))
    out.sum().backward()
    np.testing.assert_allclose(value(out), ref_binary_crossentropy(y, np_sigmoid(z)), rtol=1e-8)
    np.testing.assert_allclose(zt.grad, (np_sigmoid(z) - y) / 3, rtol=1e-8, atol=1e-12)


def test_fused_sigmoid_binary_stable_for_huge_logits():
    z = np.array([[1000.0, -1000.0], [-800.0, 800.0]], np.float32)
    y = np.array([[0.0, 1.0], [0.0, 1.0]], np.float32)
    zt = P.tensor(z, requires_grad=True)
    with np.errstate(all="ignore"):
        zz = z.astype(np.float64)
        naive = -(y * np.log(1 / (1 + np.exp(-zz))) + (1 - y) * np.log(1 - 1 / (1 + np.exp(-zz))))
    assert not np.isfinite(naive).all()
    out = losses.binary_crossentropy(P.tensor(y), P.sigmoid(zt))
    out.sum().backward()
    assert np.isfinite(value(out)).all() and np.isfinite(zt.grad).all()
    np.testing.assert_allclose(value(out), stable_sigmoid_ce(y, z.astype(np.float64)), rtol=1e-6)
    np.testing.assert_allclose(value(out), [1000.0, 0.0], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(zt.grad, (np_sigmoid(z.astype(np.float64)) - y) / 2, atol=1e-6)


def test_fused_path_gradcheck_float64():
    y = one_hot(np.array([1, 0, 2]), 3).astype(np.float64)
    z = RNG.normal(size=(3, 3))
    assert P.gradcheck(lambda t: losses.categorical_crossentropy(P.tensor(y), P.softmax(t)), z)
    assert P.gradcheck(lambda t: losses.binary_crossentropy(P.tensor(y), P.sigmoid(t)), z)
    labels = np.array([1, 0, 2])
    assert P.gradcheck(lambda t: losses.sparse_categorical_crossentropy(P.tensor(labels),
                                                                        P.softmax(t)), z)


def test_softmax_along_other_axis_is_not_fused():
    # softmax over axis 0 is not what the loss's last axis sees: must not use the fused path
    z = RNG.normal(size=(3, 4))
    y = one_hot(np.array([1, 0, 2]), 4).astype(np.float64)
    out = value(losses.categorical_crossentropy(P.tensor(y),
                                                P.softmax(P.tensor(z, requires_grad=True), axis=0)))
    p = np.exp(z) / np.exp(z).sum(0, keepdims=True)
    np.testing.assert_allclose(out, ref_categorical_crossentropy(y, p), rtol=1e-10)


# -- graph mode -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["categorical_crossentropy", "sparse_categorical_crossentropy",
                                  "binary_crossentropy"])
def test_graph_mode_fused_values_gradients_and_stability(name):
    z = np.array([[1000.0, 0.0, -1000.0], [0.3, -0.2, 0.1], [2.0, 1.0, -1.0]], np.float32)
    labels = np.array([2, 0, 1])
    if name == "binary_crossentropy":
        y = np.array([[0, 1, 1], [1, 0, 1], [0, 0, 1]], np.float32)
    elif name.startswith("sparse"):
        y = labels
    else:
        y = one_hot(labels, 3)
    graph = G.Graph()
    with graph.as_default():
        zs = G.placeholder("float32", (None, 3), name="z")
        ys = G.placeholder("int64" if name.startswith("sparse") else "float32",
                           (None,) if name.startswith("sparse") else (None, 3), name="y")
        y_pred = P.sigmoid(zs) if name == "binary_crossentropy" else P.softmax(zs)
        loss = losses.get(name)(ys, y_pred)
        (gz,) = G.gradients(P.sum(loss), [zs])
    with G.Session(graph) as session:
        out, grad = session.run([loss, gz], {zs: z, ys: y})
    out, grad = np.asarray(out, np.float64), np.asarray(grad, np.float64)
    assert np.isfinite(out).all() and np.isfinite(grad).all()
    zz = z.astype(np.float64)
    if name == "binary_crossentropy":
        np.testing.assert_allclose(out, stable_sigmoid_ce(y, zz), rtol=1e-5)
        np.testing.assert_allclose(grad, (np_sigmoid(zz) - y) / 3, atol=1e-6)
    else:
        np.testing.assert_allclose(out, -np_log_softmax(zz)[np.arange(3), labels], rtol=1e-5)
        np.testing.assert_allclose(grad, np_softmax(zz) - one_hot(labels, 3), atol=1e-6)
    # the eager fused path gives the same numbers
    zt = P.tensor(z, requires_grad=True)
    eager_pred = P.sigmoid(zt) if name == "binary_crossentropy" else P.softmax(zt)
    np.testing.assert_allclose(value(losses.get(name)(P.tensor(y), eager_pred)), out, rtol=1e-6)


@pytest.mark.parametrize("name,ref", [("categorical_crossentropy", ref_categorical_crossentropy),
                                      ("binary_crossentropy", ref_binary_crossentropy),
                                      ("mse", ref_mse), ("mae", ref_mae)])
def test_graph_mode_plain_path_matches_reference(name, ref):
    p = probabilities(4, 3)
    y = one_hot(np.array([0, 1, 2, 1]), 3)
    graph = G.Graph()
    with graph.as_default():
        ps = G.placeholder("float32", (None, 3))
        ys = G.placeholder("float32", (None, 3))
        loss = losses.get(name)(ys, ps)
        assert tuple(loss.shape) == (None,)
    with G.Session(graph) as session:
        out = session.run(loss, {ps: p, ys: y})
    np.testing.assert_allclose(np.asarray(out, np.float64), ref(y, p.astype(np.float64)),
                               rtol=1e-5, atol=1e-7)


def test_to_categorical_feeds_categorical_crossentropy():
    labels = np.array([0, 2, 1, 2])
    y = to_categorical(labels, 3)
    assert y.shape == (4, 3) and y.dtype == np.float32
    np.testing.assert_array_equal(y, np.eye(3)[labels])
    p = probabilities(4, 3)
    np.testing.assert_allclose(value(losses.categorical_crossentropy(P.tensor(y), P.tensor(p))),
                               value(losses.sparse_categorical_crossentropy(P.tensor(labels),
                                                                            P.tensor(p))),
                               rtol=1e-5)
