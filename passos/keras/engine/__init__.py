"""The Keras engine: layers, functional graphs, models and their compiled plans."""
from . import op_layer  # noqa: F401 - gives KerasTensor its operators
