"""The course's two Fashion-MNIST models and data preparation, shared by the CLI and benchmarks."""
import numpy as np

from ..keras.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D
from ..keras.models import Sequential
from ..keras.utils import to_categorical


def dfn():
    """The deep feedforward network: 784 -> 128 -> 128 -> 128 -> 10 (ReLU, softmax)."""
    return Sequential([
        Dense(128, activation="relu", input_shape=(784,)),
        Dense(128, activation="relu"),
        Dense(128, activation="relu"),
        Dense(10, activation="softmax"),
    ], name="dfn")


def cnn():
    """CONV -> POOL -> CONV -> POOL -> Dropout -> FC 256 -> Dropout -> softmax, as in the course."""
    return Sequential([
        Conv2D(32, (3, 3), padding="same", activation="relu", input_shape=(28, 28, 1)),
        MaxPooling2D(pool_size=(2, 2)),
        Conv2D(32, (3, 3), padding="same", activation="relu"),
        MaxPooling2D(pool_size=(2, 2)),
        Dropout(0.25),
        Flatten(),
        Dense(256, activation="relu"),
        Dropout(0.5),
        Dense(10, activation="softmax"),
    ], name="cnn")


MODELS = {"dfn": dfn, "cnn": cnn}


def prepare(images, labels, model_name):
    """Scale pixels to [0, 1], shape them for the model, and one-hot the labels."""
    x = images.astype(np.float32) / 255.0
    x = x.reshape(len(x), 784) if model_name == "dfn" else x.reshape(len(x), 28, 28, 1)
    return x, to_categorical(labels, 10)
