"""TF1 placeholders and variables: placeholder, Variable, get_variable, variable_scope, initialisers.

>>> import numpy as np, passos.compat.v1 as tf
>>> with tf.Graph().as_default():
...     with tf.variable_scope("layer"):
...         w = tf.get_variable("w", initializer=np.ones(2, "float32"))
...     with tf.variable_scope("layer", reuse=True):
...         same = tf.get_variable("w", [2])
...     w.name, same is w
('layer/w:0', True)
"""
import contextlib
import inspect
import weakref

import numpy as np

from ...core.op import Op
from ...core.shapes import describe
from ...graph import graph as passos_graph
from ...graph.graph import Symbol, VariableSymbol, get_default_graph
from ...graph.sources import GroupOp
from . import dtypes, init_ops
from .framework import (Const, GraphKeys, add_to_collection, as_array, global_variables,
                        local_variables, name_scope, state)
from .session import default_session_for


class _ReuseMode:
    def __repr__(self):
        return "tf.AUTO_REUSE"


AUTO_REUSE = _ReuseMode()


def placeholder(dtype, shape=None, name=None):
    """A graph input fed at run time: `feed_dict={x: value}`; None in `shape` means any size."""
    return passos_graph.placeholder(dtypes.as_dtype(dtype).dtype, shape, name or "Placeholder")


class _Default(Const):
    """A placeholder that yields `value` (the caller's array, not a copy) when not fed."""

    kind = "placeholder_with_default"

    def __init__(self, value, declared):
        self.value, self.declared = value, declared

    def attrs(self):
        return {"shape": self.declared}

    def shape(self):
        return self.declared


def placeholder_with_default(input, shape, name=None):  # noqa: A002 - the TF1 name
    """A node that is `input` unless fed a value of (compatible) `shape`."""
    value = as_array(input)
    declared = None if shape is None else tuple(None if d is None else int(d) for d in shape)
    if declared is not None and (len(declared) != value.ndim or any(
            d is not None and d != v for d, v in zip(declared, value.shape))):
        raise ValueError(f"placeholder_with_default: the default has shape {value.shape}, "
                         f"not compatible with {describe(declared)}")
    return get_default_graph().add_op(_Default(value, declared), [],
                                      name=name or "PlaceholderWithDefault")


class _VariableType(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, VariableSymbol)


class Variable(metaclass=_VariableType):
    """A variable holding `initial_value` (a value, array, node or callable) once initialised:
    a passos VariableSymbol, for which isinstance(v, tf.Variable) holds."""

    def __new__(cls, initial_value=None, trainable=True, collections=None, validate_shape=True,
                caching_device=None, name=None, variable_def=None, dtype=None,
                expected_shape=None, import_scope=None, constraint=None, use_resource=None,
                synchronization=None, aggregation=None, shape=None):
        if initial_value is None:
            raise ValueError("Variable: initial_value must be given")
        if callable(initial_value):
            initial_value = initial_value()
        if isinstance(initial_value, Symbol):
            value = initial_value
            dtype = dtypes.as_dtype(dtype).dtype if dtype is not None else None
        else:
            value = as_array(initial_value, dtype)
            dtype = value.dtype
        var = passos_graph.Variable(value, name=name or "Variable", dtype=dtype, trainable=trainable)
        for key in collections or ():
            if key not in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.TRAINABLE_VARIABLES):
                add_to_collection(key, var)
        return var


class _RunInitializer(Op):
    """Calls an initializer object when the variable's initializer runs (fresh random draws)."""

    kind = "initial_value"
    differentiable = False

    def __init__(self, initializer, shape, dtype):
        self.initializer, self.target, self.to = initializer, shape, dtype
        try:
            self.partition_info = "partition_info" in inspect.signature(initializer).parameters
        except (TypeError, ValueError):
            self.partition_info = False

    def attrs(self):
        return {"initializer": type(self.initializer).__name__, "shape": self.target}

    def forward(self):
        extra = {"partition_info": None} if self.partition_info else {}
        value = np.asarray(self.initializer(list(self.target), dtype=dtypes.as_dtype(self.to),
                                            **extra))
        if value.shape != self.target:
            raise ValueError(f"initializer {type(self.initializer).__name__} returned shape "
                             f"{value.shape}, expected {self.target}")
        return value.astype(self.to, copy=False)

    def shape(self):
        return self.target

    def dtype(self):
        return self.to


