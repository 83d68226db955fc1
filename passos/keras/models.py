"""Keras models: `Sequential`, functional `Model`, and `load_model`."""
from .engine.sequential import Sequential
from .engine.training import Model

__all__ = ["Sequential", "Model"]
