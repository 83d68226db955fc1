"""`trace(y)`: every value a computation makes, and every gradient backward sends, step by step.

The backward steps are the engine's own walk (`passos.core.autodiff.walk`) with each op's
vjp; an observer shows, per input, the local derivative, the contribution sent and the
gradient accumulated so far: where a value feeds several ops, the running sum adds up the paths.

>>> import passos
>>> from passos.explain import trace
>>> x = passos.tensor([1.0, 2.0], requires_grad=True, name="x")
>>> t = trace(passos.sum(passos.exp(x, name="h"), name="L"))
>>> [step["formula"] for step in t.to_dict()["forward"]]
['x (parameter)', 'h = exp(x)', 'L = sum(h)']
>>> t.node("x").grad.tolist() == passos.exp(x).numpy().tolist()
True

`Trace.to_dict()` is JSON-serialisable, with exactly this contract::

    {"output": id,                       # the id of the node y
     "nodes": [{"id": int,               # 0, 1, ... in forward order
                "name": str,             # the user's name (tensor.name, name=, Symbol.name), else
                                         # the graph's / kind_1 ...; leaves: input_1, parameter_1 ...
                "op": str,               # the op kind, or "input" / "parameter" / "constant"
                "inputs": [ids],
                "shape": [ints],
                "value": summary,
                "grad": summary or null, # dy/d(node); null where no gradient flows
                "scope": str}],          # "" or a '/'-separated scope (e.g. a Keras layer name)
     "forward": [{"node": id, "formula": str, "value": summary}],   # e.g. "h = exp(z)"
     "backward": [{"node": id, "incoming": summary,                 # dy/d(node)
                   "contributions": [{"input": id,
                                      "local": str,                 # e.g. "∂(a/b)/∂b = -a/b²"
                                      "local_value": summary or null,  # elementwise ops only
                                      "contribution": summary,      # this input's share of the vjp
                                      "accumulated": summary}]}]}   # dy/d(input) so far

A summary is `values.summary`: all values up to 16 elements, else min/mean/max, with non-finite
numbers as "nan", "inf", "-inf" so the JSON stays strict. Forward steps come in topological order
(leaves included); backward steps in the order the engine visits them (reverse topological).
"""
import json

import numpy as np

from ..core.autodiff import input_grads, reverse_topological, walk
from ..core.tensor import Tensor
from ..graph.graph import Symbol
from .capture import capture_eager, capture_graph
from .formulas import local_formulas, local_values
from .values import fmt_number, fmt_value, summary


class ForwardStep:
    """A node's value and the formula that made it."""

    __slots__ = ("node", "formula", "value")

    def __init__(self, node, formula, value):
        self.node, self.formula, self.value = node, formula, value


class Contribution:
    """What one backward step sends to one input; that input's gradient and arrivals so far."""

    __slots__ = ("input", "local", "local_value", "contribution", "accumulated", "arrivals")

    def __init__(self, input, local, local_value, contribution, accumulated, arrivals):
        self.input, self.local, self.local_value = input, local, local_value
        self.contribution, self.accumulated, self.arrivals = contribution, accumulated, arrivals


class BackwardStep:
    """One node's incoming gradient, handed on to its inputs through the op's vjp."""

    __slots__ = ("node", "incoming", "contributions")

    def __init__(self, node, incoming, contributions):
        self.node, self.incoming, self.contributions = node, incoming, contributions


