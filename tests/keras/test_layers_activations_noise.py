"""Advanced activation layers (values against PyTorch, gradients through the layer, PReLU's
weights) and noise layers (identity at inference, the statistics of their noise in training,
seeds, gradients, configs), each in a compiled model too.
"""
import numpy as np
import pytest

import passos as P
from passos.keras import layers as L
from passos.keras.models import Sequential

RNG = np.random.default_rng(5)
X = RNG.uniform(0.1, 3.0, size=(3, 4, 5)) * RNG.choice([-1.0, 1.0], size=(3, 4, 5))  # no kinks


def _torch_activation(name):
    torch = pytest.importorskip("torch", reason="PyTorch parity needs torch")
    F = torch.nn.functional
    return {
        "leaky": (L.LeakyReLU(alpha=0.2), lambda t: F.leaky_relu(t, 0.2)),
        "elu": (L.ELU(alpha=0.7), lambda t: F.elu(t, 0.7)),
        "thresholded": (L.ThresholdedReLU(theta=0.5), lambda t: F.threshold(t, 0.5, 0.0)),
        "softmax": (L.Softmax(axis=1), lambda t: torch.softmax(t, 1)),
        "relu6": (L.ReLU(max_value=2.0), lambda t: F.hardtanh(t, 0.0, 2.0)),
        "relu-slope-threshold": (L.ReLU(negative_slope=0.1, threshold=0.5),
                                 lambda t: torch.where(t > 0.5, t, 0.1 * (t - 0.5))),
    }[name], torch


@pytest.mark.parametrize("name", ["leaky", "elu", "thresholded", "softmax", "relu6",
                                  "relu-slope-threshold"])