class VariableScope:
    """A variable scope: its name, reuse flag and defaults for get_variable."""

    def __init__(self, name, reuse=False, initializer=None, regularizer=None, dtype=None,
                 original_name_scope=""):
        self.name, self.reuse = name, reuse
        self.initializer, self.regularizer, self.dtype = initializer, regularizer, dtype
        self.original_name_scope = original_name_scope

    def reuse_variables(self):
        """Let later get_variable calls in this scope return existing variables."""
        self.reuse = True

    def set_initializer(self, initializer):
        self.initializer = initializer

    def __repr__(self):
        return f"<VariableScope '{self.name}' reuse={self.reuse}>"


def get_variable_scope():
    """The innermost open variable scope (the root scope, named '', outside any)."""
    st = state()
    if not st.var_scopes:
        st.var_scopes.append(VariableScope(""))
    return st.var_scopes[-1]


@contextlib.contextmanager
def variable_scope(name_or_scope, default_name=None, values=None, initializer=None,
                   regularizer=None, caching_device=None, partitioner=None, custom_getter=None,
                   reuse=None, dtype=None, use_resource=None, constraint=None,
                   auxiliary_name_scope=True):
    """Prefix get_variable names with 'scope/'; reuse=True: only existing variables, AUTO_REUSE:
    existing ones else new ones, None (or False): the enclosing scope's choice (the root creates)."""
    st = state()
    parent = get_variable_scope()
    reopened = isinstance(name_or_scope, VariableScope)
    if reopened:
        full = name_or_scope.name
    else:
        name = name_or_scope
        if not name:
            if not default_name:
                raise ValueError("variable_scope: give a name (or default_name)")
            base = f"{parent.name}/{default_name}" if parent.name else default_name
            count = st.scope_counts.get(base, 0)
            st.scope_counts[base] = count + 1
            name = default_name if count == 0 else f"{default_name}_{count}"
        full = f"{parent.name}/{name}" if parent.name else name
    template = name_or_scope if reopened else parent
    if reuse is None or reuse is False:
        reuse = template.reuse
    with contextlib.ExitStack() as stack:
        if not auxiliary_name_scope:
            prefix = ""
        elif reopened:
            prefix = stack.enter_context(name_scope(name_or_scope.original_name_scope or None))
        else:
            prefix = stack.enter_context(name_scope(full.rsplit("/", 1)[-1]))
        scope = VariableScope(full, reuse, initializer or template.initializer,
                              regularizer or template.regularizer, dtype or template.dtype,
                              prefix)
        st.var_scopes.append(scope)
        counts = dict(st.scope_counts)
        try:
            yield scope
        finally:
            st.var_scopes.pop()
            # as TF1: leaving a scope forgets the default names taken inside it (reopened scopes
            # get back the counts they had), so building the same model again in
            # variable_scope(name, reuse=True) finds the same names ('rnn/basic_lstm_cell')
            if reopened:
                st.scope_counts = counts
            else:
                st.scope_counts = {k: v for k, v in st.scope_counts.items()
                                   if not k.startswith(full + "/")}


def get_variable(name=None, shape=None, dtype=None, initializer=None, regularizer=None,
                 trainable=None, collections=None, caching_device=None, partitioner=None,
                 validate_shape=True, use_resource=None, custom_getter=None, constraint=None,
                 synchronization=None, aggregation=None):
    """The variable 'scope/name', created from `initializer` (a value, an initializer object, or
    None: the scope's, else Glorot uniform or zeros) or, in a reusing scope, the existing one."""
    graph = get_default_graph()
    st = state(graph)
    scope = get_variable_scope()
    prefix = scope.name + "/" if scope.name else ""
    full = prefix + name if name else None
    shape = None if shape is None else tuple(int(d) for d in shape)
    want = dtypes.as_dtype(dtype).dtype if dtype is not None else None
    # 1. an existing variable: allowed only in a reusing scope
    if full is not None and full in st.store:
        var = st.store[full]
        if scope.reuse is False:
            raise ValueError(
                f"Variable {full} already exists, disallowed. Did you mean to set reuse=True or "
                "reuse=tf.AUTO_REUSE in VarScope? (If you ran the code that builds the graph a "
                "second time, e.g. a notebook cell, call tf.reset_default_graph() first or build "
                "it inside `with tf.Graph().as_default():`.)")
        if shape is not None and shape != var.shape:
            raise ValueError(f"Trying to share variable {full}, but specified shape "
                             f"{describe(shape)} and found shape {describe(var.shape)}.")
        if want is not None and want != var.dtype:
            raise ValueError(f"Trying to share variable {full}, but specified dtype "
                             f"{np.dtype(want).name} and found dtype {var.dtype.name}.")
        return var
    if scope.reuse is True and full is not None:
        raise ValueError(f"Variable {full} does not exist, or was not created with "
                         "tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE in VarScope?")
    # 2. a new one: its initial value
    initializer = initializer if initializer is not None else scope.initializer
    if initializer is not None and not callable(initializer):
        if shape is not None:
            raise ValueError(f"get_variable '{full or 'Variable'}': if initializer is a constant, "
                             "do not specify shape.")
        value = initializer if isinstance(initializer, Symbol) else as_array(initializer, want)
    else:
        want = want or scope.dtype and dtypes.as_dtype(scope.dtype).dtype or np.dtype(np.float32)
        if shape is None or None in shape:
            raise ValueError(f"Shape of a new variable ({full or 'Variable'}) must be fully "
                             f"defined, but instead was {shape}.")
        if initializer is None:
            initializer = (init_ops.glorot_uniform_initializer() if want.kind == "f"
                           else init_ops.zeros_initializer())
        with graph.absolute_name_scope((full or prefix + "Variable") + "/Initializer/"):
            in_graph = getattr(initializer, "in_graph", None)  # tensor parameters: a graph node
            value = in_graph(shape, want) if in_graph else \
                graph.add_op(_RunInitializer(initializer, shape, want), [], name="value")
    # 3. the variable, named exactly after the variable scope (not the name scope)
    with graph.absolute_name_scope(prefix):
        var = Variable(value, trainable=True if trainable is None else trainable,
                       name=name or "Variable", dtype=want, collections=collections)
    st.store[var.node_name] = var
    regularizer = regularizer or scope.regularizer
    if regularizer is not None:
        with name_scope(var.node_name + "/Regularizer/"):
            loss = regularizer(var)
        if loss is not None:
            add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
    return var


