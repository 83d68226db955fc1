"""GraphDef protobufs for TensorBoard's graph view, from passos graphs, eager results or models.

Each node keeps its '/'-scoped name (TensorBoard draws scopes as boxes), its op kind in
CamelCase, its inputs, and `dtype` and `_output_shapes` (-1 for unknown dimensions), which
label the edges. Constant inputs become `Const` nodes in the consumer's scope.

>>> import passos, passos.graph as g
>>> graph = g.Graph()
>>> with graph.as_default(), graph.name_scope("layer"):
...     x = g.placeholder("float32", (None, 2), name="x")
...     y = passos.matmul(x, [[1.0], [2.0]])
>>> for node in graph_def(graph).node:
...     print(node.name, node.op, list(node.input))
layer/x Placeholder []
layer/Const Const []
layer/matmul MatMul ['layer/x', 'layer/Const']
"""
import collections
import types

import numpy as np
from tensorboard.compat.proto import (attr_value_pb2, graph_pb2, node_def_pb2, tensor_pb2,
                                      tensor_shape_pb2, types_pb2, versions_pb2)

from ..core.autodiff import reverse_topological
from ..core.tensor import Tensor
from ..graph.graph import Graph, Symbol
from ..ops.op_types import op_type

_PRODUCER = 22  # a GraphDef version every TensorBoard reads
_CONST_VALUE_MAX = 16  # constants up to this many elements show their value

_FLOAT_TYPES = {"float16": "HALF", "float32": "FLOAT", "float64": "DOUBLE"}  # the rest: DT_INT8 ...
_DTYPES = {np.dtype(name): getattr(types_pb2, "DT_" + _FLOAT_TYPES.get(name, name.upper()))
           for name in ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
                        "uint16", "uint32", "uint64", "bool", "complex64", "complex128")}


class NodeSpec(collections.namedtuple("NodeSpec", "name op inputs shape dtype attrs value",
                                      defaults=(types.MappingProxyType({}), None))):
    """One node to write: name, op type, input names, output shape/dtype, attributes, value."""


def graph_def(source, training=False):
    """A GraphDef of a passos Graph (or a Symbol/Session of one), an eager result, a model,
    or a compiled plan.

    A Keras model is traced first (`trace_model`); `training` picks Dropout's branch and the like.
    A graph shows the nodes as written; a compiled plan (`Session.make_callable(...).plan`, a
    Keras model's training plan) shows them as run, with the rewrite pass's fused ops.
    """
    if isinstance(source, graph_pb2.GraphDef):
        return source
    nodes = _specs(source, training)
    return graph_pb2.GraphDef(node=[_node_def(n) for n in nodes],
                              versions=versions_pb2.VersionDef(producer=_PRODUCER))


def _specs(source, training):
    if isinstance(getattr(source, "graph", None), Graph) and not isinstance(source, Graph):
        source = source.graph  # a graph symbol or a Session
    if isinstance(source, Graph):
        return _from_nodes(source.nodes)
    if isinstance(getattr(source, "nodes", None), list):  # a compiled plan: the graph as run
        return _from_nodes(source.nodes)
    if isinstance(source, Tensor):
        return _from_tensor(source)
    if hasattr(source, "layers") and callable(getattr(source, "call", None)):
        from .trace import trace_model
        return _from_nodes(trace_model(source, training=training).nodes)
    raise TypeError(f"add_graph: expected a passos Graph, Session, graph symbol, eager tensor, "
                    f"Keras model or compiled plan, got {type(source).__name__}")


class _Names:
    """Unique node names: `base`, then base_1, base_2 ..."""

    def __init__(self, taken=()):
        self.taken = set(taken)

    def new(self, base):
        name, count = base, 0
        while name in self.taken:
            count += 1
            name = f"{base}_{count}"
        self.taken.add(name)
        return name


def _scope(name):
    return name.rpartition("/")[0] + "/" if "/" in name else ""


