"""Regularizers and layer losses: penalty values against NumPy, the logged loss and the
gradient of a training step worked by hand, activity penalties, add_loss, configs, errors."""
import numpy as np
import pytest

import passos as P
from passos.keras import layers as L, regularizers as R
from passos.keras.models import Model, Sequential, load_model
from passos.keras.optimizers import SGD

RNG = np.random.default_rng(13)


def plan_kinds(model):
    plan = next(p for p in model._plans.values() if p.kind == "train")
    return {node.primitive.kind for node in plan.nodes}


@pytest.mark.parametrize("regularizer, l1, l2", [
    (R.l1(0.3), 0.3, 0.0), (R.l2(0.2), 0.0, 0.2), (R.l1_l2(0.1, 0.4), 0.1, 0.4),
    (R.L1L2(l2=0.5), 0.0, 0.5), (R.get("l1"), 0.01, 0.0), (R.get("l2"), 0.0, 0.01),
    (R.get("l1_l2"), 0.01, 0.01),
])
def test_penalty_values_against_numpy(regularizer, l1, l2):
    w = RNG.normal(size=(3, 4))
    expected = l1 * np.abs(w).sum() + l2 * np.square(w).sum()
    assert float(regularizer(P.tensor(w)).numpy()) == pytest.approx(expected)
    assert R.L1L2().__call__(P.tensor(w)) == 0.0  # no factor: no penalty, no graph node


def test_get_serialize_deserialize_round_trip():
    reg = R.l1_l2(0.25, 0.5)
    config = R.serialize(reg)
    assert config == {"class_name": "L1L2", "config": {"l1": 0.25, "l2": 0.5}}
    again = R.get(config)
    assert (again.l1, again.l2) == (0.25, 0.5)
    assert R.deserialize("l2").l2 == 0.01 and R.get(None) is None and R.get(reg) is reg
    assert R.serialize(None) is None

    def custom(w):
        return 0.0
    assert R.get(custom) is custom and R.serialize(custom) == "custom"


def test_bad_arguments_give_clear_errors():
    with pytest.raises(ValueError, match=r"L1L2.*l1"):
        R.l1(-0.1)
    with pytest.raises(ValueError, match=r"unknown regularizer 'l3'"):
        R.get("l3")
    with pytest.raises(ValueError, match=r"could not interpret regularizer 3"):
        R.get(3)
    with pytest.raises(ValueError, match=r"Dense 'd' argument kernel_regularizer: unknown"):
        L.Dense(2, kernel_regularizer="l0", name="d")
    with pytest.raises(TypeError, match=r"Dense: unknown keyword argument\(s\) \['recurrent_"):
        L.Dense(2, recurrent_regularizer="l2")
    with pytest.raises(TypeError, match=r"BatchNormalization: unknown .*activity_regularizer"):
        L.BatchNormalization(activity_regularizer="l2")


def tiny_model(**options):
    model = Sequential([L.Dense(1, input_shape=(2,), **options)])
    model.set_weights([np.array([[0.5], [-1.0]]), np.array([0.25])])
    model.compile(SGD(lr=0.1), "mse")
    return model


def test_logged_loss_is_data_loss_plus_penalty_and_sgd_step_includes_its_gradient():
    x = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, 1.0]], "float32")
    y = np.array([[1.0], [0.0], [2.0]], "float32")
    model = tiny_model(kernel_regularizer=R.l2(0.1), bias_regularizer=R.l1(0.2))
    W, b = np.array([[0.5], [-1.0]]), np.array([0.25])
    error = x @ W + b - y
    penalty = 0.1 * np.sum(W ** 2) + 0.2 * np.sum(np.abs(b))
    history = model.fit(x, y, batch_size=3, epochs=1, verbose=0, shuffle=False)
    assert history.history["loss"][0] == pytest.approx(np.mean(error ** 2) + penalty, rel=1e-6)
    grad_W = 2 * x.T @ error / 3 + 0.2 * W
    grad_b = 2 * error.sum(0) / 3 + 0.2 * np.sign(b)
    new_W, new_b = model.get_weights()
    np.testing.assert_allclose(new_W, W - 0.1 * grad_W, rtol=1e-6)
    np.testing.assert_allclose(new_b, b - 0.1 * grad_b, rtol=1e-6)


