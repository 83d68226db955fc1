"""GraphDefs of TF1 graphs: `graph.as_graph_def()`, `sess.graph_def` and `tf.train.write_graph`.

The GraphDef is the one passos.tensorboard draws (`passos.tensorboard.graph_def`), so it needs
the optional tensorboard package: ``pip install 'passos[tensorboard]'``.

>>> import os, tempfile
>>> import passos.compat.v1 as tf
>>> with tf.Graph().as_default() as graph:
...     x = tf.placeholder(tf.float32, [None, 2], name="x")
...     y = tf.reduce_sum(x, name="total")
>>> [node.name for node in graph.as_graph_def().node]
['x', 'total']
>>> path = write_graph(graph, tempfile.mkdtemp(), "graph.pbtxt")
>>> os.path.basename(path), 'name: "total"' in open(path).read()
('graph.pbtxt', True)
"""
import os

from ...graph.graph import Graph
from ...io import atomic_write


def _graph_def(source):
    from ...tensorboard.graphdef import graph_def  # ImportError names the extra to install
    return graph_def(source)


def as_graph_def(graph, from_version=None, add_shapes=False):
    """The GraphDef protobuf of `graph`; `add_shapes` keeps each node's `_output_shapes`, as TF1."""
    if from_version is not None:
        raise ValueError("as_graph_def(from_version=...): passos writes the whole graph; "
                         "leave from_version=None")
    definition = _graph_def(graph)
    if not add_shapes:
        for node in definition.node:
            del node.attr["_output_shapes"]
    return definition


def write_graph(graph_or_graph_def, logdir, name, as_text=True):
    """Write a Graph's (or a GraphDef's) protobuf to logdir/name, as text or binary; its path.

    The folder is created when missing; the file is written atomically (never half-written).
    """
    definition = graph_or_graph_def
    if isinstance(definition, Graph):
        definition = as_graph_def(definition)
    elif type(definition).__name__ != "GraphDef":
        raise TypeError(f"write_graph: expected a tf.Graph or a GraphDef, got "
                        f"{type(definition).__name__}; for a session pass sess.graph")
    os.makedirs(logdir, exist_ok=True)
    path = os.path.join(logdir, name)
    if as_text:
        from google.protobuf import text_format
        atomic_write(path, text_format.MessageToString(definition))
    else:
        atomic_write(path, definition.SerializeToString(deterministic=True))
    return path
