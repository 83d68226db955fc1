"""The primitive ops and the functions that apply them (eager or symbolic alike).

Importing this package gives the core's `Tensor` its Python operators and methods
(``+``, ``@``, ``x.sum()`` ..., see `operators`): the core cannot import the ops
it sits under, so the ops install them. `import passos` imports this package
first, so every passos module can rely on them without importing it for that.
It also imports every family that registers public functions
(`passos.core.registry`), so that the namespaces built from it are complete.
"""
from ..core.tensor import Tensor
from . import operators
from . import arithmetic, conv, creation, elementwise, matmul, movement, nn, pool, reduce, resize  # noqa: F401
from . import rnn  # noqa: F401
from . import activations  # noqa: F401
from . import conv_transpose, depthwise, gather  # noqa: F401

operators.install(Tensor)
