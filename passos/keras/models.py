"""Keras models: `Sequential`, functional `Model`, and `load_model`."""
from . import saving as _saving
from .engine.sequential import Sequential
from .engine.training import Model


def load_model(filepath, custom_objects=None, compile=True):
    """The model saved by `model.save(filepath)`: architecture, weights and compile settings.

    custom_objects maps class names to layer classes of your own; with
    compile=False the model comes back uncompiled.
    """
    return _saving.load_model(filepath, custom_objects, compile)


__all__ = ["Sequential", "Model", "load_model"]
