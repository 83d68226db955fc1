"""The TensorFlow-1 layer over passos.graph: per-graph bookkeeping, names, constants, collections.

TF1 names nodes 'scope/name' (with _1, _2 ... when taken) and their tensors 'scope/name:0',
and turns Python and NumPy values into constant nodes; this module does that over the passos
Graph, adding nothing to the core: its `Graph` only sets the core's `tensor_names` switch.
"""
import contextlib

import numpy as np

from ...core.op import Op
from ...core.tensor import Tensor
from ...graph import graph as passos_graph
from ...graph.graph import Symbol, get_default_graph
from ...ops.op_types import op_type
from . import dtypes
from .operation import Operation


class Graph(passos_graph.Graph):
    """A passos Graph whose nodes show TF1 tensor names: `x.name == 'x:0'`; `x.node_name` is 'x'."""

    tensor_names = True

    def default_name(self, op, offered=None):
        """TF1 names an unnamed node by its op type ('MatMul', 'Mul_1', 'Placeholder'), one made
        by a Python operator by the name it offers ('mul' for ``a * b``, 'strided_slice')."""
        return offered or op_type(op.kind)

    def get_operations(self):
        """The graph's operations (tf.Operation), in creation order."""
        return [Operation(n) for n in self.nodes if not n.primitive.offset]


def reset_default_graph():
    """Start a fresh (TF1) default graph, outside any `as_default()` block."""
    passos_graph.reset_default_graph(Graph)


class GraphKeys:
    """Names of the standard graph collections."""

    GLOBAL_VARIABLES = "variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MODEL_VARIABLES = "model_variables"
    LOSSES = "losses"
    REGULARIZATION_LOSSES = "regularization_losses"
    SUMMARIES = "summaries"
    UPDATE_OPS = "update_ops"
    GLOBAL_STEP = "global_step"
    TRAIN_OP = "train_op"


class GraphState:
    """What TF1 keeps per graph that a passos Graph does not: variable store, scopes, collections."""

    def __init__(self):
        self.store = {}            # get_variable's variables by full name
        self.var_scopes = []       # the open variable scopes, innermost last
        self.scope_counts = {}     # variable-scope names taken by default_name=
        self.collections = {}      # key -> list
        self.seed = None           # tf.set_random_seed
        self.optimizer_nodes = []  # apply-gradients nodes (their slots reset on initialisation)


def state(graph=None):
    """The TF1 bookkeeping of `graph` (the default graph when None), created on first use."""
    return (graph or get_default_graph()).front_ends.setdefault("compat.v1", GraphState())


@contextlib.contextmanager
def name_scope(name, default_name=None, values=None):
    """Prefix the names of nodes made inside with 'name/' (made unique: 'name_1/' ...), yielding
    the prefix; a name ending in '/' re-enters that exact scope."""
    graph = get_default_graph()
    name = (name if name is not None else default_name) or ""
    if not name or name.endswith("/"):
        with graph.absolute_name_scope(name):
            yield name
        return
    full = graph.unique_name(name)
    with graph.name_scope(full[len(graph.prefix()):]):
        yield full + "/"


def named(name, build):
    """Run `build()` (which adds nodes) so its result takes the unique `name`, helpers 'name/...'."""
    graph = get_default_graph()
    full = graph.unique_name(name)
    start = len(graph.nodes)
    with graph.name_scope(full[len(graph.prefix()):]):
        out = build()
        if isinstance(out, Symbol) and out.index < start:  # nothing new: TF1 still makes a node
            out = identity(out)
    if isinstance(out, Symbol) and out.graph is graph:
        out.node_name = full
    return out


class Const(Op):
    """A constant node: returns its (read-only) value."""

    kind = "const"
    differentiable = False

    def __init__(self, value):
        value = np.array(value)  # our own copy, so the caller's array can change freely
        value.flags.writeable = False
        self.value = value

    def attrs(self):
        return {"shape": self.value.shape, "dtype": str(self.value.dtype)}

    def forward(self):
        return self.value

    def shape(self):
        return self.value.shape

    def dtype(self):
        return self.value.dtype


class Identity(Op):
    """The input itself; `stop_gradient` is the same with no gradient."""

    formulas = ("∂x/∂x = 1",)
    elementwise = True

    def __init__(self, differentiable=True):
        self.differentiable = differentiable
        self.kind = "identity" if differentiable else "stop_gradient"

    def attrs(self):
        return {}

    def forward(self, x):
        return x

    def vjp(self, gy, xs, y, saved, needs):
        return (gy,)

    def shape(self, x):
        return x

    def dtype(self, x):
        return x


IDENTITY, STOP_GRADIENT = Identity(), Identity(differentiable=False)


