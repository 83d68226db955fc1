"""Describe a TF1 graph as a meta graph: its nodes, variables, collections and variable store.

Each node: its name, its op's class (a registered name) and attributes (meta_codec), its inputs
(node names, constants as arrays), shape and dtype. A node whose op holds code (py_func, a data
pipeline) is described as unstorable, with why: the rest of the graph is saved, as TF1 saves
it, and import_meta_graph refuses the file naming that node.
"""
import warnings

from ...graph.graph import Symbol, VariableSymbol
from . import meta_graph_file
from .framework import GraphKeys, state
from .meta_codec import Encoder, Unstorable, class_name
from .operation import Operation

# kept by the graph itself: variables and their `trainable` flags
_DERIVED = (GraphKeys.GLOBAL_VARIABLES, GraphKeys.TRAINABLE_VARIABLES)


def describe(graph, saver_variables=None, collection_list=None):
    """(document, arrays) describing `graph`; `saver_variables`: a Saver's {key: variable}."""
    names = [n.node_name for n in graph.nodes]
    twice = sorted({name for name in names if names.count(name) > 1}) if len(set(names)) < \
        len(names) else []
    if twice:
        raise ValueError(f"export_meta_graph: the graph has several nodes named {twice[:5]}; "
                         "name them apart to save a meta graph")
    arrays = []
    encoder = Encoder(arrays, {id(n) for n in graph.nodes})
    st = state(graph)
    document = {
        "format": meta_graph_file.FORMAT, "format_version": meta_graph_file.FORMAT_VERSION,
        "nodes": [_node(encoder, node) for node in graph.nodes],
        "variables": [v.node_name for v in graph.variables],
        "collections": _collections(st.collections, collection_list),
        "store": {key: var.node_name for key, var in st.store.items()},
        "optimizer_nodes": [n.node_name for n in st.optimizer_nodes],
        "seed": st.seed if isinstance(st.seed, int) else None,
        "saver": None if saver_variables is None else
        {key: var.node_name for key, var in saver_variables.items()},
    }
    document["arrays"] = len(arrays)
    return document, arrays


def write_meta_graph(path, graph, saver_variables=None, collection_list=None):
    """Write `graph`'s meta graph to `path` atomically; returns its description."""
    document, arrays = describe(graph, saver_variables, collection_list)
    meta_graph_file.write(path, document, arrays)
    return document


def _node(encoder, node):
    op = node.primitive
    entry = {"name": node.node_name, "class": class_name(type(op)),
             "shape": None if node.shape is None else [None if d is None else int(d)
                                                       for d in node.shape],
             "dtype": node.dtype.name}
    kept = len(encoder.arrays)
    try:
        entry["inputs"] = [encoder.encode(x) for x in node.inputs]
        entry["state"] = encoder.state(op)
    except Unstorable as why:
        del encoder.arrays[kept:]  # arrays of the part encoded before the failure
        entry["inputs"] = [{"node": x.node_name} if isinstance(x, Symbol) else None
                           for x in node.inputs]
        entry["unstorable"] = f"its op ({op.kind}) {why}"
    if isinstance(node, VariableSymbol):
        entry["variable"] = {"trainable": bool(node.trainable),
                             "initializer": node.initializer.node_name}
    return entry


def _collections(collections, wanted):
    """{key: [node names, {'operation': name} or JSON values]}; other items are skipped."""
    stored = {}
    for key, items in collections.items():
        if key in _DERIVED or wanted is not None and key not in wanted or not isinstance(key, str):
            continue
        entries = []
        for item in items:
            if isinstance(item, Symbol):
                entries.append({"node": item.node_name})
            elif isinstance(item, Operation):
                entries.append({"operation": item.name})
            elif item is None or isinstance(item, (bool, int, float, str)):
                entries.append({"value": item})
            else:
                warnings.warn(f"export_meta_graph: collection '{key}' holds a "
                              f"{type(item).__name__}, which a meta graph cannot store; "
                              "that item is left out", stacklevel=3)
        stored[key] = entries
    return stored
