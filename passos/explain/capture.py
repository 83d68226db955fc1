"""Capturing a computation for `trace`: its nodes in topological order, with values.

Eager: walk back from the result through the nodes `apply` recorded. Graph: value the symbols
the result needs with one Session run. Each node becomes a `TraceNode` (leaves: "input",
"parameter", "constant"), named by the user, by the graph, or kind_1, kind_2 ...
"""
import numpy as np

from ..core.autodiff import reverse_topological
from ..core.tensor import Tensor
from ..graph.graph import Symbol
from ..graph.session import Session, required_nodes
from ..graph.sources import CaptureOp, PlaceholderOp, SavedOf, VariableOp

LEAVES = ("input", "parameter", "constant")


class TraceNode:
    """One value of the computation: a leaf or the output of one op."""

    __slots__ = ("id", "name", "op", "fn", "inputs", "value", "raw", "saved", "grad", "scope")

    def __init__(self, id, name, op, fn=None, inputs=(), value=None, raw=None, saved=None, scope=""):
        self.id, self.name, self.op, self.fn, self.inputs = id, name, op, fn, tuple(inputs)
        self.value = value
        self.raw = value if raw is None else raw  # what the op is given (Python scalars stay weak)
        self.saved, self.grad, self.scope = saved, None, scope

    @property
    def is_leaf(self):
        return self.op in LEAVES

    @property
    def shape(self):
        return tuple(np.shape(self.value))

    def __repr__(self):
        return f"<TraceNode {self.id} '{self.name}' {self.op} shape={self.shape}>"


class _Nodes:
    """TraceNodes in the making; unnamed ones are named exp_1, exp_2 ..., constant_1 ..."""

    def __init__(self):
        self.list, self.counts = [], {}

    def name(self, kind):
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return f"{kind}_{self.counts[kind]}"

    def add(self, **fields):
        self.list.append(TraceNode(len(self.list), **fields))
        return len(self.list) - 1

    def constant(self, x):
        return self.add(name=self.name("constant"), op="constant", value=np.asarray(x), raw=x)


def scope_of(name):
    """The '/'-separated scope of a name: 'dense/kernel' -> 'dense'."""
    return name.rpartition("/")[0]


def capture_eager(y):
    """Nodes of an eager computation, in topological order (inputs left to right), y last."""
    nodes, ids = _Nodes(), {}

    def inputs_of(t):  # visited: computed inputs first, then leaves, each left to right,
        # so that a leaf shows up just before the op that uses it
        xs = [x for x in reversed(t._node.inputs if t._node else ()) if isinstance(x, Tensor)]
        return [x for x in xs if x._node is None] + [x for x in xs if x._node is not None]

    for t in reversed(reverse_topological(y, inputs_of)):
        ids[id(t)] = _eager_node(t, ids, nodes)
    return nodes.list


def _eager_node(t, ids, nodes):
    node = t._node
    if node is None:
        kind = "parameter" if t.requires_grad else "input"
        name = t.name or nodes.name(kind)
        return nodes.add(name=name, op=kind, value=np.array(t.data), scope=scope_of(name))
    if node.op.saves and node.saved is None:
        raise RuntimeError(f"trace(): the values '{node.op.kind}' saved for backward were freed by an "
                           "earlier backward(); trace before calling backward(), or call "
                           "backward(retain_graph=True)")
    inputs = [ids[id(x)] if isinstance(x, Tensor) else nodes.constant(x) for x in node.inputs]
    if t.name:
        name, scope = t.name, scope_of(t.name)
    else:  # an op on one layer's weights belongs to that layer
        name = nodes.name(node.op.kind)
        scopes = {nodes.list[i].scope for i in inputs if nodes.list[i].op == "parameter"}
        scope = scopes.pop() if len(scopes) == 1 else ""
    return nodes.add(name=name, op=node.op.kind, fn=node.op, inputs=inputs, value=np.array(t.data),
               saved=node.saved, scope=scope)


def capture_graph(y, feed_dict, session):
    """Nodes of the graph that computes `y`, in creation order, valued by one Session run."""
    graph = y.graph
    feed_dict = dict(feed_dict or {})
    fed = {id(graph.get_tensor_by_name(k) if isinstance(k, str) else k) for k in feed_dict}
    # 1. the symbols y needs, stopping at fed ones
    order = required_nodes([y], fed)
    # 2. their values (and what ops save for backward) from one run of a scratch Session
    #    that shares the given session's variables, so its plan cache stays untouched
    saving = [s for s in order if s.primitive.saves and id(s) not in fed]
    saved_of = [Symbol(graph, SavedOf(), [s], (), np.dtype(object), s.node_name + "/saved")
                for s in saving]
    runner = Session(graph)
    if session is not None:
        runner.variables = session.variables
    try:
        fetched = runner.run(order + saved_of, feed_dict)
    except RuntimeError as error:
        if session is None and "not initialised" in str(error):
            raise RuntimeError(f"trace(): {error}; pass session= a Session in which the "
                               "variables are initialised") from None
        raise
    values = {id(s): np.array(v) for s, v in zip(order, fetched)}
    saved = {id(s): v for s, v in zip(saving, fetched[len(order):])}
    # 3. one node per symbol, constants just before the node that uses them
    nodes, ids = _Nodes(), {}
    for s in order:
        kind = _graph_leaf_kind(s, id(s) in fed)
        if kind is not None:
            ids[id(s)] = nodes.add(name=s.node_name, op=kind, value=values[id(s)],
                                   scope=scope_of(s.node_name))
            continue
        inputs = [ids[id(x)] if isinstance(x, Symbol) else nodes.constant(x) for x in s.inputs]
        ids[id(s)] = nodes.add(name=s.node_name, op=s.primitive.kind, fn=s.primitive, inputs=inputs,
                               value=values[id(s)], saved=saved.get(id(s)),
                               scope=scope_of(s.node_name))
    return nodes.list


def _graph_leaf_kind(s, fed):
    if fed or isinstance(s.primitive, PlaceholderOp):
        return "input"
    if isinstance(s.primitive, VariableOp):
        return "parameter"
    if isinstance(s.primitive, CaptureOp):
        return "parameter" if s.primitive.tensor.requires_grad else "input"
    return None if s.inputs else "constant"