def test_training_gradient_matches_finite_differences_of_the_evaluated_loss():
    x = RNG.normal(size=(4, 2)).astype("float32")
    y = RNG.normal(size=(4, 1)).astype("float32")
    options = dict(kernel_regularizer=R.l1_l2(0.05, 0.3), activity_regularizer=R.l2(0.1))
    model = tiny_model(**options)
    start = model.get_weights()
    model.train_on_batch(x, y)
    step = (start[0] - model.get_weights()[0]) / 0.1  # SGD: the gradient of the total loss
    probe = tiny_model(**options)
    for i in range(2):
        values = []
        for sign in (1, -1):
            kernel = start[0].copy()
            kernel[i, 0] += sign * 1e-2
            probe.set_weights([kernel, start[1]])
            values.append(probe.evaluate(x, y, verbose=0))
        assert step[i, 0] == pytest.approx((values[0] - values[1]) / 2e-2, rel=1e-3, abs=1e-4)


def test_activity_regularizer_and_evaluate_include_the_penalty():
    x = RNG.normal(size=(5, 2)).astype("float32")
    y = np.zeros((5, 1), "float32")
    model = tiny_model(activity_regularizer=R.l1(0.5))
    out = model.predict(x)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(
        np.mean(out ** 2) + 0.5 * np.abs(out).sum(), rel=1e-6)
    layer = model.layers[0]
    layer(P.tensor(x))  # eagerly: the latest call's penalty
    assert float(layer.losses[0].numpy()) == pytest.approx(0.5 * np.abs(out).sum(), rel=1e-6)


class Penalised(L.Layer):
    """A custom layer that adds 0.5 * mean(x**2) of its input with add_loss."""

    def call(self, x, training=False):
        self.add_loss(0.5 * P.mean(P.square(x)))
        return x


def test_add_loss_in_a_custom_layer_and_per_output_losses_of_a_two_output_model():
    inputs = L.Input((2,))
    hidden = Penalised()(inputs)
    a = L.Dense(1, name="a", kernel_regularizer=R.l2(0.1))(hidden)
    b = L.Dense(1, name="b")(hidden)
    model = Model(inputs, [a, b])
    model.compile("sgd", ["mse", "mse"])
    x = RNG.normal(size=(4, 2)).astype("float32")
    ys = [np.zeros((4, 1), "float32")] * 2
    out_a, out_b = model.predict(x)
    total, loss_a, loss_b = model.evaluate(x, ys, verbose=0)
    assert loss_a == pytest.approx(np.mean(out_a ** 2), rel=1e-6)  # per-output: no penalties
    assert loss_b == pytest.approx(np.mean(out_b ** 2), rel=1e-6)
    penalty = 0.5 * np.mean(x ** 2) + 0.1 * np.sum(model.get_layer("a").get_weights()[0] ** 2)
    assert total == pytest.approx(loss_a + loss_b + penalty, rel=1e-6)
    assert len(model.losses) == 2
    with pytest.raises(ValueError, match=r"add_loss got a KerasTensor"):
        model.get_layer("b").add_loss(a)  # a layer adds losses in its call; a model takes them


def test_rewrite_still_fuses_with_and_without_regularizers():
    for reg in (None, R.l2(0.01)):
        model = Sequential([L.Dense(4, activation="relu", input_shape=(3,), kernel_regularizer=reg),
                            L.Dense(2, activation="softmax")])
        model.compile("sgd", "categorical_crossentropy")
        model.train_on_batch(np.ones((2, 3), "float32"), np.eye(2, dtype="float32"))
        kinds = plan_kinds(model)
        assert {"dense", "softmax_cross_entropy"} <= kinds
        assert ("square" in kinds) == (reg is not None)


