"""What cifar10 and cifar100 share: Keras' `load_batch`, and images in Keras' channel order."""
from ...data.cifar import load_batch, load_cifar
from .. import backend

__all__ = ["load_batch"]


def load_channels_last(name, label_key="labels"):
    """load_cifar(name), images (n, 32, 32, 3) unless K.image_data_format() is channels_first."""
    (x_train, y_train), (x_test, y_test) = load_cifar(name, label_key)
    if backend.image_data_format() == "channels_last":
        x_train, x_test = x_train.transpose(0, 2, 3, 1), x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)
