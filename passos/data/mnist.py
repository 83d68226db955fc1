"""MNIST and Boston housing from Keras' published .npz files (numbers only, no pickle).

>>> import numpy as np
>>> split_shuffled(np.arange(5), np.arange(5), test_split=0.4, seed=113)[1][0].shape
(2,)
"""
import numpy as np

from . import keras_files
from .npz_file import load_npz


def _entries(key, who, path, names):
    """The arrays `names` of data file `key` (found or downloaded), each checked present."""
    file = keras_files.find_or_download(key, who, path)
    arrays = load_npz(file, who)
    missing = [name for name in names if name not in arrays]
    if missing:
        raise ValueError(f"{who}: {file} lacks the entries {missing} (it has {sorted(arrays)}); "
                         f"is it Keras' {key}?")
    return file, [arrays[name] for name in names]


def load_mnist(path="mnist.npz"):
    """MNIST digits as ((x_train, y_train), (x_test, y_test)): uint8 (n, 28, 28) and (n,)."""
    who = "mnist.load_data"
    file, (x_train, y_train, x_test, y_test) = _entries(
        "mnist.npz", who, path, ["x_train", "y_train", "x_test", "y_test"])
    for x, y, part in ((x_train, y_train, "train"), (x_test, y_test, "test")):
        if x.ndim != 3 or y.shape != x.shape[:1]:
            raise ValueError(f"{who}: {file} has x_{part} of shape {x.shape} and y_{part} of "
                             f"shape {y.shape}; expected (n, 28, 28) images and n labels")
    return (x_train, y_train), (x_test, y_test)


def split_shuffled(x, y, test_split, seed):
    """x and y shuffled together by `seed` (as Keras' np.random.seed then shuffle), then split."""
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


def load_boston_housing(path="boston_housing.npz", test_split=0.2, seed=113):
    """Boston house prices: x float64 (n, 13) features, y float64 (n,) prices in $1000s."""
    who = "boston_housing.load_data"
    if not 0 <= test_split < 1:
        raise ValueError(f"{who}: test_split must be in [0, 1), got {test_split!r}")
    file, (x, y) = _entries("boston_housing.npz", who, path, ["x", "y"])
    if x.ndim != 2 or y.shape != x.shape[:1]:
        raise ValueError(f"{who}: {file} has x of shape {x.shape} and y of shape {y.shape}; "
                         "expected (n, 13) and (n,)")
    return split_shuffled(x, y, test_split, seed)
