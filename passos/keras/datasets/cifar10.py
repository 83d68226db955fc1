"""CIFAR-10: 32x32 colour photos in ten classes, keras.datasets.cifar10.load_data()."""
from .cifar import load_channels_last

__all__ = ["load_data"]


def load_data():
    """((x_train, y_train), (x_test, y_test)): uint8 images (50000, 32, 32, 3), labels (n, 1)."""
    return load_channels_last("cifar10")
