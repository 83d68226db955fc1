"""A Keras-2-style API on passos: run Keras code with only the import line changed.

>>> from passos.keras.models import Sequential
>>> from passos.keras.layers import Dense
>>> model = Sequential([Dense(2, activation="softmax", input_shape=(3,))])
>>> model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
"""
from . import (activations, callbacks, datasets, initializers, layers, losses, metrics, models,
               optimizers, utils)
from . import preprocessing
from .models import Model, Sequential

__all__ = ["activations", "callbacks", "datasets", "initializers", "layers", "losses", "metrics",
           "models", "optimizers", "utils", "preprocessing", "Model", "Sequential"]
