"""Weights used through an op of their own (reshape) still train and are read live in plans."""
import numpy as np

import passos
from passos.keras.layers import BatchNormalization, Conv2D, Dense, Flatten
from passos.keras.models import Sequential


def _data(shape):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64,) + shape).astype("float32")
    return x, rng.normal(size=(64, 1)).astype("float32")


def test_batch_normalization_gamma_and_beta_train_in_compiled_fit():
    passos.random.seed(0)
    x, y = _data((4,))
    model = Sequential([BatchNormalization(input_shape=(4,)), Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    before = [w.copy() for w in model.layers[0].get_weights()]
    model.fit(x, y, epochs=2, verbose=0)
    gamma, beta, moving_mean, _ = model.layers[0].get_weights()
    assert not np.allclose(gamma, before[0]) and not np.allclose(beta, before[1])
    assert not np.allclose(moving_mean, before[2])


def test_batch_normalization_inference_plan_reads_the_current_moving_averages():
    x, y = _data((4,))
    model = Sequential([BatchNormalization(input_shape=(4,))])
    model.compile(loss="mse", optimizer="sgd")
    first = model.predict(x)
    layer = model.layers[0]
    layer.set_weights([np.full(4, 2.0), np.zeros(4), np.zeros(4), np.ones(4)])
    np.testing.assert_allclose(model.predict(x), 2 * x / np.sqrt(1 + 1e-3), rtol=1e-5)
    assert not np.allclose(first, model.predict(x))


def test_channels_first_conv_bias_trains_in_compiled_fit():
    passos.random.seed(0)
    x, y = _data((2, 5, 5))
    model = Sequential([Conv2D(3, 3, data_format="channels_first", input_shape=(2, 5, 5),
                               bias_initializer="ones"), Flatten(), Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    model.fit(x, y, epochs=2, verbose=0)
    assert not np.allclose(model.layers[0].get_weights()[1], 1.0)
