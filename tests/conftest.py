"""Fixtures shared by the test folders."""
import math
import os

import numpy as np
import pytest

import passos as P
import passos.keras.datasets.fashion_mnist as keras_fashion_mnist
from passos.course import backprop
from passos.data import fashion_mnist
from passos.gradcheck import numeric_gradient


@pytest.fixture
def course_by_hand():
    """The course's softmax-regression example in plain math, one scalar at a time.

    An independent reference: by_hand(x, y) -> z, h, H, y_hat, L.
    """
    def by_hand(x=(0.2, 0.7), y=(1.0, 0.0)):
        W = backprop.W
        z = [W[0][0] * x[0] + W[0][1] * x[1], W[1][0] * x[0] + W[1][1] * x[1]]
        h = [math.exp(v) for v in z]
        H = h[0] + h[1]
        y_hat = [v / H for v in h]
        L = -sum(t * math.log(p) for t, p in zip(y, y_hat))
        return z, h, H, y_hat, L
    return by_hand


@pytest.fixture
def weight_gradients_match():
    """check(layer, x, r, **call): each trainable weight's backprop gradient of
    sum(layer(x, **call) * r) matches finite differences. The gradients stay on
    the weights for further checks.
    """
    def check(layer, x, r, **call):
        def objective():
            return float((layer(P.tensor(x), **call) * P.tensor(r)).sum().numpy())

        for w in layer.weights:
            w.grad = None
        (layer(P.tensor(x), **call) * P.tensor(r)).sum().backward()
        for w in layer.trainable_weights:
            np.testing.assert_allclose(w.grad, numeric_gradient(objective, w.data),
                                       rtol=1e-6, atol=1e-8)
    return check


@pytest.fixture
def fake_fashion_mnist(monkeypatch):
    """Make load_data() (both import paths) return a small, easy stand-in for Fashion-MNIST.

    Call it with the train and test sizes: bright blocks whose position is the
    class, on noise up to `noise`; every call of load_data makes the data anew.
    """
    def install(train, test, noise=40):
        def load_data(path=None):
            rng = np.random.default_rng(0)

            def make(n):
                labels = rng.integers(0, 10, n).astype(np.uint8)
                images = rng.integers(0, noise, (n, 28, 28)).astype(np.uint8)
                for i, c in enumerate(labels):
                    images[i, 2 * c:2 * c + 8, 4:24] = 250
                return images, labels
            return make(train), make(test)
        for module in (fashion_mnist, keras_fashion_mnist):
            monkeypatch.setattr(module, "load_data", load_data)
    return install


@pytest.fixture
def splits(monkeypatch):
    """A list that gets one entry, the number of parts, each time an op splits over threads."""
    from passos.kernels import parallel
    counted, run_all = [], parallel.run_all
    monkeypatch.setattr(parallel, "run_all", lambda tasks: counted.append(len(tasks)) or
                        run_all(tasks))
    return counted


@pytest.fixture
def real_fashion_mnist():
    """Skip unless Fashion-MNIST is installed where load_data() looks (tests never download it)."""
    for folder in fashion_mnist.search_dirs():
        if all(any(os.path.isfile(os.path.join(folder, name + ext)) for ext in ("", ".gz"))
               for name in fashion_mnist.FILES):
            return folder
    pytest.skip(f"Fashion-MNIST is not installed; {fashion_mnist.HOW_TO_GET}")