def _constant(names, consumer, value, like=None):
    array = np.asarray(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and like is not None:
        # a Python number is weakly typed: it computes in its tensor neighbour's dtype
        if like.kind in "fc" or (like.kind in "iu" and isinstance(value, int)):
            array = np.asarray(value, dtype=like)
    return NodeSpec(names.new(_scope(consumer) + "Const"), "Const", [], array.shape,
                    array.dtype, value=array)


def _inputs(names, specs, consumer, values, node_type, name_of):
    """Input names of `consumer`: a `node_type` value by `name_of`, any other a new Const node."""
    like = next((x.dtype for x in values if isinstance(x, node_type)), None)
    inputs = []
    for x in values:
        if isinstance(x, node_type):
            inputs.append(name_of(x))
        elif x is not None:  # None: an unused residual slot of a gradient node
            const = _constant(names, consumer, x, like)
            specs.append(const)
            inputs.append(const.name)
    return inputs


def _from_nodes(nodes):
    names = _Names(node.node_name for node in nodes)
    specs = []
    for node in nodes:
        inputs = _inputs(names, specs, node.node_name, node.inputs, Symbol, lambda x: x.node_name)
        specs.append(NodeSpec(node.node_name, op_type(node.primitive.kind), inputs, node.shape,
                              node.dtype, _safe_attrs(node.primitive)))
    return specs


def _from_tensor(result):
    """Walk an eager result's recorded nodes back to its leaves, inputs before users."""
    if result._node is None:
        raise ValueError("add_graph: this tensor recorded no ops; eager mode records them "
                         "only for tensors computed from inputs with requires_grad=True")
    order = reverse_topological(result, lambda t: [] if t._node is None else [
        x for x in reversed(t._node.inputs) if isinstance(x, Tensor)])[::-1]
    names, given, specs = _Names(), {}, []
    for t in order:
        if t._node is None:
            kind = "Variable" if t.requires_grad else "Const"
            given[id(t)] = names.new(t.name or kind.lower())
            specs.append(NodeSpec(given[id(t)], kind, [], t.shape, t.dtype))
            continue
        op = t._node.op
        name = given[id(t)] = names.new(t.name or op.kind)
        inputs = _inputs(names, specs, name, t._node.inputs, Tensor, lambda x: given[id(x)])
        specs.append(NodeSpec(name, op_type(op.kind), inputs, t.shape, t.dtype, _safe_attrs(op)))
    return specs


def _safe_attrs(op):
    try:
        attrs = op.attrs()
    except Exception:  # an attribute that cannot be shown must not stop the graph
        return {}
    return {k: v for k, v in attrs.items() if not k.startswith("_")}


# -- protobuf conversion -------------------------------------------------------

def shape_proto(shape):
    """TensorShapeProto: -1 for unknown dimensions, unknown_rank when shape is None."""
    if shape is None:
        return tensor_shape_pb2.TensorShapeProto(unknown_rank=True)
    return tensor_shape_pb2.TensorShapeProto(dim=[
        tensor_shape_pb2.TensorShapeProto.Dim(size=-1 if d is None else int(d)) for d in shape])


def dtype_enum(dtype):
    """The TensorFlow DataType of a NumPy dtype (DT_STRING for bytes/str/object)."""
    dtype = np.dtype(dtype)
    return types_pb2.DT_STRING if dtype.kind in "OSU" else _DTYPES.get(dtype, types_pb2.DT_INVALID)


def _node_def(spec):
    node = node_def_pb2.NodeDef(name=spec.name, op=spec.op, input=spec.inputs)
    for key, value in spec.attrs.items():
        node.attr[key].CopyFrom(_attr_value(value))
    if "dtype" not in spec.attrs and spec.dtype is not None:
        node.attr["dtype"].CopyFrom(attr_value_pb2.AttrValue(type=dtype_enum(spec.dtype)))
    node.attr["_output_shapes"].CopyFrom(attr_value_pb2.AttrValue(
        list=attr_value_pb2.AttrValue.ListValue(shape=[shape_proto(spec.shape)])))
    if spec.value is not None:
        node.attr["value"].CopyFrom(_const_value(spec.value))
    return node


def _const_value(array):
    enum = dtype_enum(array.dtype)
    proto = tensor_pb2.TensorProto(dtype=enum, tensor_shape=shape_proto(array.shape))
    if array.size <= _CONST_VALUE_MAX and enum not in (types_pb2.DT_STRING, types_pb2.DT_INVALID):
        proto.tensor_content = np.ascontiguousarray(array).tobytes()
    return attr_value_pb2.AttrValue(tensor=proto)


def _attr_value(value):
    """An AttrValue for a Python attribute: numbers, strings, dtypes, lists; else its repr."""
    A = attr_value_pb2.AttrValue
    for kinds, field, convert in (((bool, np.bool_), "b", bool), ((int, np.integer), "i", int),
                                  ((float, np.floating), "f", float), (str, "s", str.encode),
                                  (np.dtype, "type", dtype_enum)):
        if isinstance(value, kinds):  # bool first: it is also an int
            return A(**{field: convert(value)})
    if isinstance(value, (tuple, list)) and value:
        if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value):
            return A(list=A.ListValue(i=[int(v) for v in value]))
        if all(isinstance(v, (int, float, np.integer, np.floating)) for v in value):
            return A(list=A.ListValue(f=[float(v) for v in value]))
        if all(isinstance(v, str) for v in value):
            return A(list=A.ListValue(s=[v.encode() for v in value]))
    if isinstance(value, np.ndarray) and value.size > _CONST_VALUE_MAX:
        return A(s=f"array of shape {value.shape}, dtype {value.dtype}".encode())
    return A(s=repr(value)[:200].encode())
