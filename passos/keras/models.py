"""Keras models: `Sequential`, functional `Model`, and `load_model`."""
from .engine.sequential import Sequential
from .engine.training import Model
from .saving import load_model

__all__ = ["Sequential", "Model", "load_model"]

from .unsupported import module_getattr as _module_getattr  # noqa: E402 (Keras names passos lacks)

__getattr__ = _module_getattr(__name__)
