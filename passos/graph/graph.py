"""Define-then-run graphs: `Graph`, symbolic tensors, placeholders and variables.

Every passos function works on symbols: `apply` sees a symbolic input and asks
its graph to record a node, after checking shapes with the op's `shape` rule,
so shape mistakes surface when the graph is built.
"""
import contextlib

import numpy as np

from .. import arguments
from ..core.apply import Symbolic, constant_input, tracing_graph
from ..arguments import numeric_array
from ..core.dtypes import DEFAULT_FLOAT, as_dtype
from ..core.shapes import ShapeError, describe
from ..core.tensor import Tensor
from ..ops.operators import OperatorName
from .sources import AssignOp, CaptureOp, GroupOp, PlaceholderOp, VariableOp

# The extension point of front ends: `extend(Symbol, eval=...)` registers methods that
# nodes (or variables, or graphs) of every graph then have; a class looks them up
# here (`__getattr__` and the operator hooks below), so no front end patches a class.
_EXTRA = {}  # class -> {name: function}
# operators the core leaves to front ends (TF1's //, %, ~, &, |, ^ on graph tensors)
OPERATOR_HOOKS = ("__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__and__",
                  "__rand__", "__or__", "__ror__", "__xor__", "__rxor__", "__invert__")


def extend(cls, **methods):
    """Give instances of `cls` (Symbol, VariableSymbol or Graph) a front end's extra methods.

    Only names the class leaves open (or lists in OPERATOR_HOOKS) are accepted,
    so a front end adds behaviour and never replaces the core's.
    """
    if cls not in (Symbol, VariableSymbol, Graph):
        raise TypeError(f"extend(): {cls.__name__} is not Symbol, VariableSymbol or Graph")
    taken = sorted(n for n in methods if not _open(cls, n))
    if taken:
        raise ValueError(f"extend({cls.__name__}): {taken} belong to the core; a front end adds "
                         "methods under new names (or the operators in OPERATOR_HOOKS)")
    _EXTRA.setdefault(cls, {}).update(methods)


def _open(cls, name):
    """Whether a front end may define `name` on `cls`: a new name, or an operator hook of nodes."""
    if name.startswith("__"):
        return name in OPERATOR_HOOKS and issubclass(cls, Symbol)
    return not hasattr(cls, name)


def _extra(obj, name):
    """The front-end method `name` registered for `obj`'s class or a base, or None."""
    for cls in type(obj).__mro__:
        found = _EXTRA.get(cls, {}).get(name)
        if found is not None:
            return found
    return None


class Extensible:
    """Finds the methods front ends registered with `extend` (only reached for missing names)."""

    __slots__ = ()

    def __getattr__(self, name):
        found = _extra(self, name)
        if found is None:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        return found.__get__(self)


def _operator_hook(name):
    """The operator `name` of nodes: a front end's, or unsupported (NotImplemented)."""
    def method(self, *other):
        found = _extra(self, name)
        if found is not None:
            return found(self, *other)
        if other:
            return NotImplemented
        raise TypeError(f"bad operand type for {name}: '{self.name}' (no front end defines it; "
                        "passos.compat.v1 does)")
    method.__name__ = name
    return method


class Symbol(Extensible, Symbolic):
    """A value a graph will compute: the output of one node.

    `shape` holds None for dimensions known only at run time (None when even
    the rank is unknown); `dtype` is a NumPy dtype. `node_name` is the node's
    name in its graph ('scope/x'); `name` is the same, or TF1's tensor name
    'scope/x:0' in a graph whose class sets `tensor_names` (TF1's tf.Graph).
    """

    __slots__ = ("graph", "primitive", "inputs", "shape", "dtype", "node_name", "index", "__weakref__")
    __array_priority__ = 100  # ndarray <op> Symbol calls our reflected operator

    def __init__(self, graph, op, inputs, shape, dtype, name):
        self.graph, self.primitive, self.inputs = graph, op, inputs
        self.shape, self.dtype, self.node_name = shape, dtype, name
        self.index = len(graph.nodes)  # creation order is a topological order

    @property
    def name(self):
        if not self.graph.tensor_names:
            return self.node_name
        if self.primitive.offset:  # stands for output k of its input's node: TF1's 'that:k'
            return f"{self.inputs[0].node_name}:{self.primitive.offset}"
        return f"{self.node_name}:0"

    @property
    def ndim(self):
        return None if self.shape is None else len(self.shape)

    def __repr__(self):
        return (f"<passos.graph.Symbol '{self.name}' op={self.primitive.kind} "
                f"shape={describe(self.shape)} dtype={self.dtype}>")

    def __bool__(self):
        raise TypeError(f"'{self.name}' is symbolic and has no truth value until a Session "
                        "runs it; use passos.where() for choices inside a graph")

    def __len__(self):
        if not self.shape or self.shape[0] is None:
            raise TypeError(f"len(): '{self.name}' has no known first dimension "
                            f"(shape {describe(self.shape)})")
        return self.shape[0]

    def __iter__(self):
        """The slices along the first axis, which must be known."""
        if self.shape is None:
            raise TypeError(f"Cannot iterate over '{self.name}': its shape is unknown")
        if not self.shape:
            raise TypeError(f"Cannot iterate over the scalar tensor '{self.name}'")
        if self.shape[0] is None:
            raise TypeError(f"Cannot iterate over '{self.name}' with unknown first dimension "
                            f"(shape {describe(self.shape)}); use tf.unstack(x, num=...)")
        return (self[i] for i in range(self.shape[0]))

    # operators left to front ends (see extend)
    (__floordiv__, __rfloordiv__, __mod__, __rmod__, __and__, __rand__, __or__, __ror__,
     __xor__, __rxor__, __invert__) = (_operator_hook(n) for n in OPERATOR_HOOKS)


