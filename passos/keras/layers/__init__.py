"""Keras layers (also importable from the Keras 2 submodules core, convolutional, pooling ...)."""
from ..engine.base_layer import Layer
from .core import Activation, Dense, Dropout, Flatten, Input, InputLayer, Reshape
