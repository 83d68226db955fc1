"""tf.py_func and tf.numpy_function: a graph node that calls Python on NumPy values at run time.

The outputs' dtypes come from `Tout`, their shapes are unknown. The node has no gradient
(TF1's py_func has none): tf.gradients through it gives None.

>>> import numpy as np, passos.compat.v1 as tf
>>> with tf.Graph().as_default():
...     y = tf.py_func(lambda a: np.sort(a), [tf.constant([3.0, 1.0, 2.0])], tf.float32)
...     tf.Session().run(y).tolist()
[1.0, 2.0, 3.0]
"""
import numpy as np

from ...core.op import Op
from ...graph.graph import get_default_graph
from ...graph.sources import OutputOf
from . import dtypes
from .framework import convert_to_tensor


class PyFuncOp(Op):
    """Calls `func` on its inputs' arrays; one plan slot per dtype in `to`."""

    kind = "py_func"
    differentiable = False

    def __init__(self, func, to, name):
        self.func, self.to, self.name = func, to, name
        self.width = len(to)

    def attrs(self):
        return {"func": getattr(self.func, "__name__", repr(self.func)),
                "Tout": [str(d) for d in self.to]}

    def shape(self, *shapes):
        return None

    def dtype(self, *dtypes):
        return self.to[0]

    def bind(self, session, node):
        return self.call

    def call(self, *xs):
        result = self.func(*xs)
        results = list(result) if isinstance(result, (list, tuple)) else [result]
        if len(results) != len(self.to):
            raise ValueError(f"py_func '{self.name}': {getattr(self.func, '__name__', 'func')} "
                             f"returned {len(results)} value(s), Tout names {len(self.to)} "
                             f"({', '.join(str(d) for d in self.to)})")
        arrays = [np.asarray(r).astype(d, copy=False) for r, d in zip(results, self.to)]
        return arrays[0] if self.width == 1 else arrays


def py_func(func, inp, Tout, stateful=True, name=None):  # noqa: N803 (TF1's names)
    """The result(s) of func(*values of inp) at run time: one tensor when Tout is one dtype, a
    list when Tout is a list. `stateful` is accepted for TF1 code (passos never merges nodes)."""
    graph = get_default_graph()
    single = not isinstance(Tout, (list, tuple))
    to = [dtypes.as_dtype(t).dtype for t in ([Tout] if single else Tout)]
    if not to:
        raise ValueError("py_func: Tout is empty; name at least one output dtype")
    values = [convert_to_tensor(x) for x in inp]
    node = graph.add_op(PyFuncOp(func, to, name or "PyFunc"), values, name=name or "PyFunc")
    if single:
        return node
    return [node] + [graph.add_op(OutputOf(i, None, d), [node], name=f"{node.node_name}:{i}")
                     for i, d in enumerate(to[1:], 1)]


def numpy_function(func, inp, Tout, name=None):  # noqa: N803
    """tf.numpy_function: py_func with NumPy arrays in and out."""
    return py_func(func, inp, Tout, name=name)