class VariableSymbol(Symbol):
    """A graph variable: its value lives in each Session, set by its `initializer`."""

    __slots__ = ("initializer", "trainable")

    def assign(self, value):
        """A node that stores `value` in this variable when run."""
        return self.graph.add_op(AssignOp(self, "assign"), [value])

    def assign_add(self, delta):
        return self.graph.add_op(AssignOp(self, "assign_add"), [delta])

    def assign_sub(self, delta):
        return self.graph.add_op(AssignOp(self, "assign_sub"), [delta])


class Graph(Extensible):
    """A container of nodes, built once and run many times by Sessions."""

    tensor_names = False  # True in a front end's subclass (TF1): node.name reads 'x:0'

    def __init__(self):
        self.nodes = []
        self.variables = []
        self._counts = {}
        self._scopes = []
        self._captured = {}  # id(eager tensor) -> its node
        self._origin = None  # (Keras layer name or None, part of a gradient) of new nodes
        self.origins = {}    # node index -> its origin, where one was set
        self.front_ends = {}  # what a front end keeps per graph (TF1: collections), by its name

    @contextlib.contextmanager
    def as_default(self):
        """Make this graph the one new placeholders and variables go to."""
        _stack.append(self)
        try:
            yield self
        finally:
            _stack.pop()

    @contextlib.contextmanager
    def name_scope(self, name):
        """Prefix the names of nodes created inside with `name/`."""
        self._scopes.append(name)
        try:
            yield self.prefix()
        finally:
            self._scopes.pop()

    @contextlib.contextmanager
    def origin(self, layer=None, backward=False):
        """Mark nodes created inside as made by Keras layer `layer` (a name), or for a gradient.

        Errors about a node (check_numerics, memory) name it; node names stay as written.
        """
        outer, self._origin = self._origin, (layer, backward)
        try:
            yield
        finally:
            self._origin = outer

    def origin_of(self, node):
        """(layer name or None, whether the node computes a gradient)."""
        return self.origins.get(node.index, (None, False))

    @contextlib.contextmanager
    def absolute_name_scope(self, prefix):
        """Name nodes under exactly `prefix` ('a/b/' or ''), whatever scopes are open."""
        saved = self._scopes
        self._scopes = [prefix[:-1]] if prefix else []
        try:
            yield prefix
        finally:
            self._scopes = saved

    def prefix(self):
        """The current name-scope prefix ('outer/inner/' or '')."""
        return "".join(s + "/" for s in self._scopes)

    def unique_name(self, base):
        """`base` prefixed with the current scope, with _1, _2 ... added when taken."""
        name = self.prefix() + base
        count = self._counts.get(name, 0)
        self._counts[name] = count + 1
        return name if count == 0 else f"{name}_{count}"

    def reserve_name(self, name):
        """Mark `name` taken (a node made elsewhere, e.g. imported): unique_name never gives it."""
        base, _, count = name.rpartition("_")
        if base and count.isdigit() and not count.startswith("0"):
            self._counts[base] = max(self._counts.get(base, 0), int(count) + 1)
        self._counts[name] = max(self._counts.get(name, 0), 1)

    def default_name(self, op, offered=None):
        """The name of an unnamed node of `op` (before scope and _1, _2 ...): its kind.

        `offered`: the name a Python operator offers ('mul' for ``a * b``); ignored here.
        """
        return op.kind

    def add_op(self, op, inputs, name=None):
        """Record `op` applied to `inputs` (symbols of this graph or constants); check shapes."""
        if type(name) is OperatorName:  # an operator's offer, not a user's name
            name = self.default_name(op, name)
        converted = [self._input(op, x) for x in inputs]
        shapes = [x.shape if isinstance(x, Symbol) else np.shape(x) for x in converted]
        dtypes = [x.dtype if isinstance(x, Symbol) else _weak_dtype(x) for x in converted]
        if any(s is None for s in shapes):
            shape = None
        else:
            try:
                shape = op.shape(*shapes)
            except ShapeError as error:
                raise ShapeError(f"{error} (building node '{self.prefix()}{name or op.kind}' "
                                 f"from {_describe_inputs(converted)})") from None
        node = Symbol(self, op, converted, shape, np.dtype(op.dtype(*dtypes)),
                      self.unique_name(name or self.default_name(op)))
        self.nodes.append(node)
        if self._origin is not None:
            self.origins[node.index] = self._origin
        return node

    def _input(self, op, x):
        if isinstance(x, Symbol):
            if x.graph is not self:
                raise ValueError(f"{op.kind}: '{x.name}' belongs to another Graph; build "
                                 "all parts of a computation inside one graph.as_default()")
            return x
        if isinstance(x, Tensor):  # traced: every eager tensor is read live, trainable or not
            return self.capture(x) if x.requires_grad or tracing_graph() is self else x.data
        if x is None:  # an op without saved residuals, as a gradient node's input
            return None
        return constant_input(x, op.kind)

    def capture(self, tensor):
        """The node that reads an eager tensor's live value (e.g. a Keras weight) at run time.

        Gradients can be taken with respect to it, and in-place updates of
        `tensor.data` between runs are seen by every later run.
        """
        node = self._captured.get(id(tensor))
        if node is None:
            node = Symbol(self, CaptureOp(tensor), [], tensor.shape, tensor.dtype,
                          self.unique_name(tensor.name or "captured"))
            self.nodes.append(node)
            self._captured[id(tensor)] = node
            if self._origin is not None:  # first read inside a layer: that layer's weight
                self.origins[node.index] = self._origin
        return node

    def get_operations(self):
        """The graph's nodes, in creation order."""
        return list(self.nodes)

    def get_tensor_by_name(self, name):
        """The node called `name` (a trailing ':0', as TensorFlow writes it, is allowed)."""
        plain = name[:-2] if name.endswith(":0") else name
        for node in self.nodes:
            if node.node_name == plain:
                return node
        raise KeyError(f"no node named '{plain}' in this graph")


