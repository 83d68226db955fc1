"""passos.explain.GradientHealth: per-layer gradient norms, dead ReLUs and update ratios in History."""
import warnings

import numpy as np
import pytest

import passos
from passos.explain.health import GradientHealth, GradientHealthWarning
from passos.keras.callbacks import GradientHealth as exported
from passos.keras.layers import Dense
from passos.keras.models import Sequential
from passos.keras.optimizers import SGD


def data(n=48, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, (x.sum(axis=1) > 0).astype(np.float32).reshape(-1, 1)


def model(lr=0.1, hidden_init="glorot_uniform", bias_init="zeros"):
    passos.random.seed(0)
    m = Sequential([Dense(6, activation="relu", input_shape=(4,), name="hidden",
                          kernel_initializer=hidden_init, bias_initializer=bias_init),
                    Dense(1, activation="sigmoid", name="out")])
    m.compile(SGD(learning_rate=lr), "binary_crossentropy")
    return m


def test_history_gets_per_layer_health():
    assert exported is GradientHealth
    x, y = data()
    m = model()
    health = GradientHealth(x, y, samples=32)
    with warnings.catch_warnings():
        warnings.simplefilter("error", GradientHealthWarning)
        history = m.fit(x, y, epochs=3, batch_size=16, verbose=0, callbacks=[health], seed=0)
    h = history.history
    for key in ("grad_norm/hidden", "grad_norm/out", "dead_relu/hidden", "update_ratio/hidden",
                "update_ratio/out"):
        assert len(h[key]) == 3 and all(np.isfinite(h[key])), key
    assert "dead_relu/out" not in h  # a sigmoid layer has no ReLU units
    assert all(0 <= v <= 1 for v in h["dead_relu/hidden"])
    assert all(v > 0 for v in h["update_ratio/out"])
    assert health.history["grad_norm/out"] == h["grad_norm/out"]


def test_gradient_norm_matches_an_eager_backward():
    x, y = data()
    m = model()
    m.fit(x, y, epochs=1, verbose=0, seed=0)
    health = GradientHealth(x, y, samples=16)
    health.set_model(m)
    measured = health.measure()
    out = m(passos.tensor(x[:16]))
    loss = passos.mean(m.loss(passos.tensor(y[:16]), out))
    loss.backward()
    expected = np.sqrt(sum(np.sum(np.square(w.grad, dtype=np.float64))
                           for w in m.layers[0].trainable_weights))
    assert measured["grad_norm/hidden"] == pytest.approx(expected, rel=1e-5)
    for w in m.trainable_weights:
        w.grad = None


def test_update_ratio_is_change_over_weights():
    x, y = data()
    m = model()
    before = [w.data.copy() for w in m.layers[1].trainable_weights]
    history = m.fit(x, y, epochs=1, verbose=0, callbacks=[GradientHealth(x, y)], seed=0)
    after = [w.data for w in m.layers[1].trainable_weights]
    change = np.sqrt(sum(np.sum((a - b).astype(np.float64) ** 2) for a, b in zip(after, before)))
    norm = np.sqrt(sum(np.sum(a.astype(np.float64) ** 2) for a in after))
    assert history.history["update_ratio/out"][0] == pytest.approx(change / norm, rel=1e-5)


def test_dead_relus_are_named_dead_with_what_helps():
    x, y = data()
    # every hidden unit starts far below zero: all dead, so no gradient reaches the layer
    m = model(lr=0.01, hidden_init="zeros", bias_init=passos.keras.initializers.Constant(-5.0))
    with pytest.warns(GradientHealthWarning) as caught:
        history = m.fit(x, y, epochs=1, verbose=0, callbacks=[GradientHealth(x, y)], seed=0)
    assert history.history["dead_relu/hidden"] == [1.0]
    assert history.history["grad_norm/hidden"] == [0.0]
    message = str(caught[0].message)
    assert "every ReLU unit of layer 'hidden' is dead" in message, message
    for remedy in ("bias_initializer=Constant(0.1)", "lower the learning rate", "LeakyReLU"):
        assert remedy in message, message
    assert "instead of sigmoid" not in message, message


def test_vanishing_gradients_of_saturated_sigmoids_suggest_relu():
    x, y = data()
    passos.random.seed(0)
    m = Sequential([Dense(6, activation="sigmoid", input_shape=(4,), name="hidden",
                          kernel_initializer="zeros",
                          bias_initializer=passos.keras.initializers.Constant(50.0)),
                    Dense(1, activation="sigmoid", name="out")])
    m.compile(SGD(learning_rate=0.01), "binary_crossentropy")
    with pytest.warns(GradientHealthWarning) as caught:
        m.fit(x, y, epochs=1, verbose=0, callbacks=[GradientHealth(x, y)], seed=0)
    message = str(caught[0].message)
    assert "layer 'hidden' are vanishing" in message and "try relu instead of sigmoid" in message
    assert "'out'" not in message, message


def test_exploding_gradients_are_reported():
    x, y = data()
    m = model()
    m.layers[1].kernel.data[...] = 1e4  # huge weights after the ReLU layer
    with pytest.warns(GradientHealthWarning, match="exploding"):
        m.fit(x * 100, y, epochs=1, verbose=0, callbacks=[GradientHealth(x * 100, y)], seed=0)


def test_needs_data():
    with pytest.raises(ValueError, match="sample of the training data"):
        GradientHealth(None, None)
