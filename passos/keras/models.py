"""Keras models: `Sequential`, functional `Model`, and `load_model`."""
from .engine.sequential import Sequential
from .engine.training import Model
from .saving import load_model

__all__ = ["Sequential", "Model", "load_model"]
