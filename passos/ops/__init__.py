"""The primitive ops and the functions that apply them (eager or symbolic alike)."""
from ..core.tensor import Tensor
from . import operators

operators.install(Tensor)