class Trace:
    """The forward and backward steps of one scalar result; see the module docstring."""

    def __init__(self, nodes, output, forward, backward, mode):
        self.nodes, self.output, self.forward, self.backward = nodes, output, forward, backward
        self.mode = mode  # "eager" or "graph"

    def node(self, key):
        """The node with this id or name (the first in forward order with that name)."""
        if isinstance(key, (int, np.integer)):
            return self.nodes[int(key)]
        for node in self.nodes:
            if node.name == key:
                return node
        raise KeyError(f"trace: no node named {key!r}; the nodes are "
                       f"{[n.name for n in self.nodes]}")

    def value(self, key):
        return self.node(key).value

    def grad(self, key):
        return self.node(key).grad

    def step(self, key):
        """The backward step of node `key` (None for leaves and nodes no gradient reached)."""
        target = self.node(key).id
        return next((s for s in self.backward if s.node == target), None)

    def contributions_to(self, key):
        """[(from node, Contribution)] for every gradient sent to `key`, in the order they arrive."""
        target = self.node(key).id
        return [(self.nodes[s.node], c) for s in self.backward for c in s.contributions
                if c.input == target]

    def table(self, digits=4):
        """The forward and backward steps as a readable text table."""
        from .table import trace_table
        return trace_table(self, digits)

    def __str__(self):
        return self.table()

    def _repr_html_(self):
        """The table as HTML, for Jupyter."""
        from .table import trace_table_html
        return trace_table_html(self)

    def __repr__(self):
        return (f"<Trace of '{self.nodes[self.output].name}' ({self.mode}): {len(self.nodes)} "
                f"nodes, {len(self.backward)} backward steps>")

    def to_dict(self):
        """JSON-serialisable data with the contract in the module docstring."""
        return {"output": self.output,
                "nodes": [{"id": n.id, "name": n.name, "op": n.op, "inputs": list(n.inputs),
                           "shape": [int(d) for d in n.shape], "value": summary(n.value),
                           "grad": summary(n.grad), "scope": n.scope} for n in self.nodes],
                "forward": [{"node": s.node, "formula": s.formula, "value": summary(s.value)}
                            for s in self.forward],
                "backward": [{"node": s.node, "incoming": summary(s.incoming),
                              "contributions": [{"input": c.input, "local": c.local,
                                                 "local_value": summary(c.local_value),
                                                 "contribution": summary(c.contribution),
                                                 "accumulated": summary(c.accumulated)}
                                                for c in s.contributions]} for s in self.backward]}

    def to_json(self, indent=None):
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def trace(y, feed_dict=None, session=None, inputs_grad=False):
    """Trace the forward values and backward gradients of the scalar `y`.

    y: an eager Tensor that requires grad (trace it before backward(), or use
       backward(retain_graph=True), when an op saved values for backward), or a graph Symbol run
       with `feed_dict` through `session` (a fresh Session when None; variables need one initialised).
    inputs_grad: also send gradients to floating-point inputs (tensors that do not require
       grad, placeholders), e.g. to see dL/dx.
    Returns a Trace: `.forward`, `.backward`, `.nodes`, `.table()`, `.to_dict()`.
    """
    if isinstance(y, Symbol):
        nodes, mode = capture_graph(y, feed_dict, session), "graph"
    elif isinstance(y, Tensor):
        if feed_dict is not None:
            raise ValueError("trace(): feed_dict is for graph-mode symbols; an eager tensor "
                             "already holds its values")
        if not y.requires_grad:
            raise ValueError("trace(): the result does not require grad, so there is no "
                             "backward pass to show; create the parameters with "
                             "passos.tensor(..., requires_grad=True)")
        nodes, mode = capture_eager(y), "eager"
    else:
        raise TypeError(f"trace(): expects a passos Tensor or graph Symbol, got "
                        f"{type(y).__name__}")
    output = len(nodes) - 1
    if np.size(nodes[output].value) != 1:
        raise ValueError(f"trace(): '{nodes[output].name}' has shape {nodes[output].shape}; "
                         "trace a single number (reduce it first, e.g. with passos.sum or mean)")
    requires = requirements(nodes, inputs_grad)
    if mode == "graph":  # reverse creation order, as gradients() walks
        order = [n.id for n in reversed(nodes) if requires[n.id]]
    else:  # the eager engine's order, so that sums add up in the same order as backward()
        order = engine_order(nodes, output, requires)
    steps, grads = backward_pass(nodes, output, order, requires,
                                 [n.value for n in nodes], [n.saved for n in nodes])
    for node in nodes:
        g = grads.get(node.id)
        node.grad = None if g is None else np.array(g)
    forward = [ForwardStep(n.id, formula(n, nodes), n.value) for n in nodes]
    return Trace(nodes, output, forward, steps, mode)


def requirements(nodes, inputs_grad=False):
    """Per node: does it need a gradient? Parameters do, and ops computed from them."""
    requires = []
    for n in nodes:
        if n.is_leaf:
            floating = np.asarray(n.value).dtype.kind in "fc"
            requires.append(n.op == "parameter" or (inputs_grad and n.op == "input" and floating))
        else:
            requires.append(bool(n.fn.differentiable) and any(requires[i] for i in n.inputs))
    return requires


