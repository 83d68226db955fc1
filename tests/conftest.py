"""Fixtures shared by the test folders."""
import numpy as np
import pytest

import passos.keras.datasets.fashion_mnist as keras_fashion_mnist
from passos.data import fashion_mnist


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
