"""Symbolic gradients: the engine's one backward walk, building nodes that call the same vjps.

`gradients` runs `passos.core.autodiff.walk` over the graph in reverse
creation order; its step, for every node on a path from `xs` to `ys`, adds
one `VjpOp` node that asks `input_grads` (the engine's vjp-and-unbroadcast
step) for the gradients of its inputs that lead to `xs`; several paths into
one value are summed with `add` nodes.
"""
import numpy as np

from ..core.autodiff import input_grad, input_grads, walk
from ..core.op import Op
from ..ops.arithmetic import add
from ..ops.creation import ones_like
from .graph import Symbol
from .sources import OutputOf, SavedOf


class VjpOp(Op):
    """Gradients of the inputs of `op` flagged in `needs`: inputs are (gy, *op_inputs, y, saved).

    One node per forward node: with one needed input it outputs that gradient;
    with several, a plan slot each (`width`), read through OutputOf nodes.
    """

    def __init__(self, op, needs):
        self.op, self.needs = op, needs
        self.kind = f"{op.kind}_grad"
        self.indices = [i for i, need in enumerate(needs) if need]
        self.width = len(self.indices)

    def attrs(self):
        return {"inputs": self.indices}

    def forward(self, gy, *rest):
        arity = len(self.needs)
        xs, y, saved = rest[:arity], rest[arity], rest[arity + 1]
        if self.width == 1:
            return input_grad(self.op, self.indices[0], gy, xs, y, saved, self.needs)
        grads = input_grads(self.op, gy, xs, y, saved, self.needs)
        return [grads[i] for i in self.indices]

    def shape(self, gy, *rest):
        return rest[self.indices[0]] if self.width == 1 else ()

    def dtype(self, gy, *rest):
        if self.width > 1:
            return np.dtype(object)
        return _grad_dtype(gy, rest[self.indices[0]])


def _grad_dtype(gy, x):
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
    # 1. seed: dy/dy = 1 (or the given grad_ys). Gradients travel as lists of parts, which
    #    the walk joins (list + list); the node receiving them sums them, so that the add
    #    nodes are marked with that node's origin
    seeds = {}
    for y, gy in zip(ys, grad_ys):
        with graph.origin(graph.origin_of(y)[0], backward=True):
            seed = ones_like(y) if gy is None else gy
        seeds.setdefault(id(y), []).append(seed)
    done = {}

    def step(node, parts):
        if id(node) not in reached:
            return None
        with graph.origin(graph.origin_of(node)[0], backward=True):
            return _node_grads(graph, node, parts, reached, done)

    # 2. walk nodes in reverse creation order, which is a reverse topological order
    last = max(y.index for y in ys)
    walk(reversed(graph.nodes[:last + 1]), seeds, step)
    result = [done.get(id(x)) for x in xs]
    return result[0] if single else result


def _node_grads(graph, node, parts, reached, done):
    """Sum the gradient parts reaching `node`; its inputs' parts from one VjpOp node (or None)."""
    g = parts[0]
    for part in parts[1:]:
        g = add(g, part)
    done[id(node)] = g
    needs = tuple(isinstance(x, Symbol) and id(x) in reached for x in node.inputs)
    if not any(needs):
        return None
    if isinstance(node.primitive, (VjpOp, OutputOf)):  # the path goes on through it: no vjp of its own
        raise NotImplementedError(
            f"gradients: the path to the inputs goes through the gradient node '{node.name}' "
            f"({node.primitive.kind}); graph-mode second derivatives are not supported yet. Take "
            "gradients of the original expression, or compute the second derivative by hand")
    if not node.primitive.differentiable:
        return None
    extra = [node, graph.add_op(SavedOf(), [node]) if node.primitive.saves else None]
    vjp = graph.add_op(VjpOp(node.primitive, needs), [g, *node.inputs, *extra])
    sent = []
    for k, i in enumerate(vjp.primitive.indices):
        x = node.inputs[i]
        gx = vjp if vjp.primitive.width == 1 else graph.add_op(
            OutputOf(k, x.shape, _grad_dtype(g.dtype, x.dtype)), [vjp],
            name=f"{vjp.node_name}/{i}")
        sent.append((x, [gx]))
    return sent