def engine_order(nodes, output, requires):
    """Node ids in the order eager backward() visits them (the same reverse topological walk)."""
    def inputs_of(node):
        return () if node.is_leaf else [nodes[i] for i in node.inputs if requires[i]]
    return [n.id for n in reverse_topological(nodes[output], inputs_of)]


def backward_pass(nodes, output, order, requires, values, saved, explain=True):
    """Steps and {node id: gradient}: the engine's walk over `order`; `explain` records the steps."""
    totals, steps, arrivals = {}, [], {}

    def step(node, g):  # `order` holds the nodes that require a gradient: ops reach a vjp
        totals[node.id] = g
        if node.is_leaf:
            return None
        needs = tuple(requires[i] for i in node.inputs)
        xs = tuple(values[i] for i in node.inputs)
        gxs = input_grads(node.fn, g, xs, values[node.id], saved[node.id], needs)
        return [(nodes[i], gx) for i, gx in zip(node.inputs, gxs)]

    def observe(node, g, sent):
        xs = tuple(values[i] for i in node.inputs)
        texts = local_formulas(node.fn, len(xs))
        needs = tuple(requires[i] for i in node.inputs)
        local = local_values(node.fn, xs, values[node.id], saved[node.id], needs)
        contributions = []
        for k, x, gx, total in sent:
            arrivals[x.id] = arrivals.get(x.id, 0) + 1
            contributions.append(Contribution(x.id, texts[k], local[k], gx, total, arrivals[x.id]))
        steps.append(BackwardStep(node.id, g, contributions))

    seed = {id(nodes[output]): np.ones_like(values[output])}
    left = walk([nodes[n] for n in order], seed, step, observe if explain else None)
    totals.update((n.id, left[id(n)]) for n in nodes if id(n) in left)  # never visited
    return steps, totals


_INFIX = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/", "matmul": "@", "power": "**"}


def _argument(node):
    value = np.asarray(node.value)
    if node.op == "constant" and value.size == 1 and value.dtype.kind in "biuf":
        return fmt_number(value.item())
    return node.name


def _index(index):
    parts = index if isinstance(index, tuple) else (index,)
    out = []
    for p in parts:
        if isinstance(p, slice):
            text = ":".join("" if v is None else str(v) for v in (p.start, p.stop))
            out.append(text + ("" if p.step is None else f":{p.step}"))
        elif p is Ellipsis:
            out.append("...")
        elif isinstance(p, np.ndarray) and p.size > 8:
            out.append(f"<{p.dtype} array {p.shape}>")
        else:
            out.append(str(np.asarray(p).tolist()) if isinstance(p, np.ndarray) else str(p))
    return ", ".join(out)


def expression(node, nodes):
    """The right-hand side of a node's formula: "exp(z)", "h / H", "h[0]", "sum(x, axis=1)"."""
    args = [_argument(nodes[i]) for i in node.inputs]
    kind = node.op
    if kind in _INFIX and len(args) == 2:
        return f"{args[0]} {_INFIX[kind]} {args[1]}"
    if kind == "negative":
        return f"-{args[0]}"
    if kind == "getitem":
        return f"{args[0]}[{_index(node.fn.index)}]"
    try:
        attrs = node.fn.attrs()
    except Exception:  # noqa: BLE001 - a third-party op's attrs must not break a trace
        attrs = {}
    extra = [f"{k}={v!r}" for k, v in attrs.items() if not _default(k, v)]
    return f"{kind}({', '.join(args + extra)})"


def _default(key, value):
    """Attributes not worth printing: unset, off, the usual layout, no dilation, arrays."""
    if value is None or value is False or isinstance(value, (np.ndarray, Tensor)):
        return True
    if key == "data_format":
        return value == "channels_last"
    return key == "dilation_rate" and all(d == 1 for d in value)


def formula(node, nodes):
    """"h = exp(z)" for ops, "W (parameter)" for leaves, "constant_1 = 2" for constants."""
    if node.op == "constant":
        return f"{node.name} = {fmt_value(node.value)}"
    if node.is_leaf:
        return f"{node.name} ({node.op})"
    return f"{node.name} = {expression(node, nodes)}"