def as_array(value, dtype=None):
    """`value` as TF1 converts it: Python floats float32, Python ints int32, text UTF-8 bytes,
    NumPy keeps its dtype."""
    if isinstance(value, Tensor):
        value = value.data
    target = None if dtype is None else dtypes.as_dtype(dtype).dtype
    array = np.asarray(value)
    if array.dtype == object:
        raise TypeError(f"cannot make a tensor from {type(value).__name__} {value!r:.80}")
    if array.dtype.kind == "U":  # TF1's strings are bytes: sess.run gives b'...', UTF-8 encoded
        array = np.char.encode(array, "utf-8")
    if target is None and not isinstance(value, (np.ndarray, np.generic)):
        if array.dtype == np.float64:
            target = np.dtype(np.float32)
        elif array.dtype == np.int64 and (array.size == 0 or (
                array.min() >= -2**31 and array.max() < 2**31)):
            target = np.dtype(np.int32)
    return array if target is None else array.astype(target)


def constant(value, dtype=None, shape=None, name="Const", verify_shape=False):
    """A constant node; a scalar `value` fills `shape`, other values are reshaped to it.

    >>> import passos.compat.v1 as tf
    >>> with tf.Graph().as_default():
    ...     c = tf.constant(2.0, shape=[2])
    ...     tf.Session().run(c)
    array([2., 2.], dtype=float32)
    """
    array = as_array(value, dtype)
    if shape is not None:
        shape = tuple(int(d) for d in shape)
        if array.shape != shape:
            if verify_shape or array.size not in (1, int(np.prod(shape))):
                raise ValueError(f"constant '{name}': a value of shape {array.shape} cannot "
                                 f"fill shape {shape}")
            array = (np.broadcast_to(array.reshape(()), shape) if array.size == 1
                     else array.reshape(shape))
    return get_default_graph().add_op(Const(array), [], name=name)


def convert_to_tensor(value, dtype=None, name=None):
    """`value` as a node of the default graph (a constant unless it already is a node)."""
    if isinstance(value, Symbol):
        if dtype is not None and dtypes.as_dtype(dtype) != value.dtype:
            raise ValueError(f"convert_to_tensor: '{value.name}' has dtype {value.dtype}, "
                             f"requested {dtypes.as_dtype(dtype).name}; use tf.cast()")
        return value
    return constant(value, dtype, name=name or "Const")


def inputs(*values):
    """Values ready for a passos op in graph mode: constants become nodes when no input is one;
    beside a node, Python scalars stay weak and arrays take its dtype when of the same kind."""
    symbols = [v for v in values if isinstance(v, Symbol)]
    if not symbols:
        return [convert_to_tensor(v) for v in values]
    kind_dtype = {s.dtype.kind: s.dtype for s in symbols}
    out = []
    for v in values:
        if isinstance(v, (list, tuple, np.ndarray)):
            array = as_array(v)
            target = kind_dtype.get(array.dtype.kind)
            v = array if target is None else array.astype(target, copy=False)
        out.append(v)
    return out


def identity(x, name=None):
    """A new node with the value of `x`."""
    return get_default_graph().add_op(IDENTITY, inputs(x), name=name or "Identity")


def stop_gradient(x, name=None):
    """The value of `x`, with no gradient flowing back through it."""
    return get_default_graph().add_op(STOP_GRADIENT, inputs(x), name=name or "StopGradient")


def global_variables(scope=None):
    """The variables of the default graph, in creation order (optionally those under `scope`),
    but for local ones (tf.metrics' counters: collection LOCAL_VARIABLES)."""
    local = {id(v) for v in local_variables()}
    return _filter([v for v in get_default_graph().variables if id(v) not in local], scope)


def local_variables(scope=None):
    """The variables in collection LOCAL_VARIABLES: per-session counters (tf.metrics) that
    local_variables_initializer sets, and resets, and global_variables_initializer leaves."""
    return _filter(list(state().collections.get(GraphKeys.LOCAL_VARIABLES, [])), scope)


def trainable_variables(scope=None):
    """The variables created with trainable=True."""
    return [v for v in global_variables(scope) if getattr(v, "trainable", True)]


def _filter(items, scope):
    if scope is None:
        return items
    return [v for v in items if getattr(v, "name", "").startswith(scope)]


def get_collection(key, scope=None):
    """The items in collection `key` of the default graph (variables come from the graph itself)."""
    if key == GraphKeys.GLOBAL_VARIABLES:
        return global_variables(scope)
    if key == GraphKeys.TRAINABLE_VARIABLES:
        return trainable_variables(scope)
    return _filter(list(state().collections.get(key, [])), scope)


def add_to_collection(name, value):
    state().collections.setdefault(name, []).append(value)


def get_collection_ref(key):
    return state().collections.setdefault(key, [])


class TensorShape(tuple):
    """A static shape: a tuple of ints (None where unknown) with TF1's helper methods."""

    def as_list(self):
        return list(self)

    ndims = property(len)
    dims = property(as_list)

    def num_elements(self):
        return None if None in self else int(np.prod(self, dtype=np.int64))

    def is_fully_defined(self):
        return None not in self

    def __repr__(self):
        return f"TensorShape({list(self)})"
