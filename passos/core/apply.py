"""`apply(op, *inputs)`: the one place that knows whether we run now or build a graph.

* Concrete inputs: run ``op.forward`` now; when gradients are on and an input
  requires grad, record a Node for backward (eager, define-by-run).
* A symbolic input: hand the op to that input's graph, which checks shapes with
  ``op.shape`` and records a node to run later (define-then-run).
* While a call is traced into a graph (`tracing`), an op on eager tensors alone
  goes to that graph too, its tensors captured live: a weight used on its own
  (``exp(self.s)``, a reshaped bias) is read at each run and trained, never
  frozen into the graph as the value it had at trace time.

Hook: `observers` holds functions `(op, input arrays, output array, name)` told of
each eager forward after it ran; debug tools (`passos.debug.check_numerics`)
register them, so the core carries no debugging code and, with none set, pays
one test of an empty list per op.
"""
import contextlib
import math
import threading

import numpy as np

from .autodiff import Node, grad_mode
from .dtypes import as_array
from .shapes import ShapeError, describe
from .tensor import Tensor


class Symbolic:
    """Marker base for graph-mode tensors; each has a `.graph` that builds nodes."""

    __slots__ = ()


_SCALARS = (int, float, bool)
_traced = threading.local()  # .graph: the graph this thread is tracing a call into
observers = []  # functions (op, xs, out, name) called after each eager forward


def tracing_graph():
    """The graph this thread is tracing a call into, or None."""
    return getattr(_traced, "graph", None)


@contextlib.contextmanager
def tracing(graph):
    """Inside, ops on eager tensors are recorded in `graph`, their tensors captured live."""
    outer = tracing_graph()
    _traced.graph = graph
    try:
        yield
    finally:
        _traced.graph = outer


def constant_input(x, who="tensor"):
    """A non-tensor input to the op `who` as it sees it: Python scalars stay weak, the rest arrays."""
    if isinstance(x, np.generic):  # first: np.float64 is also a Python float
        return x.item()
    if isinstance(x, _SCALARS):
        return x
    return as_array(x, who=who)


def apply(op, *inputs, name=None):
    """Apply `op` to tensors, symbols or plain values and return the result.

    `name` labels the result (eager) or its graph node (symbolic), as the
    course labels z1, h1, H: traces, drawings and TensorBoard show it.
    """
    xs = []
    record = eager = False
    for x in inputs:
        if isinstance(x, Tensor):
            xs.append(x.data)
            record = record or x.requires_grad
            eager = True
        elif isinstance(x, Symbolic):
            return x.graph.add_op(op, inputs, name=name)
        else:
            xs.append(constant_input(x, op.kind))
    if eager and getattr(_traced, "graph", None) is not None:
        return _traced.graph.add_op(op, inputs, name=name)
    try:
        out = op.forward(*xs)
    except (ValueError, IndexError, TypeError) as error:
        raise _explain_failure(op, xs, error) from error
    except MemoryError as error:
        raise out_of_memory(error, op.kind, xs, name) from error
    saved = None
    if op.saves:
        out, saved = out
    if type(out) is not np.ndarray:
        out = np.asarray(out)
    if observers:
        for observe in observers:
            observe(op, xs, out, name)
    result = Tensor(out, name=name)
    if record and grad_mode.enabled and op.differentiable:
        result.requires_grad = True
        result._node = Node(op, tuple(x if isinstance(x, Tensor) else c
                                      for x, c in zip(inputs, xs)), out, saved)
    return result


def _explain_failure(op, xs, error):
    """Turn a NumPy failure into an error naming the op and the input shapes."""
    shapes = [np.shape(x) for x in xs]
    if isinstance(error, ShapeError):
        return error
    try:
        op.shape(*shapes)
    except ShapeError as shape_error:
        return shape_error
    except NotImplementedError:
        pass
    listed = ", ".join(describe(s) for s in shapes)
    base = next(c for c in (IndexError, TypeError, ValueError) if isinstance(error, c))
    return base(f"{op.kind}: failed on inputs of shapes {listed}: {error}")


def out_of_memory(error, op, xs, node=None, layer=None):
    """A MemoryError naming `op` (its node and layer when known) and the bytes it asked for."""
    shape, dtype = getattr(error, "shape", None), getattr(error, "dtype", None)
    asked = ""
    if shape is not None and dtype is not None:
        size = math.prod(shape) * np.dtype(dtype).itemsize
        asked = f" asking for {size} bytes ({size / 2**30:.3g} GiB, shape {describe(shape)} {dtype})"
    where = f"'{op}'" + (f" (node '{node}')" if node else "") + (
        f" in layer '{layer}'" if layer else "")
    inputs = ", ".join(describe(np.shape(x)) for x in xs)
    return MemoryError(f"{where} ran out of memory{asked}; its inputs have shapes {inputs}: "
                       f"use smaller batches or inputs ({error})")
