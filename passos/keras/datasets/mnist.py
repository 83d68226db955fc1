"""MNIST handwritten digits: keras.datasets.mnist.load_data(path='mnist.npz')."""
from ...data.mnist import load_mnist as load_data

__all__ = ["load_data"]
