"""tf.train.export_meta_graph and import_meta_graph: a graph saved without the code that built it.

>>> import os, tempfile, passos.compat.v1 as tf
>>> folder = tempfile.mkdtemp()
>>> with tf.Graph().as_default():
...     x = tf.placeholder(tf.float32, [None, 2], name="x")
...     w = tf.Variable([[1.0], [2.0]], name="w")
...     y = tf.matmul(x, w, name="y")
...     with tf.Session() as sess:
...         sess.run(tf.global_variables_initializer())
...         path = tf.train.Saver().save(sess, os.path.join(folder, "model.ckpt"))
>>> with tf.Graph().as_default() as graph:
...     saver = tf.train.import_meta_graph(path + ".meta")
...     with tf.Session() as sess:
...         saver.restore(sess, path)
...         sess.run(graph.get_tensor_by_name("y:0"), {"x:0": [[1.0, 1.0]]}).tolist()
[[3.0]]

Importing looks every op class up among those passos registers (meta_codec) and rebuilds each
op from its attributes, checking its output shape and dtype against the file's; nothing in the
file runs. A damaged or altered file fails with a MetaGraphError naming the node, and adds
nothing to the graph.
"""
import os

import numpy as np

from ...core.op import Op
from ...graph.graph import Symbol, VariableSymbol, get_default_graph
from ...graph.sources import AssignOp, PlaceholderOp, VariableOp
from . import meta_graph_file
from .framework import state
from .meta_codec import BadValue, Decoder, dtype_named, registry
from .meta_graph_export import write_meta_graph, describe
from .meta_graph_file import MetaGraphError, error
from .operation import Operation
from .saver import Saver

MAX_NAME = 1000  # characters in a node name
_SOURCES = (PlaceholderOp, VariableOp)  # their shape and dtype are the file's


def export_meta_graph(filename=None, meta_info_def=None, graph_def=None, saver_def=None,
                      collection_list=None, as_text=False, graph=None, export_scope=None,
                      clear_devices=False, clear_extraneous_savers=False,
                      strip_default_attrs=False, save_debug_info=False, **kwargs):
    """Describe `graph` (the default graph) and, given `filename`, write it there (passos' format
    whatever `as_text`); returns the description (a dict of JSON values)."""
    if export_scope is not None:
        raise ValueError("export_meta_graph: export_scope is not supported; build the part to "
                         "export in a graph of its own")
    graph = graph or get_default_graph()
    if filename is None:
        return describe(graph, collection_list=collection_list)[0]
    return write_meta_graph(filename, graph, collection_list=collection_list)


def import_meta_graph(meta_graph_or_file, clear_devices=False, import_scope=None, **kwargs):
    """Build the nodes of a .meta file into the default graph (names under `import_scope/`);
    returns a Saver for its variables (None when it has none)."""
    path = meta_graph_or_file
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"import_meta_graph: pass the path of a .meta file, got "
                        f"{type(path).__name__}")
    path = os.fspath(path)
    if import_scope is not None and not isinstance(import_scope, str):
        raise TypeError(f"import_meta_graph: import_scope should be a str, got "
                        f"{import_scope!r:.40}")
    document, arrays = meta_graph_file.read(path)
    entries = _checked_nodes(path, document)
    graph = get_default_graph()
    prefix = f"{import_scope.rstrip('/')}/" if import_scope else ""
    taken = {n.node_name for n in graph.nodes} & {prefix + e["name"] for e in entries}
    if taken:
        raise ValueError(f"import_meta_graph: the default graph already has nodes named "
                         f"{sorted(taken)[:5]}; import into a new graph (tf.reset_default_graph()) "
                         "or pass import_scope='...'")
    # 1. the nodes, rebuilt apart from the graph: a failure leaves the graph as it was
    nodes = {}
    decoder = Decoder(arrays, nodes)
    built = [_build(path, graph, decoder, entry, prefix, len(graph.nodes) + i)
             for i, entry in enumerate(entries)]
    # 2. variables, collections, variable store: every name resolved before anything changes
    extra = _bookkeeping(path, document, entries, nodes, prefix)
    # 3. into the graph
    graph.nodes.extend(built)
    graph.variables.extend(extra["variables"])
    for node in built:
        graph.reserve_name(node.node_name)
    st = state(graph)
    for key, items in extra["collections"].items():
        st.collections.setdefault(key, []).extend(items)
    st.store.update(extra["store"])
    st.optimizer_nodes.extend(extra["optimizer_nodes"])
    if st.seed is None:
        st.seed = extra["seed"]
    return _saver(extra)


