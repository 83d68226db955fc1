"""Python operators and methods shared by eager tensors and graph symbols.

`install(cls)` gives a tensor class ``+ - * / ** @``, comparisons, indexing and
the NumPy-style methods, all routed through the same op functions.
"""
from . import arithmetic as ar
from . import elementwise as el
from . import matmul as mm
from . import movement as mv
from . import reduce as rd


def _reshape(self, *shape):
    return mv.reshape(self, shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape)


def _transpose(self, *axes):
    return mv.transpose(self, (axes[0] if len(axes) == 1 and not isinstance(axes[0], int) else axes) or None)


_METHODS = {
    "__add__": lambda a, b: ar.add(a, b),
    "__radd__": lambda a, b: ar.add(b, a),
    "__sub__": lambda a, b: ar.subtract(a, b),
    "__rsub__": lambda a, b: ar.subtract(b, a),
    "__mul__": lambda a, b: ar.multiply(a, b),
    "__rmul__": lambda a, b: ar.multiply(b, a),
    "__truediv__": lambda a, b: ar.divide(a, b),
    "__rtruediv__": lambda a, b: ar.divide(b, a),
    "__pow__": lambda a, b: ar.power(a, b),
    "__rpow__": lambda a, b: ar.power(b, a),
    "__matmul__": lambda a, b: mm.matmul(a, b),
    "__rmatmul__": lambda a, b: mm.matmul(b, a),
    "__neg__": lambda a: ar.negative(a),
    "__pos__": lambda a: a,
    "__abs__": lambda a: el.abs(a),
    "__eq__": lambda a, b: ar.equal(a, b),
    "__ne__": lambda a, b: ar.not_equal(a, b),
    "__lt__": lambda a, b: ar.less(a, b),
    "__le__": lambda a, b: ar.less_equal(a, b),
    "__gt__": lambda a, b: ar.greater(a, b),
    "__ge__": lambda a, b: ar.greater_equal(a, b),
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


def install(cls):
    """Give `cls` the shared operators and methods; keeps it hashable by identity."""
    for name, method in _METHODS.items():
        setattr(cls, name, method)
    cls.__hash__ = object.__hash__
    return cls
