"""passos.keras.backend symbolically: K.function on model tensors, custom losses, metrics, layers."""
import numpy as np
import pytest

from passos.keras import backend as K
from passos.keras.layers import Dense, Dropout, Input, Layer
from passos.keras.models import Model, Sequential
from passos.keras.optimizers import SGD

RNG = np.random.default_rng(0)
X = RNG.normal(size=(16, 3)).astype(np.float32)
TARGETS = np.stack([X.sum(1), X[:, 0] - X[:, 1]], axis=1).astype(np.float32)


@pytest.fixture(autouse=True)
def fresh_session():
    K.clear_session()
    yield
    K.clear_session()


def test_function_reads_an_intermediate_activation():
    inputs = Input(shape=(3,))
    hidden = Dense(5, activation="tanh")(inputs)
    model = Model(inputs, Dense(2)(hidden))
    read = K.function([model.input], [model.layers[1].output, model.output])  # 0: the InputLayer
    h, out = read([X])
    W, b = model.layers[1].get_weights()
    np.testing.assert_allclose(h, np.tanh(X @ W + b), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out, model.predict(X), rtol=1e-5, atol=1e-6)
    assert K.is_keras_tensor(model.output) and K.int_shape(model.layers[1].output) == (None, 5)


def test_function_with_the_learning_phase_and_set_value():
    model = Sequential([Dense(50, activation="relu", input_shape=(3,)), Dropout(0.5)])
    read = K.function([model.input, K.learning_phase()], [model.layers[1].output])
    test, train = read([X, 0])[0], read([X, 1])[0]
    dense = read([X, 0])[0]
    np.testing.assert_array_equal(test, dense)  # no dropout when testing
    assert (train == 0).sum() > (test == 0).sum()
    kernel, bias = model.layers[0].weights
    K.set_value(kernel, np.ones((3, 50)))
    np.testing.assert_array_equal(K.get_value(kernel), np.ones((3, 50)))
    np.testing.assert_allclose(read([X, 0])[0], np.maximum(X.sum(1, keepdims=True), 0)
                               * np.ones(50), rtol=1e-6)
    np.testing.assert_allclose(model.predict(X), read([X, 0])[0], rtol=1e-6)


def test_gradients_of_a_model_output_with_respect_to_its_input():
    model = Sequential([Dense(4, activation="tanh", input_shape=(3,)), Dense(1)])
    loss = K.mean(K.square(model.output))
    (grad,) = K.gradients(loss, [model.input])
    value, g = K.function([model.input], [loss, grad])([X])
    eps, x = 1e-3, X.astype(np.float64)
    bumped = x.copy()
    bumped[2, 1] += eps
    numeric = (np.mean(model.predict(bumped) ** 2) - np.mean(model.predict(x) ** 2)) / eps
    assert value == pytest.approx(np.mean(model.predict(X) ** 2), rel=1e-5)
    assert g[2, 1] == pytest.approx(numeric, rel=1e-2, abs=1e-4)


def test_custom_loss_and_metric_in_compile_and_fit():
    def mean_squares(y_true, y_pred):
        return K.mean(K.square(y_pred - y_true), axis=-1)

    def worst_error(y_true, y_pred):
        return K.max(K.abs(y_pred - y_true), axis=-1)

    model = Sequential([Dense(8, activation="tanh", input_shape=(3,)), Dense(2)])
    model.compile(optimizer=SGD(lr=0.1), loss=mean_squares, metrics=[worst_error])
    history = model.fit(X, TARGETS, epochs=20, batch_size=8, verbose=0).history
    assert history["loss"][-1] < 0.7 * history["loss"][0]
    assert len(history["worst_error"]) == 20
    predicted = model.predict(X)
    loss, worst = model.evaluate(X, TARGETS, verbose=0)
    assert loss == pytest.approx(np.mean((predicted - TARGETS) ** 2), rel=1e-4)
    assert worst == pytest.approx(np.mean(np.abs(predicted - TARGETS).max(-1)), rel=1e-4)


class Normalized(Layer):
    """A custom layer written with K only: a learned scale of the L2-normalised input."""

    def build(self, input_shape):
        self.scale = self.add_weight("scale", (input_shape[-1],), "ones")

    def call(self, x, training=None):
        dropped = K.in_train_phase(x * 0.0, x, training=training)
        return K.l2_normalize(dropped, axis=-1) * K.expand_dims(K.sum(self.scale), 0)


def test_custom_layer_written_with_k_trains_and_predicts():
    model = Sequential([Normalized(input_shape=(3,)), Dense(2)])
    out = model.predict(X)
    scale = model.layers[0].get_weights()[0].sum()
    W, b = model.layers[1].get_weights()
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    np.testing.assert_allclose(out, unit * scale @ W + b, rtol=1e-5, atol=1e-5)
    model.compile("sgd", "mse")
    model.fit(X, TARGETS, epochs=1, verbose=0)  # training phase: the input is zeroed, runs


def test_in_train_phase_inside_a_call_without_training_is_a_clear_error():
    class Forgetful(Layer):
        def call(self, x):
            return K.in_train_phase(x * 2.0, x)

    with pytest.raises(ValueError, match="in_train_phase: inside a layer's call, pass training"):
        Sequential([Forgetful(input_shape=(3,))])


def test_placeholders_function_updates_and_eval():
    w = K.variable(np.zeros(3))
    x, y = K.placeholder(shape=(None, 3)), K.placeholder(ndim=1)
    loss = K.mean(K.square(K.dot(x, K.expand_dims(w)) [:, 0] - y))
    (grad,) = K.gradients(loss, [w])
    step = K.function([x, y], [loss], updates=[(w, w - 0.1 * grad)])
    target = X @ np.array([1.0, -2.0, 0.5], np.float32)
    losses = [float(step([X, target])[0]) for _ in range(200)]
    assert losses[-1] < 1e-3 * losses[0]
    np.testing.assert_allclose(K.get_value(w), [1.0, -2.0, 0.5], atol=0.02)
    assert K.eval(K.sum(K.constant([1.0, 2.0]) * w[:2])) == pytest.approx(-3.0, abs=0.05)
    phase_scaled = K.function([x, K.learning_phase()], [K.in_train_phase(x * 2.0, x)])
    np.testing.assert_allclose(phase_scaled([X, 1])[0], 2 * X)
    np.testing.assert_allclose(phase_scaled([X, 0])[0], X)
    with pytest.raises(ValueError, match="K.function: expected a list of 2 input values"):
        step([X])


def test_clear_session_resets_layer_names():
    first = int(Dense(2).name.split("_")[-1])
    assert Dense(2).name == f"dense_{first + 1}"
    K.clear_session()
    assert Dense(2).name == "dense_1"  # Keras 2 numbers layers from 1
    K.set_learning_phase(1)
    assert K.learning_phase() == 1
    K.clear_session()
    assert not isinstance(K.learning_phase(), int)