LAYERS = [
    lambda: L.Dense(2, kernel_regularizer="l2", bias_regularizer=R.l1(0.3),
                    activity_regularizer=R.l1_l2(0.1, 0.2)),
    lambda: L.Conv2D(2, 3, kernel_regularizer=R.l2(0.2)),
    lambda: L.Conv1D(2, 3, bias_regularizer=R.l1(0.2)),
    lambda: L.Conv2DTranspose(2, 3, kernel_regularizer=R.l2(0.2)),
    lambda: L.SeparableConv2D(2, 3, depthwise_regularizer="l1", pointwise_regularizer="l2"),
    lambda: L.DepthwiseConv2D(3, depthwise_regularizer="l1"),
    lambda: L.Embedding(5, 2, embeddings_regularizer="l2", activity_regularizer="l1"),
    lambda: L.LSTM(2, recurrent_regularizer=R.l2(0.3), kernel_regularizer="l1"),
    lambda: L.GRU(2, bias_regularizer="l2"), lambda: L.SimpleRNN(2, recurrent_regularizer="l1"),
    lambda: L.PReLU(alpha_regularizer=R.l2(0.1)),
    lambda: L.BatchNormalization(beta_regularizer="l1", gamma_regularizer="l2"),
]


@pytest.mark.parametrize("make", LAYERS)
def test_config_round_trip_keeps_the_regularizers(make):
    layer = make()
    config = layer.get_config()
    assert any(v is not None for k, v in config.items() if k.endswith("_regularizer"))
    assert type(layer).from_config(config).get_config() == config


def test_weight_penalties_follow_the_named_weights():
    layer = L.LSTM(2, recurrent_regularizer=R.l2(0.3))
    layer(P.tensor(RNG.normal(size=(1, 3, 2))))
    (penalty,) = layer.losses
    expected = 0.3 * np.sum(layer.recurrent_kernel.numpy() ** 2)
    assert float(penalty.numpy()) == pytest.approx(expected, rel=1e-6)


def test_saved_model_keeps_its_regularizers(tmp_path):
    model = tiny_model(kernel_regularizer=R.l2(0.1), activity_regularizer="l1")
    x, y = np.ones((2, 2), "float32"), np.zeros((2, 1), "float32")
    path = str(tmp_path / "m.h5")
    model.save(path)
    again = load_model(path)
    assert again.layers[0].kernel_regularizer.l2 == 0.1
    assert again.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))


def test_l2_penalty_step_matches_torch_sgd_weight_decay():
    """torch's SGD(weight_decay=wd) adds wd * w to the gradient: Keras' l2(wd / 2)."""
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=(6, 3)).astype("float32")
    y = RNG.normal(size=(6, 2)).astype("float32")
    W, b = RNG.normal(size=(3, 2)).astype("float32"), np.zeros(2, "float32")
    model = Sequential([L.Dense(2, input_shape=(3,), kernel_regularizer=R.l2(0.05))])
    model.set_weights([W, b])
    model.compile(SGD(lr=0.1), "mse")
    model.train_on_batch(x, y)
    linear = torch.nn.Linear(3, 2)
    with torch.no_grad():
        linear.weight.copy_(torch.tensor(W.T))
        linear.bias.zero_()
    sgd = torch.optim.SGD([{"params": [linear.weight], "weight_decay": 0.1},
                           {"params": [linear.bias]}], lr=0.1)
    torch.nn.functional.mse_loss(linear(torch.tensor(x)), torch.tensor(y)).backward()
    sgd.step()
    np.testing.assert_allclose(model.get_weights()[0], linear.weight.detach().numpy().T, rtol=1e-5,
                               atol=1e-6)


def test_wrapped_layers_bring_their_penalties_and_constraints():
    from passos.keras.constraints import non_neg
    inner = L.Dense(2, kernel_regularizer=R.l2(0.5), kernel_constraint=non_neg(),
                    activity_regularizer=R.l1(0.1))
    model = Sequential([L.TimeDistributed(inner, input_shape=(3, 2))])
    model.compile(SGD(lr=1.0), "mse")
    x, y = RNG.normal(size=(4, 3, 2)).astype("float32"), np.zeros((4, 3, 2), "float32")
    out = model.predict(x)
    expected = np.mean(out ** 2) + 0.1 * np.abs(out).sum() + 0.5 * np.sum(inner.kernel.numpy() ** 2)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-5)
    model.train_on_batch(x, -10 * np.abs(y + 1))
    assert np.all(inner.kernel.numpy() >= 0)
    bi = L.Bidirectional(L.SimpleRNN(2, kernel_regularizer=R.l2(0.1)), input_shape=(3, 2))
    assert len(Sequential([bi]).losses) == 2
