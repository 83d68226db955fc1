"""Python operators and methods shared by eager tensors and graph symbols.

`install(cls)` gives a tensor class ``+ - * / ** @``, comparisons, indexing and the
NumPy-style methods, all routed through the same op functions. Graph symbols' operators
also offer their node an `OperatorName` (``a * b`` offers 'mul'), which a graph may take as
the default name (TF1's graphs do, as TF 1.15 names ``a * b`` 'mul' and `tf.multiply` 'Mul').
"""
import numpy as np

from ..arguments import numeric_array
from . import arithmetic as ar
from . import elementwise as el
from . import matmul as mm
from . import movement as mv
from . import reduce as rd


def _reshape(self, *shape):
    return mv.reshape(self, shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape)


def _transpose(self, *axes):
    return mv.transpose(self, (axes[0] if len(axes) == 1 and not isinstance(axes[0], int) else axes) or None)


# operand types that need no check: Python and common NumPy numbers, and the tensor classes
# (and their subclasses, learned when first met); the rest must hold numbers
_TRUSTED = {int, float, bool, complex, np.float32, np.float64, np.int32, np.int64, np.bool_}
_TENSORS = []  # the classes given to install()


def _check_operand(b, who):
    if isinstance(b, tuple(_TENSORS)):
        _TRUSTED.add(type(b))
    else:
        numeric_array(b, who, "the other operand")  # an ndarray costs a dtype-kind test


class OperatorName(str):
    """A default node name offered by a Python operator on graph symbols; a graph may ignore it."""

    __slots__ = ()


def _binary(function, symbol, reflected=False, offer=None):
    """The method `a <symbol> b` (or `b <symbol> a` when `reflected`) built on `function`.

    `offer`: the node name to offer (graph symbols only; eager tensors keep unnamed results).
    """
    who = f"operator {symbol}"
    if offer is None:
        def method(a, b):
            if type(b) not in _TRUSTED:
                _check_operand(b, who)
            return function(b, a) if reflected else function(a, b)
        return method
    name = OperatorName(offer)

    def offering(a, b):
        if type(b) not in _TRUSTED:
            _check_operand(b, who)
        return function(b, a, name=name) if reflected else function(a, b, name=name)
    return offering


_BINARY = {"add": (ar.add, "+"), "sub": (ar.subtract, "-"), "mul": (ar.multiply, "*"),
           "truediv": (ar.divide, "/"), "pow": (ar.power, "**"), "matmul": (mm.matmul, "@")}
_COMPARISONS = {"eq": (ar.equal, "=="), "ne": (ar.not_equal, "!="), "lt": (ar.less, "<"),
                "le": (ar.less_equal, "<="), "gt": (ar.greater, ">"),
                "ge": (ar.greater_equal, ">=")}

_METHODS = {
    **{f"__{name}__": _binary(f, s) for name, (f, s) in {**_BINARY, **_COMPARISONS}.items()},
    **{f"__r{name}__": _binary(f, s, reflected=True) for name, (f, s) in _BINARY.items()},
    "__neg__": lambda a: ar.negative(a),
    "__pos__": lambda a: a,
    "__abs__": lambda a: el.abs(a),
    "__getitem__": lambda a, index: mv.getitem(a, index),
    "sum": lambda a, axis=None, keepdims=False: rd.sum(a, axis, keepdims),
    "mean": lambda a, axis=None, keepdims=False: rd.mean(a, axis, keepdims),
    "max": lambda a, axis=None, keepdims=False: rd.max(a, axis, keepdims),
    "min": lambda a, axis=None, keepdims=False: rd.min(a, axis, keepdims),
    "argmax": lambda a, axis=None: rd.argmax(a, axis),
    "argmin": lambda a, axis=None: rd.argmin(a, axis),
    "exp": lambda a: el.exp(a),
    "log": lambda a: el.log(a),
    "sqrt": lambda a: el.sqrt(a),
    "tanh": lambda a: el.tanh(a),
    "sigmoid": lambda a: el.sigmoid(a),
    "relu": lambda a: el.relu(a),
    "abs": lambda a: el.abs(a),
    "clip": lambda a, min_value=None, max_value=None: ar.clip(a, min_value, max_value),
    "astype": lambda a, dtype: el.cast(a, dtype),
    "reshape": _reshape,
    "transpose": _transpose,
    "T": property(lambda a: mv.transpose(a)),
}


# graph symbols' operators that offer their node a name: TF 1.15's (math_ops.py builds each in
# name_scope(None, "<name>"); comparisons and -x keep the op type: Less, Neg)
_OFFERING = {
    **{f"__{name}__": _binary(f, s, offer=name) for name, (f, s) in _BINARY.items()},
    **{f"__r{name}__": _binary(f, s, reflected=True, offer=name) for name, (f, s) in _BINARY.items()},
    "__getitem__": lambda a, index: mv.getitem(a, index, name=_STRIDED_SLICE),
}
_STRIDED_SLICE = OperatorName("strided_slice")


def install(cls, equality=True, offer_names=False):
    """Give `cls` the shared operators and methods (once); keeps it hashable by identity.

    equality=False leaves `==` and `!=` as identity (TF1's tensors compare so);
    offer_names=True (graph symbols) makes the operators offer an `OperatorName`.
    """
    if cls in _TENSORS:
        return cls
    for name, method in _METHODS.items():
        if equality or name not in ("__eq__", "__ne__"):
            setattr(cls, name, _OFFERING.get(name, method) if offer_names else method)
    _TENSORS.append(cls)
    _TRUSTED.add(cls)
    cls.__hash__ = object.__hash__
    return cls
