"""Keras-2 custom layers as tutorials write them: `call` gets `training` only when it takes it."""
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
    """y = x * use(s): an op applies to the weight s alone before it meets the input."""

    def __init__(self, use, **kwargs):
        super().__init__(**kwargs)
        self.use = use

    def build(self, input_shape):
        self.s = self.add_weight("s", (3,), "ones")
        self.s.data[:] = [0.5, -0.25, 1.0]

    def call(self, x):
        return x * self.use(self.s)


USES = {
    "exp": passos.exp,
    "reshape": lambda s: passos.reshape(s, (1, 3)),
    "transpose": lambda s: passos.transpose(passos.reshape(s, (3, 1))),
    "indexing": lambda s: s[::-1],
    "reduction": lambda s: passos.sum(s * s),
}


@pytest.mark.parametrize("use", USES.values(), ids=USES.keys())
def test_a_weight_used_alone_trains_with_the_eager_gradient(use):
    """Traced into a plan, the op on the weight alone reads it live (not a frozen copy)."""
    rng = np.random.default_rng(3)
    x, target = rng.normal(size=(8, 3)), rng.normal(size=(8, 3))
    layer = WeightAlone(use, input_shape=(3,), dtype="float64")
    model = Sequential([layer])
    model.compile(optimizers.SGD(lr=1.0), "mse")
    # the eager gradient of the same loss, and a central finite difference of it
    s = layer.s
    loss = passos.mean(passos.square(layer(passos.tensor(x, dtype="float64")) - target))
    loss.backward()
    eager = s.grad.copy()
    s.grad = None

    def loss_at(values):
        saved = s.data.copy()
        s.data[:] = values
        value = float(np.mean((x * use(passos.tensor(s.data)).numpy() - target) ** 2))
        s.data[:] = saved
        return value
    step, start = 1e-6, s.data.copy()
    numeric = [(loss_at(start + step * e) - loss_at(start - step * e)) / (2 * step)
               for e in np.eye(3)]
    np.testing.assert_allclose(eager, numeric, rtol=1e-6, atol=1e-9)
    model.train_on_batch(x, target)  # SGD with lr 1: s moves by minus its gradient
    np.testing.assert_allclose(start - s.data, eager, rtol=1e-6)