class _ResetSlots(Op):
    """Forget the optimizers' slots (moments, accumulators) in the session, as TF1's initializer does."""

    kind = "reset_slots"
    differentiable = False

    def __init__(self, nodes):
        self.nodes = list(nodes)

    def attrs(self):
        return {"optimizers": len(self.nodes)}

    def shape(self):
        return ()

    def dtype(self):
        return np.dtype(bool)

    def bind(self, session, node):
        slots, nodes = optimizer_states(session), self.nodes

        def reset():
            for n in nodes:
                slots.pop(n, None)
        return reset


_OPTIMIZER_STATES = weakref.WeakKeyDictionary()  # kept beside each Session, never inside it


def optimizer_states(session):
    """The per-session state of the graph's optimizers, by apply-gradients node."""
    return _OPTIMIZER_STATES.setdefault(session, {})


def variables_initializer(var_list, name="init"):
    """One operation that initialises the variables in `var_list`."""
    graph = var_list[0].graph if var_list else get_default_graph()
    return graph.add_op(GroupOp(), [v.initializer for v in var_list], name=name)


def global_variables_initializer():
    """One operation that initialises every variable (and optimizer slot) of the default graph."""
    graph = get_default_graph()
    parts = [v.initializer for v in global_variables()]
    nodes = state(graph).optimizer_nodes
    if nodes:
        parts.append(graph.add_op(_ResetSlots(nodes), [], name="reset_slots"))
    return graph.add_op(GroupOp(), parts, name="init")


initialize_all_variables = global_variables_initializer


def local_variables_initializer():
    """One operation that sets (or resets) the local variables: tf.metrics' counters."""
    return get_default_graph().add_op(GroupOp(), [v.initializer for v in local_variables()],
                                      name="init_local")


def assign(ref, value, validate_shape=None, use_locking=None, name=None):
    """An operation that stores `value` in variable `ref`; running it returns the new value."""
    return ref.assign(value)


def assign_add(ref, value, use_locking=None, name=None):
    return ref.assign_add(value)


def assign_sub(ref, value, use_locking=None, name=None):
    return ref.assign_sub(value)


def load(var, value, session=None):
    """Store `value` in `var` within `session` (or the default session), without adding a node."""
    session = default_session_for(var, session, "run")
    array = np.array(value, dtype=var.dtype)
    if var.shape is not None and array.shape != var.shape:
        raise ValueError(f"load: variable '{var.name}' has shape {describe(var.shape)}, got a "
                         f"value of shape {describe(array.shape)}")
    session.variables[var] = array


__all__ = ["AUTO_REUSE", "placeholder", "placeholder_with_default", "Variable", "VariableScope",
           "get_variable", "get_variable_scope", "variable_scope", "variables_initializer",
           "global_variables_initializer", "initialize_all_variables",
           "local_variables_initializer", "assign", "assign_add", "assign_sub", "global_variables"]
