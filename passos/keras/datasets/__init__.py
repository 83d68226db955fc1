"""Keras-style data sets: each load_data() returns ((x_train, y_train), (x_test, y_test)).

Files are looked for in $PASSOS_DATA, ~/.keras/datasets and ~/.passos/datasets under
Keras' names, else downloaded once (see passos.data.keras_files).
"""
from . import boston_housing, cifar10, cifar100, fashion_mnist, imdb, mnist, reuters

__all__ = ["boston_housing", "cifar10", "cifar100", "fashion_mnist", "imdb", "mnist", "reuters"]

from ..unsupported import module_getattr as _module_getattr  # noqa: E402 (Keras names passos lacks)

__getattr__ = _module_getattr(__name__)
