"""What TF1 graph tensors, variables and graphs have beyond passos's: x.eval(), op.run(), x // y ...

`register()` adds them through `passos.graph.extend`, so they work on nodes of every graph
and no core class is patched.
"""
from ...graph.graph import Graph, Symbol, VariableSymbol, extend
from . import math_ops as mo, variables as vs
from .framework import TensorShape, get_collection
from .graph_io import as_graph_def
from .operation import Operation
from .session import default_session_for


def _get_shape(self):
    if self.shape is None:
        raise ValueError(f"'{self.name}' has an unknown rank; its shape is only known when run")
    return TensorShape(self.shape)


def _eval(self, feed_dict=None, session=None):
    """The value of this tensor, computed by `session` or the default session."""
    return default_session_for(self, session, "eval").run(self, feed_dict)


def _run(self, feed_dict=None, session=None):
    """Run this operation in `session` or the default session (returns None)."""
    default_session_for(self, session, "run").run(self, feed_dict)


def _graph_collection(graph, key, scope=None):
    """The items in collection `key` of `graph`."""
    with graph.as_default():
        return get_collection(key, scope)


def _value_index(self):
    """Which output of its operation this tensor is (TF1's 'x:k' is output k)."""
    return self.primitive.offset or 0


def _consumers(self):
    """The operations that take this tensor as an input."""
    return [Operation(n) for n in self.graph.nodes[self.index + 1:]
            if any(x is self for x in Operation(n).inputs) and not n.primitive.offset]


def _operators():
    """TF1's // % & | ^ ~ on graph tensors, named as TF 1.15 names them ('floordiv', 'mod' ...)."""
    def named(fn, name):
        return lambda a, b: fn(a, b, name=name)
    return {"__floordiv__": named(mo.floordiv, "floordiv"),
            "__rfloordiv__": lambda a, b: mo.floordiv(b, a, name="floordiv"),
            "__mod__": named(mo.floormod, "mod"),
            "__rmod__": lambda a, b: mo.floormod(b, a, name="mod"),
            "__and__": named(mo.logical_and, "and"), "__or__": named(mo.logical_or, "or"),
            "__xor__": named(mo.logical_xor, "xor"), "__invert__": mo.logical_not}


def register():
    """Give graph nodes, variables and graphs the TF1 methods (once is enough; again is harmless)."""
    extend(Symbol, eval=_eval, run=_run, get_shape=_get_shape, value_index=property(_value_index),
           op=property(Operation), consumers=_consumers,
           **_operators())
    extend(VariableSymbol, load=vs.load, value=lambda v: v, read_value=lambda v: v)
    extend(Graph, get_operation_by_name=lambda g, name: Operation(g.get_tensor_by_name(name)),
           get_collection=_graph_collection, as_graph_def=as_graph_def)
