"""Update rules shared by the Keras and TensorFlow-1 front ends, on NumPy arrays in place.

>>> import numpy as np
>>> from passos.optim import SGD
>>> w = np.array([1.0]); SGD(learning_rate=0.1).step([w], [np.array([2.0])]); w
array([0.8])
"""
from .base import Optimizer
from .rules import SGD, Adadelta, Adagrad, Adam, Adamax, Ftrl, Nadam, RMSprop

__all__ = ["Optimizer", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adam", "Adamax", "Nadam",
           "Ftrl"]
