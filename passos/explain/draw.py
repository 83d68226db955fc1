"""`draw`: the computational graph as SVG (built-in layout) or Graphviz DOT text.

It draws an eager result (traced: values and gradients), a graph-mode symbol or `Graph`
(shapes; values too given a feed_dict or a session), and a Keras model (one box per layer, or
with expand=True the ops inside each layer's box). Name scopes and layers become clusters.
"""
from contextlib import suppress

import numpy as np

from ..core.autodiff import no_grad, reverse_topological
from ..core.tensor import Tensor
from ..graph.graph import Graph, Symbol, placeholder
from ..graph.session import Session, required_nodes
from ..graph.sources import CaptureOp, PlaceholderOp, VariableOp
from ..io import atomic_write
from ..keras.engine.network import Network
from .capture import scope_of
from .display import Drawing
from .render import check_show, render_dot, render_svg
from .trace import trace
from .values import summary

FORMATS = ("svg", "dot")
_CANNOT_RUN = (ValueError, RuntimeError, TypeError, KeyError)  # what a run lacking feeds raises


def draw(y, show="values", fmt=None, feed_dict=None, session=None, path=None, expand=False, rankdir="TB"):
    """The computational graph behind `y` as SVG (default) or DOT text; saved to `path` if given.

    The SVG is a `Drawing`, a str that Jupyter shows as the picture.
    y: an eager Tensor (best a scalar loss, traced for values and gradients), a graph Symbol or
    Graph (as written), a compiled plan (as run, fused), a Keras model, a Trace or its `to_dict()`.
    show: "values", "grads" or "both".
    fmt: "svg" or "dot" (default: from path's suffix, .dot/.gv give DOT, else SVG).

    >>> import passos
    >>> x = passos.tensor([1.0, 2.0], requires_grad=True, name="x")
    >>> svg = draw((x * x).sum(), show="both")
    >>> svg.startswith("<svg") and "∂" in svg
    True
    """
    check_show(show)
    if fmt is None:
        fmt = "dot" if path is not None and str(path).endswith((".dot", ".gv")) else "svg"
    if fmt not in FORMATS:
        raise ValueError(f"draw: fmt must be 'svg' or 'dot', got {fmt!r}; for PNG or PDF run "
                         "Graphviz on the DOT text: dot -Tpng graph.dot -o graph.png")
    picture = picture_of(y, feed_dict=feed_dict, session=session, expand=expand)
    render = render_svg if fmt == "svg" else render_dot
    text = render(picture, show, rankdir)
    if path is not None:
        atomic_write(path, text)
    return Drawing(text) if fmt == "svg" else text


def picture_of(y, feed_dict=None, session=None, expand=False):
    """What to draw, as a dict shaped like `Trace.to_dict()` (see passos.explain.render)."""
    if isinstance(y, dict) and "nodes" in y:
        return y
    if hasattr(y, "to_dict") and not isinstance(y, (Tensor, Network)):
        return y.to_dict()
    if isinstance(y, Network):
        return keras_picture(y, expand=expand, x=feed_dict)
    if isinstance(y, Graph):
        return graph_picture(y.nodes, y, None, feed_dict, session)
    if isinstance(getattr(y, "nodes", None), list) and y.nodes:  # a compiled plan, as run
        if feed_dict is not None or session is not None:
            raise ValueError("draw: a compiled plan is drawn as run, without values; draw its "
                             "graph with feed_dict for values")
        return graph_picture(y.nodes, y.nodes[0].graph)
    if isinstance(y, Symbol):
        scalar = y.shape is not None and all(d == 1 for d in y.shape)
        if (feed_dict is not None or session is not None) and scalar:
            return trace(y, feed_dict=feed_dict, session=_session(y.graph, session)).to_dict()
        return graph_picture(required_nodes([y]), y.graph, y, feed_dict, session)
    if isinstance(y, Tensor):
        traced = _trace(y) if y.requires_grad and y.size == 1 else None
        return traced or eager_picture(y)
    raise TypeError(f"draw: cannot draw a {type(y).__name__}; give an eager Tensor, a graph "
                    "Symbol or Graph, a compiled plan, a Keras model, or a Trace")


def _trace(y):
    """trace(y).to_dict(); None when an earlier backward() freed what the trace needs."""
    try:
        return trace(y).to_dict()
    except RuntimeError:
        return None  # draw the values and the .grad that backward() left


def eager_picture(y):
    """Values (and any .grad already there) of everything an eager tensor was computed from."""
    nodes = eager_postorder(y)  # inputs get their ids first
    ids, constants, out = {id(t): i for i, t in enumerate(nodes)}, [], []
    for t in nodes:
        inputs = []
        op = t._node.op.kind if t._node else ("parameter" if t.requires_grad else "input")
        for x in t._node.inputs if t._node else ():
            if isinstance(x, Tensor):
                inputs.append(ids[id(x)])
            else:
                inputs.append(len(nodes) + len(constants))
                constants.append(x)
        name = t.name or (op if t._node is not None else "tensor")
        out.append({"id": ids[id(t)], "name": name, "op": op, "inputs": inputs, "shape": list(t.shape),
                    "value": summary(t.data), "grad": summary(t.grad), "scope": scope_of(name)})
    _add_constants(out, constants)
    return {"output": ids[id(y)], "nodes": out, "forward": [], "backward": []}


def eager_postorder(y):
    """`y` and every tensor it was computed from, inputs first (left to right), `y` last."""
    def inputs_of(t):
        return [] if t._node is None else [x for x in reversed(t._node.inputs) if isinstance(x, Tensor)]
    return reverse_topological(y, inputs_of)[::-1]


