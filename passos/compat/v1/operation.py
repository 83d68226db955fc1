"""tf.Operation: the node behind a tensor, as TF1 shows it (`x.op.name`, `x.op.type`, ...).

A passos graph node is both the operation and its first output, so an `Operation`
is a view of one node: made on demand, holding nothing of its own.

>>> import passos.compat.v1 as tf
>>> with tf.Graph().as_default():
...     x = tf.placeholder(tf.float32, [None, 3], name="x")
...     y = tf.matmul(x, tf.ones([3, 2]), name="scores")
>>> y.op.name, y.op.type, [t.name for t in y.op.inputs], y.op.outputs[0] is y
('scores', 'MatMul', ['x:0', 'ones:0'], True)
"""
from ...graph.graph import Symbol
from ...ops.op_types import op_type
from .after import After


class Operation:
    """The node that computes `output` (and, for several outputs, its 'name:k' tensors)."""

    __slots__ = ("_node",)

    def __init__(self, output):
        offset = output.primitive.offset
        self._node = output.inputs[0] if offset else output  # 'x:1' belongs to x's node

    @property
    def graph_node_to_run(self):
        """What a Session runs for this operation (returning None, as TF1's sess.run(op))."""
        return self._node

    @property
    def name(self):
        return self._node.node_name

    @property
    def type(self):
        primitive = self._node.primitive
        return op_type((primitive.op if isinstance(primitive, After) else primitive).kind)

    @property
    def graph(self):
        return self._node.graph

    @property
    def device(self):
        return ""  # passos runs every node on the CPU

    @property
    def inputs(self):
        """The input tensors (control dependencies are in `control_inputs`)."""
        primitive, inputs = self._node.primitive, self._node.inputs
        data = inputs[:primitive.arity] if isinstance(primitive, After) else inputs
        return [x for x in data if isinstance(x, Symbol)]

    @property
    def control_inputs(self):
        primitive = self._node.primitive
        if not isinstance(primitive, After):
            return []
        return [Operation(x) for x in self._node.inputs[primitive.arity:]]

    @property
    def outputs(self):
        """Output 0 (the node itself), then its 'name:k' tensors, in order."""
        node = self._node
        extra = [n for n in node.graph.nodes[node.index + 1:] if n.inputs and n.inputs[0] is node
                 and n.primitive.offset]
        return [node, *sorted(extra, key=lambda n: n.primitive.offset)]

    def values(self):
        return tuple(self.outputs)

    @property
    def node_def(self):
        """This node's NodeDef protobuf (needs the optional tensorboard package)."""
        from .graph_io import as_graph_def
        return next(n for n in as_graph_def(self.graph).node if n.name == self.name)

    def get_attr(self, name):
        """The op attribute `name` (e.g. 'axis', 'strides'), as passos' op keeps it."""
        primitive = self._node.primitive
        attrs = (primitive.op if isinstance(primitive, After) else primitive).attrs()
        if name not in attrs:
            raise ValueError(f"Operation '{self.name}' ({self.type}) has no attr named "
                             f"'{name}'; it has {sorted(attrs)}")
        return attrs[name]

    def run(self, feed_dict=None, session=None):
        """Run this operation in `session` or the default session."""
        self._node.run(feed_dict, session)

    def __eq__(self, other):
        return isinstance(other, Operation) and other._node is self._node

    def __hash__(self):
        return id(self._node)

    def __repr__(self):
        return f"<tf.Operation '{self.name}' type={self.type}>"
