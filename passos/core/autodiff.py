"""The backward engine: reverse-mode gradients over recorded nodes, and `no_grad`.

One engine serves every front end: eager `Tensor.backward()` walks the nodes
that `apply` recorded; graph-mode `gradients()` asks `input_grads` for the
same vjps, one node at a time.
"""
import contextlib
import threading

import numpy as np

from . import numerics
from .shapes import unbroadcast


class _GradMode(threading.local):
    """Whether eager ops record for backward: per thread, so one thread's no_grad leaves others be."""

    enabled = True


grad_mode = _GradMode()


@contextlib.contextmanager
def no_grad():
    """Context in which eager ops record nothing for backward (inference, updates).

    >>> import passos
    >>> w = passos.tensor([1.0], requires_grad=True)
    >>> with passos.no_grad():
    ...     (w * 2).requires_grad
    False
    """
    previous = grad_mode.enabled
    grad_mode.enabled = False
    try:
        yield
    finally:
        grad_mode.enabled = previous


class Node:
    """What backward needs of one eager op call: the op, its inputs and residuals."""

    __slots__ = ("op", "inputs", "y", "saved", "freed")

    def __init__(self, op, inputs, y, saved):
        self.op = op
        self.inputs = inputs
        self.y = y
        self.saved = saved
        self.freed = False


def input_grads(op, gy, xs, y, saved, needs):
    """Gradients of `op`'s inputs, summed back to each input's shape."""
    grads = op.vjp(gy, xs, y, saved, needs)
    return [_fit(g, x) if need and g is not None else None
            for g, x, need in zip(grads, xs, needs)]


def input_grad(op, index, gy, xs, y, saved, needs):
    """The gradient of input `index` alone (a graph gradient node computes one each)."""
    return _fit(op.vjp(gy, xs, y, saved, needs)[index], xs[index])


def _fit(g, x):
    """`g` summed back to the shape of `x` where the forward pass broadcast `x`."""
    shape = np.shape(x)
    return g if g.shape == shape else unbroadcast(g, shape)


def _postorder(root, tensor_type):
    """Tensors that need gradients, each after all of its inputs (depth-first postorder)."""
    order, expanded = [], set()
    stack = [(root, False)]
    while stack:
        t, done = stack.pop()
        if done:
            order.append(t)
            continue
        if id(t) in expanded:  # reached again by another path: already placed
            continue
        expanded.add(id(t))
        stack.append((t, True))
        node = t._node
        if node is None:
            continue
        if node.freed:
            raise RuntimeError(
                f"backward: the graph through '{node.op.kind}' was already used by an "
                "earlier backward() and its saved values were freed; call "
                "backward(retain_graph=True) the first time to go through it again, "
                "or recompute the forward pass")
        for x in node.inputs:
            if isinstance(x, tensor_type) and x.requires_grad and id(x) not in expanded:
                stack.append((x, False))
    return order


def backward(root, grad, retain_graph, tensor_type):
    """Accumulate d(root)/d(leaf) into every leaf's `.grad` (chain rule, reverse order).

    Leaves, and tensors that asked for `retain_grad()`, keep their gradient.
    """
    order = _postorder(root, tensor_type)
    grads = {id(root): grad}
    stored = set()  # one vjp may hand the same array to two inputs (a + b)
    for t in reversed(order):
        g = grads.pop(id(t), None)
        if g is None:
            continue
        node = t._node
        if node is None or t._retain:
            if id(g) in stored or not g.flags.owndata:  # views may alias another .grad or be read-only
                g = g.copy()
            stored.add(id(g))
            t.grad = g if t.grad is None else t.grad + g
        if node is None:
            continue
        inputs = node.inputs
        needs = tuple(isinstance(x, tensor_type) and x.requires_grad for x in inputs)
        xs = tuple(x.data if isinstance(x, tensor_type) else x for x in inputs)
        gxs = input_grads(node.op, g, xs, node.y, node.saved, needs)
        if numerics.checking:
            numerics.check_vjp(node.op, gxs, xs, g, t.name)
        for x, gx in zip(inputs, gxs):
            if gx is None:
                continue
            key = id(x)
            previous = grads.get(key)
            grads[key] = gx if previous is None else previous + gx
        if not retain_graph:
            node.saved = None
            node.freed = True
