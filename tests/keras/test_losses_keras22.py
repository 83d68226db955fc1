"""Keras 2.2.4's other losses, top-k metrics and activations: NumPy formulas, PyTorch, gradients."""
import numpy as np
import pytest

import passos as P
from passos.gradcheck import gradcheck
from passos.keras import activations, losses, metrics
from passos.keras.layers import Dense
from passos.keras.models import Sequential

EPS = 1e-7
RNG = np.random.default_rng(13)


# -- Keras 2.2.4's formulas (keras/losses.py, TensorFlow backend) in NumPy ---------------------------
def ref_mape(y, p):
    return 100 * np.mean(np.abs((y - p) / np.clip(np.abs(y), EPS, None)), -1)


def ref_msle(y, p):
    return np.mean((np.log(np.clip(p, EPS, None) + 1) - np.log(np.clip(y, EPS, None) + 1)) ** 2, -1)


def ref_squared_hinge(y, p):
    return np.mean(np.maximum(1 - y * p, 0) ** 2, -1)


def ref_hinge(y, p):
    return np.mean(np.maximum(1 - y * p, 0), -1)


def ref_categorical_hinge(y, p):
    return np.maximum(0, np.max((1 - y) * p, -1) - np.sum(y * p, -1) + 1)


def ref_logcosh(y, p):
    return np.mean(np.log(np.cosh(p - y)), -1)


def ref_kld(y, p):
    y, p = np.clip(y, EPS, 1), np.clip(p, EPS, 1)
    return np.sum(y * np.log(y / p), -1)


def ref_poisson(y, p):
    return np.mean(p - y * np.log(p + EPS), -1)


def ref_cosine(y, p):
    def unit(v):
        return v / np.sqrt(np.maximum(np.sum(v * v, -1, keepdims=True), 1e-12))
    return -np.sum(unit(y) * unit(p), -1)


def signs(rng):
    return rng.choice([-1.0, 1.0], size=(5, 4))


def away_from_margin(rng):
    """Predictions with |1 - y p| > 0.1 for y = ±1: off the hinge's kink."""
    return rng.uniform(0.2, 0.8, size=(5, 4)) * rng.choice([-1.0, 1.0], size=(5, 4)) \
        + rng.choice([-1.0, 1.0], size=(5, 4)) * rng.choice([0.0, 1.0], size=(5, 4))


def distributions(rng):
    p = rng.uniform(0.1, 1.0, size=(5, 4))
    return p / p.sum(-1, keepdims=True)


def one_hot(rng):
    return np.eye(4)[rng.integers(0, 4, 5)]


def distinct_scores(rng):
    return rng.permutation(20).reshape(5, 4) * 0.3 + rng.uniform(-0.05, 0.05, (5, 4))


# name, loss, reference, y_true maker, y_pred maker, PyTorch's version (None where it has none)
CASES = [
    ("mape", losses.mean_absolute_percentage_error, ref_mape,
     lambda r: r.uniform(0.5, 2, (5, 4)) * signs(r), lambda r: r.uniform(-3, 3, (5, 4)), None),
    ("msle", losses.mean_squared_logarithmic_error, ref_msle,
     lambda r: r.uniform(0.1, 3, (5, 4)), lambda r: r.uniform(0.1, 3, (5, 4)), None),
    ("squared_hinge", losses.squared_hinge, ref_squared_hinge, signs, away_from_margin, None),
    ("hinge", losses.hinge, ref_hinge, signs, away_from_margin, None),
    ("categorical_hinge", losses.categorical_hinge, ref_categorical_hinge, one_hot,
     distinct_scores, None),
    ("logcosh", losses.logcosh, ref_logcosh, lambda r: r.normal(size=(5, 4)),
     lambda r: r.normal(size=(5, 4)) * 3, None),
    ("kld", losses.kullback_leibler_divergence, ref_kld, distributions, distributions,
     lambda y, p, t, F: F.kl_div(p.log(), y, reduction="none").sum(-1)),
    ("poisson", losses.poisson, ref_poisson, lambda r: r.uniform(0, 4, (5, 4)),
     lambda r: r.uniform(0.2, 3, (5, 4)),
     lambda y, p, t, F: F.poisson_nll_loss(p, y, log_input=False, eps=EPS, reduction="none").mean(-1)),
    ("cosine_proximity", losses.cosine_proximity, ref_cosine, lambda r: r.normal(size=(5, 4)),
     lambda r: r.normal(size=(5, 4)), lambda y, p, t, F: -F.cosine_similarity(y, p, dim=-1)),
]


@pytest.mark.parametrize("name,loss,ref,make_y,make_p,torch_fn", CASES, ids=[c[0] for c in CASES])
def test_loss_matches_keras_formula_and_gradients(name, loss, ref, make_y, make_p, torch_fn):
    rng = np.random.default_rng(len(name))
    y, p = make_y(rng), make_p(rng)
    out = loss(P.tensor(y), P.tensor(p))
    assert out.shape == (5,)
    np.testing.assert_allclose(out.data, ref(y, p), rtol=1e-10, atol=1e-12)
    assert gradcheck(loss, y, p)
    f32 = loss(P.tensor(y.astype(np.float32)), P.tensor(p.astype(np.float32)))
    np.testing.assert_allclose(f32.data, ref(y, p), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name,loss,torch_fn,make_y,make_p",
                         [(c[0], c[1], c[5], c[3], c[4]) for c in CASES if c[5] is not None],
                         ids=[c[0] for c in CASES if c[5] is not None])