def test_activation_layers_match_torch_values_and_gradients(name):
    (layer, reference), torch = _torch_activation(name)
    t = torch.tensor(X, requires_grad=True)
    x = P.tensor(X, requires_grad=True)
    weights = RNG.normal(size=X.shape)
    (layer(x) * P.tensor(weights)).sum().backward()
    (reference(t) * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(layer(P.tensor(X)).numpy(), reference(t).detach().numpy(),
                               rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12, atol=1e-14)
    assert P.gradcheck(lambda v: layer(v), X)
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config


def test_prelu_alpha_weights_shared_axes_and_gradients(weight_gradients_match):
    layer = L.PReLU(alpha_initializer="random_normal", shared_axes=[1], dtype="float64")
    y = layer(P.tensor(X)).numpy()
    assert [w.shape for w in layer.weights] == [(1, 5)]
    alpha = layer.get_weights()[0]
    np.testing.assert_allclose(y, np.where(X > 0, X, alpha * X), rtol=1e-14)
    weight_gradients_match(layer, X, RNG.normal(size=X.shape))
    assert P.gradcheck(lambda v: layer(v), X)
    torch = pytest.importorskip("torch", reason="PyTorch parity needs torch")
    one = L.PReLU(dtype="float64")
    one(P.tensor(X))
    one.set_weights([np.full((4, 5), 0.25)])  # torch's default slope, one per value here
    slope = torch.tensor([0.25], dtype=torch.float64)
    np.testing.assert_allclose(one(P.tensor(X)).numpy(),
                               torch.nn.functional.prelu(torch.tensor(X), slope).numpy())
    config = layer.get_config()
    assert config["shared_axes"] == [1] and L.PReLU.from_config(config).get_config() == config
    with pytest.raises(ValueError, match=r"PReLU 'p' shared_axes \[3\] name axis 3, but inputs "
                                         r"of shape \(\?, 4\) have axes 1 to 1"):
        L.PReLU(shared_axes=3, name="p")(P.tensor(np.ones((2, 4))))


def test_activations_in_a_compiled_model():
    model = Sequential([L.Dense(4, input_shape=(3,)), L.LeakyReLU(), L.PReLU(), L.ELU(),
                        L.ReLU(max_value=6.0), L.Dense(2), L.Softmax()])
    model.compile("sgd", "categorical_crossentropy")
    x = RNG.normal(size=(8, 3)).astype(np.float32)
    model.fit(x, np.eye(2)[np.arange(8) % 2], epochs=1, verbose=0)
    np.testing.assert_allclose(model.predict(x).sum(axis=1), 1, rtol=1e-6)


# -- noise ------------------------------------------------------------------------------------------
NOISE = [L.GaussianNoise(0.5), L.GaussianDropout(0.3), L.AlphaDropout(0.2),
         L.SpatialDropout1D(0.5), L.SpatialDropout2D(0.5, data_format="channels_first"),
         L.SpatialDropout3D(0.5)]


@pytest.mark.parametrize("layer", NOISE, ids=lambda layer: type(layer).__name__)
def test_noise_layers_are_the_identity_at_inference_and_round_trip(layer):
    x = RNG.normal(size=(2,) + (3,) * (layer.rank + 1 if hasattr(layer, "rank") else 2))
    x = x.astype(np.float32)
    np.testing.assert_array_equal(layer(P.tensor(x)).numpy(), x)
    assert not np.array_equal(layer(P.tensor(x), training=True).numpy(), x)
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config


def test_noise_statistics_in_training():
    ones = np.ones((200, 500), np.float32)
    noisy = L.GaussianNoise(0.5)(P.tensor(ones), training=True).numpy()
    assert abs(noisy.mean() - 1) < 0.01 and abs(noisy.std() - 0.5) < 0.01
    scaled = L.GaussianDropout(0.2)(P.tensor(ones), training=True).numpy()
    assert abs(scaled.mean() - 1) < 0.01 and abs(scaled.std() - 0.5) < 0.01  # sqrt(.2/.8)
    # AlphaDropout keeps a standard normal input's mean 0 and variance 1
    x = np.random.default_rng(0).normal(size=(200, 500))
    dropped = L.AlphaDropout(0.3, dtype="float64")(P.tensor(x), training=True).numpy()
    assert abs(dropped.mean()) < 0.02 and abs(dropped.std() - 1) < 0.02
    rate, alpha_p = 0.3, -1.6732632423543772 * 1.0507009873554805
    a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
    saturated = np.isclose(dropped, a * alpha_p - a * alpha_p * rate)  # Keras' a * alpha_p + b
    assert abs(saturated.mean() - 0.3) < 0.01


def test_spatial_dropout_drops_whole_channels_and_seeds_repeat():
    x = np.ones((4, 6, 7, 5), np.float32)
    y = L.SpatialDropout2D(0.5, seed=1)(P.tensor(x), training=True).numpy()
    per_channel = y.reshape(4, -1, 5)
    assert np.all(per_channel.min(axis=1) == per_channel.max(axis=1))  # one value per channel
    assert set(np.unique(y)) <= {0.0, 2.0}
    again = L.SpatialDropout2D(0.5, seed=1)(P.tensor(x), training=True).numpy()
    np.testing.assert_array_equal(y, again)
    with pytest.raises(ValueError, match=r"SpatialDropout1D 'sd' expects 3-D inputs"):
        L.SpatialDropout1D(0.5, name="sd")(P.tensor(x))


def test_noise_gradients_follow_the_draws():
    x = P.tensor(RNG.normal(size=(3, 4)), requires_grad=True)
    y = L.GaussianDropout(0.4, dtype="float64")(x, training=True)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, y.numpy() / x.numpy(), rtol=1e-12)
    x.grad = None
    noisy = L.GaussianNoise(1.0)(x, training=True)
    noisy.sum().backward()
    np.testing.assert_array_equal(x.grad, np.ones((3, 4)))


def test_noise_in_a_compiled_model_trains_and_predicts_without_noise():
    model = Sequential([L.GaussianNoise(0.1, input_shape=(4,)), L.Dense(3),
                        L.AlphaDropout(0.2), L.GaussianDropout(0.2), L.Dense(1)])
    model.compile("sgd", "mse")
    x = RNG.normal(size=(8, 4)).astype(np.float32)
    model.fit(x, np.zeros((8, 1)), epochs=2, verbose=0)
    np.testing.assert_array_equal(model.predict(x), model.predict(x))


@pytest.mark.parametrize("training", [False, True])
@pytest.mark.parametrize("make", [lambda: L.Dropout(0.5), lambda: L.GaussianNoise(0.1),
                                  lambda: L.GaussianDropout(0.1), lambda: L.AlphaDropout(0.1),
                                  lambda: L.Activation("linear"), lambda: L.Lambda(lambda t: t),
                                  lambda: L.Dense(3)],
                         ids=["Dropout", "GaussianNoise", "GaussianDropout", "AlphaDropout",
                              "Activation(linear)", "Lambda(identity)", "Dense"])
def test_an_eager_call_on_a_numpy_array_gives_a_tensor_in_both_modes(make, training):
    """Layers that pass their input through (noise at inference, identities) give a Tensor too."""
    x = X.astype(np.float32)
    y = make()(x, training=training)
    assert isinstance(y, P.Tensor), type(y)
    assert y.dtype == np.float32 and y.shape[:-1] == x.shape[:-1]