def _add_constants(nodes, constants):
    """A node per constant input, numbered after the other nodes (as their inputs expect)."""
    for c in constants:
        value = np.asarray(c)
        nodes.append({"id": len(nodes), "name": f"{value.item():g}" if value.size == 1 else "constant",
                      "op": "constant", "inputs": [], "shape": list(value.shape),
                      "value": summary(value), "grad": None, "scope": ""})


def _hidden(symbol):
    """Bookkeeping nodes a drawing leaves out: variable initializers and init groups."""
    kind = symbol.primitive.kind
    return (kind == "assign" and symbol.node_name.endswith("/initializer")) or \
        (kind == "group" and symbol.node_name.split("/")[-1].startswith("init"))


def graph_picture(symbols, graph, output=None, feed_dict=None, session=None):
    """Graph nodes with shapes, and values when feed_dict or session is given."""
    symbols = [s for s in symbols if not _hidden(s) or s is output]
    ids = {id(s): i for i, s in enumerate(symbols)}
    values = _run(symbols, graph, feed_dict, session) if (feed_dict is not None
                                                          or session is not None) else {}
    nodes, constants = [], []
    for s in symbols:
        op = ("input" if isinstance(s.primitive, PlaceholderOp)
              else "parameter" if isinstance(s.primitive, (VariableOp, CaptureOp)) else s.primitive.kind)
        inputs = []
        for x in s.inputs:
            if isinstance(x, Symbol):
                if id(x) in ids:
                    inputs.append(ids[id(x)])
            elif x is not None:
                inputs.append(len(symbols) + len(constants))
                constants.append(x)
        nodes.append({"id": ids[id(s)], "name": s.node_name, "op": op, "inputs": inputs,
                      "shape": None if s.shape is None else list(s.shape),
                      "value": summary(values[id(s)]) if id(s) in values else None,
                      "grad": None, "scope": scope_of(s.node_name)})
    _add_constants(nodes, constants)
    out = ids[id(output)] if output is not None else (len(symbols) - 1 if symbols else None)
    return {"output": out, "nodes": nodes, "forward": [], "backward": []}


def _run(symbols, graph, feed_dict, session):
    """{id(symbol): value} for every symbol the session can compute with these feeds."""
    session = _session(graph, session)
    feeds = feed_dict or {}
    wanted = [s for s in symbols if s.primitive.kind != "group" and s.dtype != np.dtype(object)]
    with suppress(*_CANNOT_RUN):
        return {id(s): v for s, v in zip(wanted, session.run(wanted, feeds))}
    values = {}
    for s in wanted:  # some need feeds we lack: keep what can be computed
        with suppress(*_CANNOT_RUN):
            values[id(s)] = session.run(s, feeds)
    return values


def _session(graph, session):
    """The given session, or a fresh one with the graph's variables initialised."""
    if session is None:
        session = Session(graph)
        inits = [v.initializer for v in graph.variables]
        if inits:
            session.run(inits)
    return session


def keras_picture(model, expand=False, x=None):
    """One box per layer (output shape, parameter count); expand=True shows the ops inside.

    x: an input batch, to show each layer's values.
    """
    if model.inputs is None:
        raise ValueError(f"draw: model '{model.name}' is not built yet; give the first layer "
                         "an input_shape=..., or call the model on data first")
    if expand:
        return _expanded(model, x)
    xs = None if x is None else ([x] if len(model.inputs) == 1 else list(x))
    nodes, ids, values = [], {}, {}
    for i, t in enumerate(model.inputs):
        ids[id(t)] = len(nodes)
        values[id(t)] = None if xs is None else np.asarray(xs[i], t.dtype)
        nodes.append({"id": len(nodes), "name": t.name, "op": "input", "inputs": [],
                      "shape": list(t.shape), "grad": None, "scope": "",
                      "value": None if xs is None else summary(values[id(t)])})
    for call in model._nodes:  # one box per layer call, holding its first output
        layer, first = call.layer, call.outputs[0]
        value = None
        if xs is not None:
            with no_grad():
                args = [values[id(t)] for t in call.inputs]
                out = layer(args if call.listed else args[0], training=False)
            for t, v in zip(call.outputs, out if call.multiple else [out]):
                values[id(t)] = np.asarray(v)
            value = values[id(first)]
        for t in call.outputs:
            ids[id(t)] = len(nodes)
        nodes.append({"id": len(nodes), "name": layer.name, "op": type(layer).__name__,
                      "inputs": [ids[id(t)] for t in call.inputs], "shape": list(first.shape),
                      "info": [f"{layer.count_params():,} params"], "value": summary(value),
                      "grad": None, "scope": ""})
    return {"output": ids[id(model.outputs[0])], "nodes": nodes, "forward": [], "backward": []}


def _expanded(model, x):
    """Trace the model on a placeholder, each layer's ops inside name_scope(layer.name)."""
    graph = Graph()
    with graph.as_default():
        inputs = [placeholder(t.dtype, t.shape, name=t.name) for t in model.inputs]
        symbols = dict(zip(map(id, model.inputs), inputs))

        def run(call, value):
            for w in call.layer.weights:  # outside the scope: 'dense/kernel', not 'dense/dense/..'
                graph.capture(w)
            with graph.name_scope(call.layer.name):
                return call.layer(value, training=False)
        for call in model._nodes:
            call.run(symbols, run)
    out = symbols[id(model.outputs[0])]
    feeds = None if x is None else dict(zip(inputs, [x] if len(inputs) == 1 else list(x)))
    return graph_picture(required_nodes([out]), graph, out, feeds)
