"""The primitive ops and the functions that apply them (eager or symbolic alike).

Importing it installs the core's `Tensor` operators and methods (``+``, ``@``, ``x.sum()``;
the core cannot import the ops above it) and every family's registered functions, so the
namespaces built from `passos.core.registry` are complete. `import passos` imports it first.
"""
from ..core.tensor import Tensor
from . import operators
from . import arithmetic, conv, creation, elementwise, matmul, movement, nn, pool, reduce, resize  # noqa: F401
from . import rnn  # noqa: F401
from . import activations  # noqa: F401
from . import conv_transpose, depthwise, einsum, gather, select  # noqa: F401
from . import scatter, sequence  # noqa: F401

operators.install(Tensor)
