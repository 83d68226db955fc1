"""Ops on a model's tensors (KerasTensors), model.add_loss of them, compile without a loss,
and K's random draws inside models: what Keras 2's variational autoencoder needs."""
import numpy as np
import pytest

import passos
from passos.keras import backend as K
from passos.keras import layers as L
from passos.keras.engine.op_layer import OpLayer
from passos.keras.models import Model, Sequential

RNG = np.random.default_rng(5)


def dense_model(units=2, dim=3):
    inputs = L.Input((dim,))
    return inputs, L.Dense(units, name="d")(inputs)


def test_operators_and_k_functions_on_model_tensors_become_layer_calls():
    inputs, h = dense_model()
    y = K.concatenate([abs(-h) * 2 + 1, K.exp(h[:, :1]) / 4, h @ np.eye(2, dtype="float32")])
    assert K.int_shape(y) == (None, 5) and isinstance(y.layer, OpLayer)
    model = Model(inputs, y)
    x = RNG.normal(size=(4, 3)).astype("float32")
    w, b = model.get_layer("d").get_weights()
    z = x @ w + b
    expected = np.concatenate([np.abs(z) * 2 + 1, np.exp(z[:, :1]) / 4, z], axis=1)
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-6)
    assert model.get_layer("d") in model.layers  # the op layers are layers of the model too
    assert (h == h) is True and (h == y) is False  # == is identity, as for TF1's tensors


def test_op_output_dtype_and_shape_come_from_the_op():
    inputs, h = dense_model()
    assert K.shape(h).dtype == np.int32 and K.shape(h).shape == (2,)
    assert K.cast(h > 0, "int64").dtype == np.int64
    with pytest.raises(passos.ShapeError, match=r"matmul"):
        h @ np.ones((3, 3), "float32")


def test_a_model_with_op_layers_trains_through_them():
    inputs, h = dense_model(units=1)
    model = Model(inputs, 3 * h - 1)
    model.compile("sgd", "mse")
    x = RNG.normal(size=(32, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]]) * 3 - 1).astype("float32")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=20, batch_size=8, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before / 10


def test_op_layers_cannot_be_saved_in_a_config():
    inputs, h = dense_model()
    with pytest.raises(ValueError, match=r"the op 'multiply' applied to model tensors; .* Lambda"):
        Model(inputs, h * 2).get_config()


def test_k_function_reads_an_expression_of_a_layer_output():
    inputs, h = dense_model()
    model = Model(inputs, h)
    read = K.function([model.input], [K.mean(K.square(h), axis=1)])
    x = RNG.normal(size=(4, 3)).astype("float32")
    np.testing.assert_allclose(read([x])[0], np.mean(model.predict(x) ** 2, axis=1), rtol=1e-6)


