"""Keras-2 custom layers as tutorials write them: `call` may omit `training`; weights alone train."""
import numpy as np
import pytest

import passos
from passos.keras.engine.base_layer import Layer
from passos.keras import optimizers
from passos.keras.layers import Dense, Input
from passos.keras.models import Model, Sequential


class Doubled(Layer):
    """A Keras-2 style layer whose call takes no `training` (as most tutorials write it)."""

    def call(self, inputs):
        return inputs * 2.0


class Recorded(Layer):
    """A layer whose call takes **kwargs: Keras passes it `training`."""

    seen = []

    def call(self, inputs, **kwargs):
        Recorded.seen.append(kwargs.get("training"))
        return inputs


class Tagged(Layer):
    """A layer whose call takes `training` by name, with another default."""

    seen = []

    def call(self, x, training=None):
        Tagged.seen.append(training)
        return x


def data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(16, 3)).astype(np.float32), rng.normal(size=(16, 2)).astype(np.float32)


@pytest.mark.parametrize("functional", [False, True], ids=["Sequential", "functional"])
def test_a_call_without_training_works_in_predict_fit_and_eager_calls(functional):
    x, y = data()
    if functional:
        inputs = Input(shape=(3,))
        model = Model(inputs, Doubled()(Dense(2)(inputs)))
    else:
        model = Sequential([Dense(2, input_shape=(3,)), Doubled()])
    dense = next(layer for layer in model.layers if isinstance(layer, Dense))
    expected = 2.0 * (x @ dense.get_weights()[0] + dense.get_weights()[1])
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-6)
    np.testing.assert_allclose(Doubled()(passos.tensor(x)).numpy(), 2 * x)
    model.compile("sgd", "mse")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=5, batch_size=4, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before


def test_training_reaches_a_call_that_takes_it_by_name_or_by_kwargs():
    x, y = data()
    Recorded.seen.clear()
    Tagged.seen.clear()
    model = Sequential([Dense(2, input_shape=(3,)), Recorded(), Tagged()])
    model.compile("sgd", "mse")
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    model.predict(x)
    assert True in Recorded.seen and False in Recorded.seen
    assert True in Tagged.seen and False in Tagged.seen
    assert None not in Recorded.seen + Tagged.seen


class WeightAlone(Layer):
    """y = combine(x, use(w)): an op applies to the weight w (2, 3) alone before it meets x."""

    def __init__(self, use, **kwargs):
        super().__init__(**kwargs)
        self.use = use

    def build(self, input_shape):
        self.w = self.add_weight("w", (2, 3), "zeros")
        self.w.data[:] = [[0.5, -0.25, 1.0], [0.75, -1.5, 0.25]]

    def call(self, x):
        return self.use(x, self.w)


# x has shape (batch, 2, 3); each use reads the weight through one op of its own first
USES = {
    "exp": lambda x, w: x * passos.exp(w),
    "transpose": lambda x, w: passos.matmul(x, passos.transpose(w)),
    "reshape": lambda x, w: passos.matmul(x, passos.reshape(w, (3, 2))),
    "row w[0]": lambda x, w: x * w[0],
    "column w[:, 1]": lambda x, w: x[:, :, 0] * w[:, 1],
    "reversed": lambda x, w: x * w[::-1],
    "sum": lambda x, w: x * passos.sum(w * w),
    "mean": lambda x, w: x * passos.mean(w, axis=0),
}


def eager_loss(layer, x, target):
    return passos.mean(passos.square(layer(passos.tensor(x, dtype="float64")) - target))


@pytest.mark.parametrize("use", USES.values(), ids=USES.keys())
def test_a_weight_used_alone_trains_under_fit_with_the_eager_gradient(use):
    """Traced into a plan, the op on the weight alone reads it live (not a frozen copy).

    One fit step with SGD(lr=1) moves w by minus the plan's gradient, which must equal
    the eager gradient of the same batch and a float64 central finite difference.
    """
    rng = np.random.default_rng(3)
    x = rng.normal(size=(8, 2, 3))
    inputs = Input(shape=(2, 3), dtype="float64")  # a float64 plan, for a float64 comparison
    layer = WeightAlone(use, dtype="float64")
    model = Model(inputs, layer(inputs))
    model.compile(optimizers.SGD(lr=1.0), "mse")
    w, start = layer.w, layer.w.data.copy()
    # targets that float32 holds exactly (fit feeds targets as float32)
    target = rng.normal(size=use(passos.tensor(x), passos.tensor(start)).shape)
    target = target.astype(np.float32).astype(np.float64)
    # 1. the eager gradient of the loss, and a central finite difference of it
    loss = eager_loss(layer, x, target)
    loss.backward()
    eager, w.grad = w.grad.copy(), None

    def loss_at(values):
        w.data[:] = values
        return float(eager_loss(layer, x, target).numpy())
    step, numeric = 1e-6, np.zeros_like(start)
    for i in np.ndindex(start.shape):
        e = np.zeros_like(start)
        e[i] = step
        numeric[i] = (loss_at(start + e) - loss_at(start - e)) / (2 * step)
    w.data[:] = start
    assert np.abs(eager).max() > 1e-3  # the case has a gradient to check
    np.testing.assert_allclose(eager, numeric, rtol=1e-6, atol=1e-9)
    # 2. one step of fit (one batch of 8): the weight moves by minus the plan's gradient
    history = model.fit(x, target, epochs=1, batch_size=8, verbose=0)
    assert history.history["loss"][0] == pytest.approx(float(loss.numpy()), rel=1e-6)
    np.testing.assert_allclose(start - w.data, eager, rtol=1e-9, atol=1e-12)
    # 3. predict and evaluate read the moved weight, not the value it had when traced
    moved = use(passos.tensor(x), passos.tensor(w.data)).numpy()
    np.testing.assert_allclose(model.predict(x), moved, rtol=1e-12)
    assert model.evaluate(x, target, verbose=0) == pytest.approx(
        float(np.mean((moved - target) ** 2)), rel=1e-12)


def test_a_custom_layer_without_training_works_in_summary_and_a_functional_model():
    """Keras 2's usual custom layer: a weight and `def call(self, x):`, wired functionally."""
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(16, 2, 3)), rng.normal(size=(16, 2, 3))
    inputs = Input(shape=(2, 3), dtype="float64")
    layer = WeightAlone(USES["exp"], dtype="float64", name="scaled")
    model = Model(inputs, layer(inputs))
    lines = []
    model.summary(print_fn=lines.append)
    assert any("scaled (WeightAlone)" in line and "(None, 2, 3)" in line and "6" in line
               for line in lines)
    model.compile(optimizers.SGD(lr=0.1), "mse")
    before, start = model.evaluate(x, y, verbose=0), layer.w.data.copy()
    model.fit(x, y, epochs=3, batch_size=4, verbose=0)
    assert not np.allclose(layer.w.data, start)
    assert model.evaluate(x, y, verbose=0) < before
    np.testing.assert_allclose(model.predict(x), x * np.exp(layer.w.data), rtol=1e-12)