def _checked_nodes(path, document):
    """The node entries, their structure checked, and none that holds code or an unknown class."""
    entries = document.get("nodes")
    if not isinstance(entries, list):
        raise error(path, "'nodes' should be a list")
    names, classes = set(), registry()
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or \
                not 0 < len(entry["name"]) <= MAX_NAME:
            raise error(path, f"node {i} has no name (1 to {MAX_NAME} characters)")
        name = entry["name"]
        if name in names:
            raise error(path, f"two nodes are named '{name}'")
        names.add(name)
        if not isinstance(entry.get("inputs"), list) or not isinstance(entry.get("dtype"), str):
            raise error(path, f"node '{name}' needs a list of inputs and a dtype")
        if "unstorable" not in entry and entry.get("class") not in classes:
            raise error(path, f"node '{name}' names the op class {entry.get('class')!r:.80}, "
                              "which is not one passos registers; the file was altered or "
                              "written by another program")
    code = [(e["name"], e["unstorable"]) for e in entries if "unstorable" in e]
    if code:
        listed = "; ".join(f"'{name}': {str(why)[:200]}" for name, why in code[:5])
        raise error(path, f"{len(code)} node(s) could not be stored: {listed}; "
                          "the rest of the graph is there, but it cannot run without them: "
                          "build the graph in code and restore its variables with tf.train.Saver")
    return entries


def _build(path, graph, decoder, entry, prefix, index):
    """The node `entry` describes, in `graph` but not yet added to it."""
    name = entry["name"]
    try:
        op = decoder.new(entry["class"], entry.get("state"))
        inputs = [decoder.decode(x) for x in entry["inputs"]]
        for x in inputs:
            if not (x is None or isinstance(x, (Symbol, np.ndarray, np.generic, bool, int,
                                                float))):
                raise BadValue(f"has the input {x!r:.60}, not a node or a constant")
        shape, dtype = _static(op, inputs, entry)
        cls = VariableSymbol if "variable" in entry else Symbol
        if (cls is VariableSymbol) != isinstance(op, VariableOp):
            raise BadValue("is a variable in one place and not in another")
        node = cls(graph, op, inputs, shape, dtype, prefix + name)
    except Exception as problem:  # noqa: BLE001 - whatever an altered attribute makes an op raise
        raise error(path, f"node '{name}' ({entry.get('class')}) does not rebuild: "
                          f"{type(problem).__name__}: {problem}") from None
    node.index = index
    decoder.nodes[name] = node
    return node


def _static(op, inputs, entry):
    """(shape, dtype) of the node: the op's own rule on its inputs, checked against the file's."""
    if not isinstance(op, Op):
        raise BadValue(f"names {type(op).__name__}, not an op")
    recorded = entry.get("shape")
    if recorded is not None and (not isinstance(recorded, list) or not all(
            d is None or isinstance(d, int) and not isinstance(d, bool) and d >= 0
            for d in recorded)):
        raise BadValue(f"has the shape {recorded!r:.60}, not a list of sizes")
    recorded = None if recorded is None else tuple(recorded)
    dtype = dtype_named(entry["dtype"])
    if isinstance(op, _SOURCES):
        if inputs:
            raise BadValue("is a placeholder or variable with inputs")
        return recorded, dtype
    shapes = [x.shape if isinstance(x, Symbol) else np.shape(x) for x in inputs]
    dtypes = [x.dtype if isinstance(x, Symbol) else
              x if isinstance(x, (bool, int, float)) else np.asarray(x).dtype for x in inputs]
    computed = None if any(s is None for s in shapes) else op.shape(*shapes)
    found = np.dtype(op.dtype(*dtypes))
    if found != dtype:
        raise BadValue(f"computes dtype {found} but the file says {dtype}")
    if computed is not None and recorded is not None and (len(computed) != len(recorded) or any(
            a is not None and b is not None and a != b for a, b in zip(computed, recorded))):
        raise BadValue(f"computes shape {tuple(computed)} but the file says {recorded}")
    return (recorded if recorded is not None else
            None if computed is None else tuple(computed)), dtype


