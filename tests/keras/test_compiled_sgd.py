"""The compiled train plan seeds SGD's gradients with the learning rate: same steps as eager SGD."""
import numpy as np

import passos
from passos.keras.layers import Dense
from passos.keras.models import Sequential
from passos.keras.optimizers import SGD


def _model_and_data():
    passos.random.seed(0)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(12, 3)).astype("float32")
    y = rng.normal(size=(12, 2)).astype("float32")
    return Sequential([Dense(4, activation="tanh", input_shape=(3,)), Dense(2)]), x, y


def _eager_sgd(weights, x, y, lr, decay, batch):
    """The same steps computed with eager backward and NumPy updates."""
    weights = [passos.tensor(w, requires_grad=True) for w in weights]
    for step, start in enumerate(range(0, len(x), batch)):
        xb, yb = x[start:start + batch], y[start:start + batch]
        h = passos.tanh(passos.tensor(xb) @ weights[0] + weights[1])
        out = h @ weights[2] + weights[3]
        loss = passos.mean(passos.mean(passos.square(out - yb), axis=-1))
        loss.backward()
        rate = lr / (1 + decay * step)
        for w in weights:
            w.data -= rate * w.grad
            w.grad = None
    return [w.numpy() for w in weights]


def test_fit_with_time_decay_matches_eager_sgd_step_by_step():
    model, x, y = _model_and_data()
    start = model.get_weights()
    model.compile(loss="mse", optimizer=SGD(lr=0.1, decay=0.5))
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    expected = _eager_sgd(start, x, y, 0.1, 0.5, 4)
    for got, want in zip(model.get_weights(), expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_learning_rate_changed_between_fits_is_used():
    model, x, y = _model_and_data()
    model.compile(loss="mse", optimizer=SGD(lr=0.1))
    model.fit(x, y, batch_size=12, epochs=1, verbose=0)
    model.optimizer.learning_rate = 0.0
    before = model.get_weights()
    model.fit(x, y, batch_size=12, epochs=1, verbose=0)
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got, want)
