"""The primitive ops and the functions that apply them (eager or symbolic alike).

Importing this package imports every family that registers public functions
(`passos.core.registry`), so that the namespaces built from it are complete.
"""
from ..core.tensor import Tensor
from . import operators
from . import arithmetic, conv, creation, elementwise, matmul, movement, nn, pool, reduce, resize  # noqa: F401

operators.install(Tensor)
