"""A Keras-2-style API on passos: run Keras code with only the import line changed.

>>> from passos.keras.models import Sequential
>>> from passos.keras.layers import Dense
>>> model = Sequential([Dense(2, activation="softmax", input_shape=(3,))])
>>> model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
"""
from . import (activations, backend, callbacks, constraints, datasets, initializers, layers,
               losses, metrics, models, optimizers, preprocessing, regularizers, utils, wrappers)
from .models import Model, Sequential

__version__ = "2.2.4"  # the Keras release whose API passos.keras follows
__all__ = ["activations", "backend", "callbacks", "constraints", "datasets", "initializers",
           "layers", "losses", "metrics", "models", "optimizers", "preprocessing", "regularizers",
           "utils", "wrappers", "Model", "Sequential"]

from .unsupported import module_getattr as _module_getattr  # noqa: E402 (Keras names passos lacks)

__getattr__ = _module_getattr(__name__)
