"""Nodes with several outputs that gradients can flow through: a record and its picks.

A control-flow node (cond, case, while_loop) outputs one `Record` of its results; each
result is a `Pick` node reading one item. The gradient of a pick is a `Cotangent`
holding one item's gradient; cotangents of several picks add up (`+`), as the graph's
gradient walk sums gradients, into the one the control-flow node's vjp reads.
"""
import numpy as np

from ...core.op import Op


class Record:
    """The results of one run of a control-flow node (and what its gradient needs)."""

    shape = ()

    def __init__(self, items, saved):
        self.items, self.saved = items, saved


class Cotangent:
    """Gradients of some items of a record, by position."""

    shape = ()

    def __init__(self, grads):
        self.grads = grads

    def __add__(self, other):
        grads = dict(self.grads)
        for i, g in other.grads.items():
            grads[i] = g if i not in grads else grads[i] + g
        return Cotangent(grads)

    __radd__ = __add__

    def items(self, count):
        return [self.grads.get(i) for i in range(count)]


class RecordOp(Op):
    """Base of control-flow nodes: one output, a Record (its items are read by Pick nodes)."""

    def shape(self, *shapes):
        return ()

    def dtype(self, *dtypes):
        return np.dtype(object)


class Pick(Op):
    """Item `index` of a record, with the static shape and dtype that item has."""

    kind = "pick"

    def __init__(self, index, shape, dtype):
        self.index, self._shape, self._dtype = index, shape, np.dtype(dtype)

    def attrs(self):
        return {"item": self.index}

    def forward(self, record):
        return record.items[self.index]

    def vjp(self, gy, xs, y, saved, needs):
        return [Cotangent({self.index: gy})]

    def shape(self, record):
        return self._shape

    def dtype(self, record):
        return self._dtype


def picks(graph, node, shapes, dtypes, name):
    """One Pick node per item of the record `node` outputs."""
    return [graph.add_op(Pick(i, s, d), [node], name=f"{name}/output_{i}")
            for i, (s, d) in enumerate(zip(shapes, dtypes))]
