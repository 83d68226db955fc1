"""Core Keras layers: shapes, weights, config round trips, values and gradients vs NumPy."""
import numpy as np
import pytest

import passos as P
from passos.keras import layers as L
from passos.keras.models import Model, Sequential

RNG = np.random.default_rng(1234)


def arr(*shape, dtype=np.float32, scale=1.0):
    return (RNG.normal(size=shape) * scale).astype(dtype)


def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


NP_ACTIVATIONS = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "tanh": np.tanh,
    "sigmoid": np_sigmoid,
    "softmax": np_softmax,
    "elu": lambda x: np.where(x > 0, x, np.exp(np.minimum(x, 0)) - 1),
    # Keras 2: clip(0.2 x + 0.5, 0, 1)
    "hard_sigmoid": lambda x: np.clip(0.2 * x + 0.5, 0.0, 1.0),
}


def summary_lines(model):
    lines = []
    model.summary(print_fn=lines.append)
    return "\n".join(lines)


# -- Dense ---------------------------------------------------------------------------------------
def test_dense_eager_shape_weights_and_values():
    layer = L.Dense(3)
    x = arr(5, 4)
    y = layer(P.tensor(x))
    assert isinstance(y, P.Tensor)
    assert y.shape == (5, 3)
    assert y.dtype == np.float32
    kernel, bias = layer.get_weights()
    assert kernel.shape == (4, 3) and bias.shape == (3,)
    assert [tuple(w.shape) for w in layer.weights] == [(4, 3), (3,)]
    assert layer.count_params() == 4 * 3 + 3
    assert len(layer.trainable_weights) == 2 and layer.non_trainable_weights == []
    # bias starts at zeros (Keras default); kernel is not all zero
    np.testing.assert_array_equal(bias, 0)
    assert np.abs(kernel).sum() > 0
    np.testing.assert_allclose(y.numpy(), x @ kernel + bias, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("activation", sorted(NP_ACTIVATIONS))
def test_dense_forward_with_activation_vs_numpy(activation):
    layer = L.Dense(4, activation=activation)
    x = arr(6, 3, scale=2.0)
    layer(P.tensor(x))  # build
    kernel = arr(3, 4)
    bias = arr(4)
    layer.set_weights([kernel, bias])
    y = layer(P.tensor(x)).numpy()
    expected = NP_ACTIVATIONS[activation](x.astype(np.float64) @ kernel + bias)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)


def test_dense_no_bias_has_one_weight():
    layer = L.Dense(2, use_bias=False)
    x = arr(3, 5)
    y = layer(P.tensor(x))
    assert len(layer.weights) == 1
    assert layer.count_params() == 10
    np.testing.assert_allclose(y.numpy(), x @ layer.get_weights()[0], rtol=1e-5, atol=1e-6)


def test_dense_acts_on_last_axis_of_3d_input():
    layer = L.Dense(2)
    x = arr(4, 5, 3)
    y = layer(P.tensor(x))
    assert y.shape == (4, 5, 2)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 2)
    np.testing.assert_allclose(y.numpy(), np.einsum("bti,io->bto", x, kernel) + bias,
                               rtol=1e-5, atol=1e-6)


def test_dense_input_dim_and_input_shape_build_in_sequential():
    model = Sequential([L.Dense(7, input_dim=5), L.Dense(3, activation="softmax")])
    assert model.output_shape == (None, 3)
    assert [w.shape for w in model.weights] == [(5, 7), (7,), (7, 3), (3,)]
    assert model.count_params() == 5 * 7 + 7 + 7 * 3 + 3
    text = summary_lines(model)
    assert "(None, 7)" in text and "(None, 3)" in text
    assert f"Total params: {5 * 7 + 7 + 7 * 3 + 3:,}" in text
    assert "Trainable params: 66" in text and "Non-trainable params: 0" in text


def test_dense_config_round_trip():
    layer = L.Dense(5, activation="tanh", use_bias=False, kernel_initializer="he_normal",
                    bias_initializer="ones", input_shape=(4,), name="my_dense")
    config = layer.get_config()
    assert config["units"] == 5 and config["activation"] == "tanh"
    assert config["use_bias"] is False and config["name"] == "my_dense"
    clone = L.Dense.from_config(config)
    assert clone.get_config() == config
    assert clone.units == 5 and clone.use_bias is False
    # the clone builds to the same weight shapes
    clone(P.tensor(arr(2, 4)))
    assert [w.shape for w in clone.weights] == [(4, 5)]


def test_dense_config_is_json_serialisable():
    import json
    config = L.Dense(3, activation="relu", kernel_initializer="orthogonal").get_config()
    assert json.loads(json.dumps(config)) == config