def test_loss_matches_pytorch(name, loss, torch_fn, make_y, make_p):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F
    rng = np.random.default_rng(7)
    y, p = make_y(rng), make_p(rng)
    tp = torch.tensor(p, requires_grad=True)
    expected = torch_fn(torch.tensor(y), tp, torch, F)
    expected.sum().backward()
    pp = P.tensor(p, requires_grad=True)
    out = loss(P.tensor(y), pp)
    out.sum().backward()
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(pp.grad, tp.grad.numpy(), rtol=1e-7, atol=1e-10)


def test_clipping_keeps_zero_targets_and_predictions_finite():
    y, p = np.array([[0.0, 1.0, 0.0]]), np.array([[0.0, 1.0, 0.0]])
    for loss in (losses.mape, losses.msle, losses.kld, losses.poisson):
        assert np.isfinite(loss(P.tensor(y), P.tensor(p)).data).all(), loss.__name__
    assert losses.kld(P.tensor(y), P.tensor(p)).data[0] == pytest.approx(0.0, abs=1e-12)
    assert losses.logcosh(P.tensor([[0.0]]), P.tensor([[500.0]])).data[0] == \
        pytest.approx(500 - np.log(2))  # no overflow in cosh


def test_aliases_are_keras_2_2_4s():
    assert losses.mape is losses.MAPE is losses.mean_absolute_percentage_error
    assert losses.msle is losses.MSLE is losses.mean_squared_logarithmic_error
    assert losses.kld is losses.KLD is losses.kullback_leibler_divergence
    assert losses.cosine is losses.cosine_proximity
    for name in ("hinge", "squared_hinge", "categorical_hinge", "logcosh", "kld", "KLD", "poisson",
                 "cosine_proximity", "cosine", "mape", "MAPE", "msle", "MSLE"):
        assert losses.get(name) is metrics.get(name)[1]
        assert getattr(metrics, name.lower(), None) in (None, losses.get(name))


@pytest.mark.parametrize("loss", ["hinge", "squared_hinge", "logcosh", "kld", "poisson", "mape",
                                  "msle", "cosine_proximity", "categorical_hinge"])
def test_each_loss_trains_a_model_and_serves_as_a_metric(loss):
    x = RNG.normal(size=(32, 3)).astype(np.float32)
    y = np.abs(x[:, :2]) / np.abs(x[:, :2]).sum(1, keepdims=True)
    model = Sequential([Dense(2, activation="softmax", input_shape=(3,))])
    model.compile("sgd", loss, metrics=[loss, "mae"])
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert model.metrics_names == ["loss", loss, "mae"]
    np.testing.assert_allclose(history.history[loss], history.history["loss"], rtol=1e-5)
    assert np.isfinite(history.history["loss"]).all()


# -- top-k accuracy ---------------------------------------------------------------------------
def ref_in_top_k(scores, labels, k):
    return (np.sum(scores > scores[np.arange(len(labels)), labels][:, None], -1) < k) * 1.0


def test_top_k_accuracies_vs_numpy_with_ties():
    scores = RNG.normal(size=(40, 8)).astype(np.float32)
    scores[0] = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.1, 0.9]  # a tie across the top-5 border
    labels = RNG.integers(0, 8, 40)
    labels[0] = 2
    for k in (1, 3, 5):
        expected = ref_in_top_k(scores, labels, k)
        dense = metrics.top_k_categorical_accuracy(P.tensor(np.eye(8)[labels]), P.tensor(scores), k)
        sparse = metrics.sparse_top_k_categorical_accuracy(P.tensor(labels.reshape(-1, 1)),
                                                           P.tensor(scores), k)
        np.testing.assert_array_equal(dense.data, expected)
        np.testing.assert_array_equal(sparse.data, expected)
    assert expected[0] == 1.0  # TensorFlow's in_top_k counts tied scores as in
    default = metrics.top_k_categorical_accuracy(P.tensor(np.eye(8)[labels]), P.tensor(scores))
    np.testing.assert_array_equal(default.data, ref_in_top_k(scores, labels, 5))


def test_top_k_metrics_in_compile():
    x = RNG.normal(size=(30, 4)).astype(np.float32)
    labels = RNG.integers(0, 6, 30)
    model = Sequential([Dense(6, activation="softmax", input_shape=(4,))])
    model.compile("sgd", "sparse_categorical_crossentropy",
                  metrics=["sparse_top_k_categorical_accuracy", "acc"])
    loss, top5, acc = model.evaluate(x, labels, verbose=0)
    scores = model.predict(x)
    assert top5 == pytest.approx(ref_in_top_k(scores, labels, 5).mean())
    assert acc == pytest.approx((scores.argmax(-1) == labels).mean())


# -- activations ------------------------------------------------------------------------------
def test_activations_by_name_vs_numpy():
    x = np.array([-800.0, -3.0, -0.5, 0.0, 0.5, 3.0, 800.0])
    alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    expected = {
        "selu": scale * np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))),
        "softplus": np.logaddexp(0, x),
        "softsign": x / (1 + np.abs(x)),
    }
    for name, want in expected.items():
        np.testing.assert_allclose(activations.get(name)(P.tensor(x)).data, want, rtol=1e-12)
    small = x[1:-1]
    np.testing.assert_allclose(activations.get("exponential")(P.tensor(small)).data, np.exp(small))
    t = P.tensor([0.0], requires_grad=True)
    P.softplus(t).sum().backward()
    assert t.grad[0] == 0.5