def _weak_dtype(x):
    """Python scalars keep NumPy's weak typing (float32 * 2.0 stays float32)."""
    return x if isinstance(x, (int, float, bool)) else np.asarray(x).dtype


def _describe_inputs(inputs):
    return ", ".join(f"'{x.name}' {describe(x.shape)}" if isinstance(x, Symbol)
                     else f"a constant {describe(np.shape(x))}" for x in inputs)


_stack = [Graph()]


def get_default_graph():
    """The graph that placeholders, variables and constants go to now."""
    return _stack[-1]


def reset_default_graph(graph_class=None):
    """Start a fresh default graph, a `graph_class` (Graph when None), outside any `as_default()`."""
    if len(_stack) > 1:
        raise RuntimeError("reset_default_graph(): not allowed inside a graph.as_default() block")
    _stack[0] = (graph_class or Graph)()


def placeholder(dtype=DEFAULT_FLOAT, shape=None, name=None):
    """A graph input fed at run time; None in `shape` means any size along that axis."""
    graph = get_default_graph()
    dtype = as_dtype(dtype)
    if isinstance(shape, (list, tuple)):  # -1, as None, means any size (TensorFlow's convention)
        shape = type(shape)(None if arguments.is_int(d) and d == -1 else d for d in shape)
    if shape is not None:
        shape = arguments.shape(shape, "placeholder", "shape", minimum=0)
    op = PlaceholderOp()
    node = Symbol(graph, op, [], shape, dtype, graph.unique_name(name or graph.default_name(op)))
    graph.nodes.append(node)
    return node


def Variable(initial_value, name=None, dtype=None, trainable=True):  # noqa: N802 - the TF name
    """A graph variable with an initial value (array-like or a symbol of the same graph)."""
    graph = get_default_graph()
    if isinstance(initial_value, Symbol):
        shape, vdtype = initial_value.shape, as_dtype(dtype) or initial_value.dtype
    else:
        initial_value = numeric_array(getattr(initial_value, "data", initial_value), "Variable",
                                      "initial_value")
        if initial_value.dtype == np.float64 and dtype is None:
            initial_value = initial_value.astype(DEFAULT_FLOAT)
        vdtype = as_dtype(dtype) or initial_value.dtype
        initial_value = initial_value.astype(vdtype)
        shape = initial_value.shape
    var = VariableSymbol(graph, VariableOp(), [], shape, vdtype,
                          graph.unique_name(name or "Variable"))
    var.trainable = trainable
    graph.nodes.append(var)
    graph.variables.append(var)
    own_name = var.node_name[len(graph.prefix()):]  # the scope prefix is added again below
    var.initializer = graph.add_op(AssignOp(var, "assign"), [initial_value],
                                   name=f"{own_name}/initializer")
    return var


def variables_initializer(variables):
    """One node that initialises `variables` when run."""
    graph = variables[0].graph if variables else get_default_graph()
    return graph.add_op(GroupOp(), [v.initializer for v in variables], name="init")


def global_variables_initializer():
    """One node that initialises every variable of the default graph."""
    return variables_initializer(get_default_graph().variables)


def group(*nodes, name=None):
    """One node that runs all of `nodes` (and returns nothing); a front end's operation
    object (TF1's tf.Operation) stands for the node it names by `graph_node_to_run`."""
    nodes = [getattr(n, "graph_node_to_run", n) for n in nodes]
    return get_default_graph().add_op(GroupOp(), nodes, name=name or "group")
