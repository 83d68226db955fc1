"""Fashion-MNIST under its Keras name: passos.keras.datasets.fashion_mnist.load_data()."""
from ...data.fashion_mnist import load_data

__all__ = ["load_data"]
