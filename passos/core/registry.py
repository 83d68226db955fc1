"""The one registration place: every public op function and the namespaces that show it.

An op file registers its public function where it defines it, next to the
op class (which carries the vjp and the formula text explain shows)::

    @register("passos", "tf", "tf.math", tf="Exp")
    def exp(x, name=None): ...

or, for a function of one or two tensors and nothing else, `unary` or `binary`
writes it: `exp = unary(EXP, "e ** x, elementwise.", "passos", "tf", "tf.math", tf="Exp")`.

Namespaces: "passos" (the top level), "keras.activations", and TensorFlow 1's
"tf", "tf.nn" and "tf.math" where the TF1 function has the passos name and
arguments (`tf` gives its default node name; passos.compat.v1 adds name=).
`passos/__init__.py`, `passos.keras.activations` and `passos.compat.v1` build
themselves from `namespace(...)`; the op-coverage tests enumerate `entries()`,
so a registered differentiable function without a gradient check fails a test.
"""
from .apply import apply

NAMESPACES = ("passos", "keras.activations", "tf", "tf.nn", "tf.math")
_TF1 = ("tf", "tf.nn", "tf.math")

_entries = {}  # name -> Entry, in registration order


class Entry:
    """One public function: its name, namespaces, TF1 node name, and whether it has gradients."""

    __slots__ = ("name", "function", "namespaces", "tf", "differentiable")

    def __init__(self, name, function, namespaces, tf, differentiable):
        self.name, self.function, self.namespaces = name, function, namespaces
        self.tf, self.differentiable = tf, differentiable

    def __repr__(self):
        return f"<registered {self.name} in {', '.join(self.namespaces)}>"


def register(*namespaces, tf=None, differentiable=True):
    """Decorator: list the function under its own name in `namespaces`.

    tf: the TF1 default node name ("Exp"), required with a TF1 namespace.
    differentiable: False for functions without gradients (comparisons,
    argmax, constructors); the rest need an entry in tests/op_table.py.
    """
    unknown = [n for n in namespaces if n not in NAMESPACES]
    if unknown:
        raise ValueError(f"register: unknown namespace(s) {unknown}; choose from {NAMESPACES}")
    if (tf is None) == any(n in _TF1 for n in namespaces):
        raise ValueError(f"register: give tf= (the TF1 node name) exactly when registering "
                         f"in a TF1 namespace {_TF1}; got namespaces {namespaces}, tf={tf!r}")

    def add(function):
        name = function.__name__
        known = _entries.get(name)
        if known is not None and known.function is not function:
            raise ValueError(f"register: '{name}' is already registered by "
                             f"{known.function.__module__}")
        _entries[name] = Entry(name, function, namespaces, tf, differentiable)
        return function
    return add


def entries(namespace=None):
    """The registered functions (those shown in `namespace` when given), in registration order."""
    return [e for e in _entries.values() if namespace is None or namespace in e.namespaces]


def namespace(name):
    """{function name: function} of the functions registered in namespace `name`."""
    if name not in NAMESPACES:
        raise ValueError(f"namespace: unknown namespace {name!r}; choose from {NAMESPACES}")
    return {e.name: e.function for e in entries(name)}


def unary(op, doc, *namespaces, tf=None, differentiable=True):
    """The registered function `<op.kind>(x, name=None)` that applies `op` (in the op's module).

    `exp = unary(EXP, "e ** x.", "passos", tf="Exp")` is the same as `@register("passos", tf="Exp")`
    on `def exp(x, name=None): return apply(EXP, x, name=name)` with that docstring.
    """
    def function(x, name=None):
        return apply(op, x, name=name)
    function.__module__ = type(op).__module__
    return published(function, op.kind, doc, *namespaces, tf=tf, differentiable=differentiable)


def binary(op, doc, *namespaces, tf=None, differentiable=True):
    """The function `<op.kind>(x, y, name=None)` that applies `op`, as `unary`."""
    def function(x, y, name=None):
        return apply(op, x, y, name=name)
    function.__module__ = type(op).__module__
    return published(function, op.kind, doc, *namespaces, tf=tf, differentiable=differentiable)


def published(function, name, doc, *namespaces, tf=None, differentiable=True):
    """`function` (made by a factory) given its public `name` and `doc`, and registered."""
    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    return register(*namespaces, tf=tf, differentiable=differentiable)(function)
