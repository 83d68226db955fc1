"""Symbolic gradients: graph nodes that call the same vjps as eager backward.

For every node on a path from `xs` to `ys`, one `VjpOp` node per input asks
`input_grads` (the engine's vjp-and-unbroadcast step) for that input's
gradient; several paths into one value are summed with `add` nodes.
"""
import numpy as np

from ..core.autodiff import input_grad
from ..core.op import Op
from ..ops.arithmetic import add
from ..ops.creation import ones_like
from .graph import Symbol
from .sources import SavedOf


class VjpOp(Op):
    """Gradient of input `index` of `op`: inputs are (gy, *op_inputs, y, saved)."""

    def __init__(self, op, index, arity):
        self.op, self.index, self.arity = op, index, arity
        self.kind = f"{op.kind}_grad"
        self.needs = tuple(i == index for i in range(arity))

    def attrs(self):
        return {"input": self.index}

    def forward(self, gy, *rest):
        arity = self.arity
        return input_grad(self.op, self.index, gy, rest[:arity], rest[arity], rest[arity + 1],
                          self.needs)

    def shape(self, gy, *rest):
        return rest[self.index]

    def dtype(self, gy, *rest):
        x = rest[self.index]
        return x if isinstance(x, np.dtype) and x.kind in "fc" else np.result_type(gy)


def _depends_on(ys, xs):
    """Ids of the nodes that are, or are computed from, any of `xs`."""
    graph = ys[0].graph
    reached = {id(x) for x in xs}
    for node in graph.nodes[min(x.index for x in xs):]:
        if any(isinstance(i, Symbol) and id(i) in reached for i in node.inputs):
            reached.add(id(node))
    return reached


def gradients(ys, xs, grad_ys=None):
    """Symbols for d(sum of ys)/dx for each x in `xs` (None where x does not reach ys)."""
    ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
    single = not isinstance(xs, (list, tuple))
    xs = [xs] if single else list(xs)
    if not xs:
        return []
    graph = ys[0].graph
    grad_ys = grad_ys if isinstance(grad_ys, (list, tuple)) else [grad_ys] * len(ys)
    reached = _depends_on(ys, xs)
    # 1. seed: dy/dy = 1 (or the given grad_ys)
    pending = {}
    for y, gy in zip(ys, grad_ys):
        seed = ones_like(y) if gy is None else gy
        pending.setdefault(id(y), []).append(seed)
    # 2. walk nodes in reverse creation order, which is a reverse topological order
    last = max(y.index for y in ys)
    done = {}
    for node in reversed(graph.nodes[:last + 1]):
        parts = pending.pop(id(node), None)
        if parts is None or id(node) not in reached:
            continue
        g = parts[0]
        for part in parts[1:]:
            g = add(g, part)
        done[id(node)] = g
        if not node.op.differentiable:
            continue
        arity = len(node.inputs)
        extra = [node, graph.add_op(SavedOf(), [node]) if node.op.saves else None]
        for i, x in enumerate(node.inputs):
            if isinstance(x, Symbol) and id(x) in reached:
                gx = graph.add_op(VjpOp(node.op, i, arity), [g, *node.inputs, *extra])
                pending.setdefault(id(x), []).append(gx)
    result = [done.get(id(x)) for x in xs]
    return result[0] if single else result
