"""Debugging aids: `check_numerics()` finds the first op that gives NaN or infinity.

>>> import passos
>>> with passos.debug.check_numerics():
...     y = passos.sqrt(passos.tensor([1.0, 2.0]))
"""
from .core.numerics import NonFiniteError, check_numerics

__all__ = ["check_numerics", "NonFiniteError"]
