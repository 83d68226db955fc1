"""passos: a deep-learning framework on NumPy that shows every number it computes.

The eager API lives here, the graph API in `passos.graph`. The op functions (passos.exp,
passos.matmul ...) are those registered for "passos" in `passos.core.registry`.

>>> import passos
>>> x = passos.tensor([1.0, 2.0], requires_grad=True)
>>> (x * x).sum().backward()
>>> x.grad
array([2., 4.], dtype=float32)
"""
from . import ops as _ops  # registers the op functions and installs the tensor operators
from .core import registry as _registry
from .core.autodiff import no_grad
from .core.shapes import ShapeError
from .kernels.threads import compute_threads
from .core.tensor import Tensor, tensor
from .gradcheck import GradientCheckError, gradcheck
from .ops import random
from . import debug, info

globals().update(_registry.namespace("passos"))

__version__ = "0.1.0"
float32, float64, int32, int64 = "float32", "float64", "int32", "int64"
from .ops.windows import conv_output_size
