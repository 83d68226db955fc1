"""Keras-style data sets: each load_data() returns ((x_train, y_train), (x_test, y_test))."""
from . import fashion_mnist