def _bookkeeping(path, document, entries, nodes, prefix):
    """Variables, collections, variable store, optimizer nodes and saver of the file, resolved."""
    def node(name, what, kind=Symbol):
        found = nodes.get(name) if isinstance(name, str) else None
        if not isinstance(found, kind):
            raise error(path, f"{what} names {name!r:.80}, not a {kind.__name__} of the file")
        return found

    for entry in entries:
        if "variable" in entry:
            var, meta = nodes[entry["name"]], entry["variable"]
            if not isinstance(meta, dict):
                raise error(path, f"variable '{entry['name']}' has no variable description")
            init = node(meta.get("initializer"), f"the initializer of '{entry['name']}'")
            if not isinstance(init.primitive, AssignOp) or init.primitive.variable is not var:
                raise error(path, f"the initializer of '{entry['name']}' does not assign it")
            var.initializer, var.trainable = init, bool(meta.get("trainable"))
    collections = {}
    for key, items in _mapping(path, document, "collections").items():
        if not isinstance(items, list):
            raise error(path, f"collection '{key:.80}' should be a list")
        collections[key] = [_item(path, key, item, node) for item in items]
    seed = document.get("seed")
    saver = document.get("saver")
    return {
        "variables": [node(n, "'variables'", VariableSymbol) for n in _list(path, document,
                                                                              "variables")],
        "collections": collections,
        "store": {prefix + key: node(name, f"the variable store's '{key:.80}'", VariableSymbol)
                  for key, name in _mapping(path, document, "store").items()},
        "optimizer_nodes": [node(n, "'optimizer_nodes'") for n in _list(path, document,
                                                                         "optimizer_nodes")],
        "seed": seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
        "saver": None if saver is None else {
            key: node(name, f"the saver's '{key:.80}'", VariableSymbol)
            for key, name in _mapping(path, document, "saver").items()},
    }


def _item(path, key, item, node):
    if not isinstance(item, dict) or len(item) != 1:
        raise error(path, f"collection '{key:.80}' holds {item!r:.60}, not an item it writes")
    (tag, value), = item.items()
    if tag == "node":
        return node(value, f"collection '{key:.80}'")
    if tag == "operation":
        return Operation(node(value, f"collection '{key:.80}'"))
    if tag == "value" and (value is None or isinstance(value, (bool, int, float, str))):
        return value
    raise error(path, f"collection '{key:.80}' holds {item!r:.60}, not an item it writes")


def _list(path, document, key):
    found = document.get(key)
    if not isinstance(found, list):
        raise error(path, f"'{key}' should be a list")
    return found


def _mapping(path, document, key):
    found = document.get(key)
    if not isinstance(found, dict):
        raise error(path, f"'{key}' should be a dict")
    return found


def _saver(extra):
    """The file's Saver (its checkpoint names), else one for the file's global variables."""
    if extra["saver"] is not None:
        return Saver(extra["saver"])
    local = {id(v) for v in extra["collections"].get("local_variables", [])}
    variables = [v for v in extra["variables"] if id(v) not in local]
    return Saver(variables) if variables else None


__all__ = ["export_meta_graph", "import_meta_graph", "MetaGraphError"]