def test_add_loss_of_a_model_tensor_gives_the_same_training_as_the_loss():
    """A model whose loss is add_loss(mean((out - x[:, :2])**2)), compiled with no loss, learns
    exactly as the same model fitted to those targets with loss='mse'."""
    x = RNG.normal(size=(16, 3)).astype("float32")
    models = []
    for kind in ("add_loss", "mse"):
        passos.random.seed(1)
        inputs, h = dense_model()
        model = Model(inputs, h)
        if kind == "add_loss":
            model.add_loss(K.mean(K.square(h - inputs[:, :2])))
            model.compile("sgd")
            model.fit(x, epochs=3, batch_size=4, shuffle=False, verbose=0)
            assert model.metrics_names == ["loss"]
        else:
            model.compile("sgd", "mse")
            model.fit(x, x[:, :2], epochs=3, batch_size=4, shuffle=False, verbose=0)
        models.append(model)
    for a, b in zip(models[0].get_weights(), models[1].get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    out = models[0].predict(x)
    assert models[0].evaluate(x, verbose=0) == pytest.approx(
        np.mean((out - x[:, :2]) ** 2), rel=1e-5)


def test_the_added_loss_is_computed_in_the_outputs_pass():
    """A random layer feeding both the output and the loss runs once per step (one draw)."""
    calls = []

    def noisy(t):
        calls.append(1)
        return t + K.random_normal(K.shape(t))
    inputs = L.Input((3,))
    out = L.Dense(1)(L.Lambda(noisy)(inputs))
    model = Model(inputs, out)
    model.add_loss(K.mean(K.square(out)))
    model.compile("sgd")
    calls.clear()
    model.fit(np.ones((4, 3), "float32"), verbose=0)
    assert len(calls) == 1  # traced once: the loss reads the output's own value


def test_an_added_loss_trains_layers_off_the_output_path():
    inputs, h = dense_model()
    side = L.Dense(1, name="side")
    model = Model(inputs, h)
    model.add_loss(K.mean(K.square(side(inputs))))
    assert side.kernel in model.trainable_weights and side not in model.layers
    model.compile("sgd", "mse")
    before = side.get_weights()[0].copy()
    model.fit(np.ones((4, 3), "float32"), np.zeros((4, 2), "float32"), verbose=0)
    assert not np.allclose(side.get_weights()[0], before)


def test_add_loss_needs_the_functional_api_and_the_model_inputs():
    model = Sequential([L.Dense(2, input_shape=(3,))])
    with pytest.raises(ValueError, match=r"Sequential model '\w+': add_loss of a model tensor "
                                         r"needs the functional API"):
        model.add_loss(K.mean(model.output))
    inputs, h = dense_model()
    other = L.Input((3,), name="other")
    with pytest.raises(ValueError, match=r"need Input 'other'"):
        Model(inputs, h).add_loss(K.mean(other))


def test_outputs_left_out_of_the_loss_dict_take_no_targets():
    inputs = L.Input((3,))
    a, b = L.Dense(1, name="a")(inputs), L.Dense(2, name="b")(inputs)
    model = Model(inputs, [a, b])
    with pytest.warns(UserWarning, match=r"\['b'\] are missing from the loss dict"):
        model.compile("sgd", loss={"a": "mse"}, metrics=["mae"])
    assert model.metrics_names == ["loss", "a_loss", "a_mae"]
    x, y = np.ones((4, 3), "float32"), np.zeros((4, 1), "float32")
    logs = model.fit(x, y, verbose=0).history
    assert sorted(logs) == ["a_loss", "a_mae", "loss"]
    assert model.evaluate(x, [y], verbose=0)[0] == pytest.approx(
        np.mean(model.predict(x)[0] ** 2), rel=1e-6)


def test_k_random_draws_are_fresh_at_each_run_of_a_model():
    inputs = L.Input((3,))
    noise = L.Lambda(lambda t: t + K.random_normal(shape=(K.shape(t)[0], 3)))(inputs)
    assert K.int_shape(noise) == (None, 3)
    model = Model(inputs, noise)
    zeros = np.zeros((500, 3), "float32")
    first, second = model.predict(zeros), model.predict(zeros)
    assert not np.allclose(first, second)
    assert abs(first.mean()) < 0.1 and abs(first.std() - 1) < 0.1
    static = Model(inputs, L.Lambda(lambda t: K.random_uniform((4, 2), 2.0, 3.0) + 0 * t[:4, :2])(
        inputs))  # a static shape inside a model: still a node, drawn at each run
    uniform = static.predict(zeros, batch_size=500)
    assert uniform.shape == (4, 2) and uniform.min() >= 2 and uniform.max() < 3
    assert not np.allclose(uniform, static.predict(zeros, batch_size=500))


def test_k_random_draws_outside_models_are_tensors_drawn_now():
    passos.random.seed(3)
    a = K.random_normal((2, 3), seed=None)
    assert isinstance(a, passos.Tensor) and a.shape == (2, 3)
    np.testing.assert_array_equal(K.eval(K.random_uniform((3,), seed=7)),
                                  K.eval(K.random_uniform((3,), seed=7)))
    assert set(np.unique(K.eval(K.random_binomial((50,), p=0.5)))) <= {0.0, 1.0}
    t = K.eval(K.truncated_normal((1000,), stddev=2.0))
    assert np.abs(t).max() <= 4.0


def test_k_random_shape_tensor_must_hold_integers():
    with pytest.raises(TypeError, match=r"K.random_normal: a shape tensor must hold integers"):
        K.random_normal(K.placeholder((2,), dtype="float32"))


def test_k_functions_mixing_model_tensors_and_the_learning_phase_build_in_the_graph():
    inputs, h = dense_model()
    chosen = K.in_train_phase(h * 0, h)  # the phase input is a graph tensor: h enters that graph
    x = RNG.normal(size=(2, 3)).astype("float32")
    read = K.function([inputs, K.learning_phase()], [chosen])
    np.testing.assert_allclose(read([x, 0])[0], Model(inputs, h).predict(x), rtol=1e-6)
    np.testing.assert_allclose(read([x, 1])[0], 0)
    with pytest.raises(TypeError, match=r"add: mixes a model tensor \(KerasTensor\) with the "
                                        r"graph tensor 'keras_learning_phase'"):
        h + K.learning_phase()
