"""Debugging aids: `check_numerics()` finds the first op that gives NaN or infinity.

They reach the core and plans only through the hooks those declare (`core.apply`,
`core.autodiff`, `graph.session`).

>>> import passos
>>> with passos.debug.check_numerics():
...     y = passos.sqrt(passos.tensor([1.0, 2.0]))
"""
from .numerics import check_numerics
from .report import NonFiniteError

__all__ = ["check_numerics", "NonFiniteError"]
