"""The backward engine: the one reverse-mode walk, the vjp step it runs per node, and `no_grad`.

`walk` visits nodes in reverse topological order, hands each node's summed
gradient to a step that returns its inputs' gradients, sums gradients where a
value feeds several ops (the multivariable chain rule), and tells an observer
what each node sent. Every client uses it, with its own step:

* eager `Tensor.backward()` (here): the step runs the op's vjp on arrays
  (`input_grads`, which undoes broadcasting once, in `unbroadcast`);
* graph `gradients()` (passos.graph.gradients): the step builds a node that
  will run that same vjp when the plan runs;
* `passos.explain.trace`: the step runs the vjp on recorded values, and the
  observer writes down every local derivative and contribution.

Hook: `observers` holds walk observers `(tensor, g, sent)` for eager backward;
debug tools (`passos.debug.check_numerics`) register them while they need them.
"""
import contextlib
import threading

import numpy as np

from .shapes import unbroadcast


class _GradMode(threading.local):
    """Whether eager ops record for backward: per thread, so one thread's no_grad leaves others be."""

    enabled = True


grad_mode = _GradMode()
observers = []  # walk observers (tensor, g, sent) of every eager backward


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


def reverse_topological(root, inputs_of):
    """`root` and every node it is computed from, each before all of its inputs.

    inputs_of(node): the nodes to go on to (those that need gradients). The
    order is the reverse of a depth-first postorder, so every client (and a
    trace of it) adds the same gradients in the same order.
    """
    order, expanded = [], set()
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in expanded:  # reached again by another path: already placed
            continue
        expanded.add(id(node))
        stack.append((node, True))
        for x in inputs_of(node):
            if id(x) not in expanded:
                stack.append((x, False))
    order.reverse()
    return order


def walk(order, grads, step, observe=None):
    """The one backward walk: hand gradients from the output back through `order`.

    order: nodes, each before all of its inputs (the output first).
    grads: {id(node): gradient}, the seeds (d output / d output); consumed.
    step(node, g): called with each node's summed gradient `g`; returns
        [(input, gradient or None)], or None when the node sends nothing (a leaf).
    observe(node, g, sent): after a node's gradients are summed into its
        inputs; `sent` lists (input position, input, gradient, the input's sum
        so far) per gradient sent: explain's trace, debug tools (`observers`).
    Gradients of one value are summed with `+` (arrays; graph mode's lists of parts).
    Returns the gradients that reached no node of `order`.
    """
    for node in order:
        g = grads.pop(id(node), None)
        if g is None:
            continue
        pairs = step(node, g)
        if pairs is None:
            continue
        sent = [] if observe is not None else None
        for k, (x, gx) in enumerate(pairs):
            if gx is None:
                continue
            key = id(x)
            previous = grads.get(key)
            total = grads[key] = gx if previous is None else previous + gx
            if sent is not None:
                sent.append((k, x, gx, total))
        if sent is not None:
            observe(node, g, sent)
    return grads


def backward(root, grad, retain_graph, tensor_type):
    """Accumulate d(root)/d(leaf) into every leaf's `.grad` (chain rule, reverse order).

    Leaves, and tensors that asked for `retain_grad()`, keep their gradient.
    """
    def inputs_of(t):
        node = t._node
        if node is None:
            return ()
        if node.freed:
            raise RuntimeError(
                f"backward: the graph through '{node.op.kind}' was already used by an "
                "earlier backward() and its saved values were freed; call "
                "backward(retain_graph=True) the first time to go through it again, "
                "or recompute the forward pass")
        return [x for x in node.inputs if isinstance(x, tensor_type) and x.requires_grad]

    stored = set()  # one vjp may hand the same array to two inputs (a + b)

    def step(t, g):
        node = t._node
        if node is None or t._retain:
            if id(g) in stored or not g.flags.owndata:  # views may alias another .grad or be read-only
                g = g.copy()
            stored.add(id(g))
            t.grad = g if t.grad is None else t.grad + g
        if node is None:
            return None
        inputs = node.inputs
        needs = tuple(isinstance(x, tensor_type) and x.requires_grad for x in inputs)
        xs = tuple(x.data if isinstance(x, tensor_type) else x for x in inputs)
        gxs = input_grads(node.op, g, xs, node.y, node.saved, needs)
        if not retain_graph:
            node.saved = None
            node.freed = True
        return zip(inputs, gxs)

    walk(reverse_topological(root, inputs_of), {id(root): grad}, step,
         _tell_observers if observers else None)


def _tell_observers(t, g, sent):
    for observe in observers:
        observe(t, g, sent)