def test_dense_gradcheck_float64_input():
    layer = L.Dense(3, activation="tanh", dtype="float64")
    x = RNG.normal(size=(4, 5))
    layer(P.tensor(x))
    layer.set_weights([RNG.normal(size=(5, 3)), RNG.normal(size=(3,))])
    assert layer.kernel.dtype == np.float64
    assert P.gradcheck(lambda t: layer(t), x)


def test_dense_weight_gradients_vs_finite_differences(weight_gradients_match):
    layer = L.Dense(3, activation="sigmoid", dtype="float64")
    x = RNG.normal(size=(4, 5))
    layer(P.tensor(x))
    layer.set_weights([RNG.normal(size=(5, 3)), RNG.normal(size=(3,))])
    r = RNG.normal(size=(4, 3))
    weight_gradients_match(layer, x, r)
    # the same gradient from an independent formula: dL/dW = x^T (r * s (1 - s))
    s = np_sigmoid(x @ layer.kernel.data + layer.bias.data)
    np.testing.assert_allclose(layer.kernel.grad, x.T @ (r * s * (1 - s)), rtol=1e-10)
    np.testing.assert_allclose(layer.bias.grad, (r * s * (1 - s)).sum(0), rtol=1e-10)


def test_dense_float32_gradient_close_to_float64_formula():
    layer = L.Dense(2)
    x = arr(3, 4)
    y = layer(P.tensor(x))
    (y * y).sum().backward()
    kernel, bias = layer.get_weights()
    out = x.astype(np.float64) @ kernel + bias
    np.testing.assert_allclose(layer.kernel.grad, 2 * x.T @ out, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(layer.bias.grad, 2 * out.sum(0), rtol=1e-4, atol=1e-5)


def test_dense_rejects_bad_units():
    with pytest.raises(ValueError, match="units"):
        L.Dense(0)
    with pytest.raises(TypeError, match="units"):
        L.Dense(2.5)


def test_layer_unknown_keyword_is_rejected():
    with pytest.raises(TypeError, match="unit"):
        L.Dense(3, unit=4)


def test_dense_set_weights_checks_shapes():
    layer = L.Dense(2)
    layer(P.tensor(arr(1, 3)))
    with pytest.raises(ValueError, match=r"\(3, 2\)"):
        layer.set_weights([np.zeros((2, 3)), np.zeros(2)])
    with pytest.raises(ValueError, match="2 weights"):
        layer.set_weights([np.zeros((3, 2))])


def test_set_weights_shared_with_compiled_model():
    model = Sequential([L.Dense(2, input_shape=(3,))])
    x = arr(4, 3)
    kernel, bias = arr(3, 2), arr(2)
    model.layers[0].set_weights([kernel, bias])
    np.testing.assert_allclose(model.predict(x), x @ kernel + bias, rtol=1e-5, atol=1e-6)
    model.layers[0].set_weights([2 * kernel, bias])
    np.testing.assert_allclose(model.predict(x), x @ (2 * kernel) + bias, rtol=1e-5, atol=1e-6)


# -- Activation ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(NP_ACTIVATIONS))
def test_activation_layer_values(name):
    x = arr(3, 5, scale=3.0)
    layer = L.Activation(name)
    y = layer(P.tensor(x))
    assert y.shape == x.shape
    assert layer.weights == [] and layer.count_params() == 0
    np.testing.assert_allclose(y.numpy(), NP_ACTIVATIONS[name](x.astype(np.float64)),
                               rtol=1e-5, atol=1e-6)
    config = layer.get_config()
    assert config["activation"] == name
    assert L.Activation.from_config(config).get_config() == config


@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid", "softmax", "elu"])
def test_activation_layer_gradcheck(name):
    x = RNG.normal(size=(3, 4)) * 2
    x[np.abs(x) < 1e-3] = 0.5  # keep away from kinks
    layer = L.Activation(name, dtype="float64")
    assert P.gradcheck(lambda t: layer(t), x)


def test_activation_accepts_function():
    layer = L.Activation(lambda t: t * 2)
    np.testing.assert_allclose(layer(P.tensor(np.ones((2, 2), np.float32))).numpy(), 2.0)


def test_softmax_activation_rows_sum_to_one_for_huge_inputs():
    x = np.array([[1000.0, 0.0, -1000.0], [1e4, 1e4, 1e4]], np.float32)
    y = L.Activation("softmax")(P.tensor(x)).numpy()
    assert np.isfinite(y).all()
    np.testing.assert_allclose(y.sum(-1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(y[1], 1 / 3, rtol=1e-6)


# -- Dropout ---------------------------------------------------------------------------------------
def test_dropout_is_identity_at_inference():
    x = arr(50, 40)
    layer = L.Dropout(0.5)
    np.testing.assert_array_equal(layer(P.tensor(x)).numpy(), x)
    np.testing.assert_array_equal(layer(P.tensor(x), training=False).numpy(), x)
    assert layer.weights == []


@pytest.mark.parametrize("rate", [0.2, 0.5, 0.8])
def test_dropout_training_fraction_and_scale(rate):
    P.random.seed(3)
    x = np.full((200, 250), 2.0, np.float32)
    y = L.Dropout(rate)(P.tensor(x), training=True).numpy()
    zero = y == 0
    n = x.size
    # binomial: the fraction is within 5 standard deviations of rate
    assert abs(zero.mean() - rate) < 5 * np.sqrt(rate * (1 - rate) / n)
    np.testing.assert_allclose(y[~zero], 2.0 / (1 - rate), rtol=1e-6)
    # expectation is preserved
    assert abs(y.mean() - 2.0) < 0.05


def test_dropout_rate_zero_is_identity_in_training():
    x = arr(10, 10)
    np.testing.assert_array_equal(L.Dropout(0.0)(P.tensor(x), training=True).numpy(), x)


def test_dropout_reproducible_with_seed_and_fresh_masks():
    x = np.ones((30, 30), np.float32)
    layer = L.Dropout(0.5)
    P.random.seed(11)
    a = layer(P.tensor(x), training=True).numpy()
    b = layer(P.tensor(x), training=True).numpy()
    P.random.seed(11)
    a2 = layer(P.tensor(x), training=True).numpy()
    b2 = layer(P.tensor(x), training=True).numpy()
    np.testing.assert_array_equal(a, a2)
    np.testing.assert_array_equal(b, b2)
    assert not np.array_equal(a, b)  # a new mask each call


def test_dropout_gradient_is_the_mask():
    P.random.seed(5)
    x = P.tensor(np.ones((20, 20)), requires_grad=True)
    y = L.Dropout(0.25, dtype="float64")(x, training=True)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, y.numpy())  # ones * mask == mask
    assert set(np.unique(x.grad)) <= {0.0, 1 / 0.75}


def test_dropout_noise_shape_shares_mask_along_axis():
    P.random.seed(2)
    x = np.ones((8, 5, 6), np.float32)
    y = L.Dropout(0.5, noise_shape=(None, 1, 6))(P.tensor(x), training=True).numpy()
    # same mask for every step of axis 1
    np.testing.assert_array_equal(y, np.broadcast_to(y[:, :1, :], y.shape))


def test_dropout_config_round_trip_and_bad_rate():
    layer = L.Dropout(0.3, noise_shape=(None, 1), seed=4)
    config = layer.get_config()
    assert config["rate"] == 0.3 and config["noise_shape"] == [None, 1] and config["seed"] == 4
    assert L.Dropout.from_config(config).get_config() == config
    with pytest.raises(ValueError, match="rate"):
        L.Dropout(1.0)
    with pytest.raises(ValueError, match="rate"):
        L.Dropout(-0.1)


def test_dropout_in_model_predict_is_deterministic_and_train_drops():
    P.random.seed(0)
    model = Sequential([L.Dropout(0.5, input_shape=(100,))])
    model.compile(loss="mse", optimizer="sgd")
    x = np.ones((4, 100), np.float32)
    np.testing.assert_array_equal(model.predict(x), x)
    np.testing.assert_array_equal(model.predict_on_batch(x), x)
    # evaluate on the identity: loss 0 without dropout
    assert model.evaluate(x, x, verbose=0) == pytest.approx(0.0, abs=1e-12)


# -- Flatten ---------------------------------------------------------------------------------------
def test_flatten_values_and_shape():
    x = arr(2, 3, 4, 5)
    layer = L.Flatten()
    y = layer(P.tensor(x))
    assert y.shape == (2, 60)
    np.testing.assert_array_equal(y.numpy(), x.reshape(2, -1))
    assert layer.count_params() == 0


def test_flatten_channels_first_matches_keras_order():
    x = arr(2, 3, 4, 5)  # (N, C, H, W)
    y = L.Flatten(data_format="channels_first")(P.tensor(x)).numpy()
    np.testing.assert_array_equal(y, x.transpose(0, 2, 3, 1).reshape(2, -1))


def test_flatten_gradient_and_config():
    x = RNG.normal(size=(2, 3, 2))
    assert P.gradcheck(lambda t: L.Flatten()(t), x)
    layer = L.Flatten(data_format="channels_last", name="flat")
    config = layer.get_config()
    assert L.Flatten.from_config(config).get_config() == config


def test_flatten_in_sequential_output_shape():
    model = Sequential([L.Flatten(input_shape=(28, 28)), L.Dense(10)])
    assert model.layers[0].output_shape_built == (None, 784)
    assert model.output_shape == (None, 10)
    assert model.layers[1].weights[0].shape == (784, 10)
    assert "(None, 784)" in summary_lines(model)


# -- Reshape ---------------------------------------------------------------------------------------
def test_reshape_values_shape_and_minus_one():
    x = arr(3, 12)
    y = L.Reshape((3, 4))(P.tensor(x))
    assert y.shape == (3, 3, 4)
    np.testing.assert_array_equal(y.numpy(), x.reshape(3, 3, 4))
    y = L.Reshape((-1, 2))(P.tensor(x))
    assert y.shape == (3, 6, 2)
    np.testing.assert_array_equal(y.numpy(), x.reshape(3, 6, 2))


def test_reshape_in_sequential_and_config():
    model = Sequential([L.Reshape((2, 3), input_shape=(6,)), L.Reshape((-1,))])
    assert model.layers[0].output_shape_built == (None, 2, 3)
    assert model.output_shape == (None, 6)
    layer = L.Reshape((4, -1), name="rs")
    config = layer.get_config()
    assert config["target_shape"] == [4, -1]
    assert L.Reshape.from_config(config).get_config() == config


def test_reshape_bad_size_errors():
    with pytest.raises(ValueError, match=r"Reshape .*\(2, 5\)"):
        L.Reshape((2, 5))(P.tensor(arr(3, 12)))
    with pytest.raises(ValueError, match="Reshape"):
        Sequential([L.Reshape((5, -1), input_shape=(12,))])


def test_reshape_gradient():
    assert P.gradcheck(lambda t: L.Reshape((3, 2))(t), RNG.normal(size=(2, 6)))


# -- InputLayer / Input ----------------------------------------------------------------------------
def test_input_shapes():
    x = L.Input(shape=(3, 4))
    assert x.shape == (None, 3, 4)
    x = L.Input(shape=(5,), batch_size=8)
    assert x.shape == (8, 5)
    x = L.Input(batch_shape=(None, 2))
    assert x.shape == (None, 2)
    assert L.Input(shape=(2,), dtype="float64").dtype == np.float64


def test_input_layer_needs_a_shape():
    with pytest.raises(ValueError, match="input_shape"):
        L.InputLayer()


def test_input_layer_first_in_sequential():
    model = Sequential([L.InputLayer(input_shape=(4,)), L.Dense(3), L.Dense(1)])
    assert model.input_shape == (None, 4)
    assert model.output_shape == (None, 1)
    assert [w.shape for w in model.weights] == [(4, 3), (3,), (3, 1), (1,)]
    x = arr(5, 4)
    assert model.predict(x).shape == (5, 1)


def test_input_layer_passes_values_through_and_config():
    layer = L.InputLayer(input_shape=(3,), name="inp")
    x = arr(2, 3)
    np.testing.assert_array_equal(np.asarray(layer(P.tensor(x)).numpy()), x)
    config = layer.get_config()
    assert config["batch_input_shape"] == [None, 3]
    clone = L.InputLayer.from_config(config)
    assert clone.output.shape == (None, 3)


def test_functional_model_shapes_and_values():
    inputs = L.Input(shape=(2, 3))
    h = L.Flatten()(inputs)
    assert h.shape == (None, 6)
    h = L.Dense(4, activation="relu")(h)
    outputs = L.Dense(2)(L.Dropout(0.5)(h))
    model = Model(inputs, outputs)
    assert model.output_shape == (None, 2)
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "Flatten", "Dense",
                                                                "Dropout", "Dense"]
    x = arr(3, 2, 3)
    w1, b1, w2, b2 = model.get_weights()
    expected = np.maximum(x.reshape(3, 6) @ w1 + b1, 0) @ w2 + b2
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-5, atol=1e-6)
    # the model is itself callable eagerly
    np.testing.assert_allclose(model(P.tensor(x)).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_trainable_false_moves_weights_to_non_trainable():
    layer = L.Dense(2, trainable=False)
    layer(P.tensor(arr(1, 4)))
    assert layer.trainable_weights == []
    assert len(layer.non_trainable_weights) == 2
    model = Sequential([L.Dense(4, input_shape=(3,)), layer])
    text = summary_lines(model)
    assert "Trainable params: 16" in text and "Non-trainable params: 10" in text
