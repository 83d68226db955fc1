"""Keras 2's weight constraints: projections applied to a weight after each optimizer update.

A constraint maps a weight's array to its projected value with NumPy; a compiled train plan
writes the result back into the weight right after the optimizer's step.

>>> import numpy as np
>>> from passos.keras import constraints
>>> constraints.non_neg()(np.array([-1.0, 2.0]))
array([0., 2.])
"""
import numpy as np

from .. import arguments

EPSILON = 1e-7  # Keras' default K.epsilon(), which its constraints add to the norms


class Constraint:
    """Base class: `constraint(w)` returns the projected array of w (here: w unchanged)."""

    def __call__(self, w):
        return _array(w)

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class MaxNorm(Constraint):
    """Rescale each slice along `axis` whose L2 norm exceeds max_value down to max_value."""

    def __init__(self, max_value=2, axis=0):
        self.max_value = arguments.number(max_value, "MaxNorm", "max_value", 0, float("inf"))
        self.axis = _axis(axis, "MaxNorm")

    def __call__(self, w):
        w = _array(w)
        norms = _norms(w, self.axis)
        return w * (np.clip(norms, 0, self.max_value) / (EPSILON + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Set the negative entries to zero."""

    def __call__(self, w):
        w = _array(w)
        return np.where(w >= 0, w, 0).astype(w.dtype, copy=False)


class UnitNorm(Constraint):
    """Divide each slice along `axis` by its L2 norm."""

    def __init__(self, axis=0):
        self.axis = _axis(axis, "UnitNorm")

    def __call__(self, w):
        w = _array(w)
        return w / (EPSILON + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Move each slice's L2 norm into [min_value, max_value], by the fraction `rate`."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = arguments.number(min_value, "MinMaxNorm", "min_value", 0, float("inf"))
        self.max_value = arguments.number(max_value, "MinMaxNorm", "max_value", 0, float("inf"))
        if self.min_value > self.max_value:
            raise ValueError(f"MinMaxNorm: min_value {self.min_value} is above max_value "
                             f"{self.max_value}")
        self.rate = arguments.number(rate, "MinMaxNorm", "rate", 0, 1, high_open=False)
        self.axis = _axis(axis, "MinMaxNorm")

    def __call__(self, w):
        w = _array(w)
        norms = _norms(w, self.axis)
        desired = self.rate * np.clip(norms, self.min_value, self.max_value) + \
            (1 - self.rate) * norms
        return w * (desired / (EPSILON + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


def _array(w):
    """The value of a weight (a passos Tensor) or an array-like, as an array."""
    return np.asarray(getattr(w, "data", w))


def _norms(w, axis):
    axis = tuple(axis) if isinstance(axis, list) else axis
    return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))


def _axis(axis, who):
    """An int, a list of ints (Keras config) or None (all axes)."""
    if axis is None or arguments.is_int(axis):
        return axis
    if isinstance(axis, (list, tuple)) and all(arguments.is_int(a) for a in axis):
        return list(axis)
    raise ValueError(f"{who}: axis must be an int, a list of ints or None, got {axis!r}")


max_norm = maxnorm = MaxNorm
non_neg = nonneg = NonNeg
unit_norm = unitnorm = UnitNorm
min_max_norm = MinMaxNorm

_BY_NAME = {"MaxNorm": MaxNorm, "NonNeg": NonNeg, "UnitNorm": UnitNorm, "MinMaxNorm": MinMaxNorm,
            "Constraint": Constraint, "max_norm": MaxNorm, "maxnorm": MaxNorm,
            "non_neg": NonNeg, "nonneg": NonNeg, "unit_norm": UnitNorm, "unitnorm": UnitNorm,
            "min_max_norm": MinMaxNorm}


def serialize(constraint):
    """Keras' config dict {'class_name', 'config'} (None stays None; a function gives its name)."""
    if constraint is None:
        return None
    if isinstance(constraint, Constraint):
        return {"class_name": type(constraint).__name__, "config": constraint.get_config()}
    return getattr(constraint, "__name__", repr(constraint))


def deserialize(config, custom_objects=None):
    """A constraint from serialize's dict or a name ('max_norm', 'non_neg')."""
    known = {**_BY_NAME, **(custom_objects or {})}
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"constraints.deserialize: expected a name or a dict with "
                         f"'class_name', got {config!r}")
    name = config["class_name"]
    if name not in known:
        raise ValueError(f"unknown constraint {name!r}; known: {sorted(_BY_NAME)}")
    found = known[name]
    args = config.get("config") or {}
    return found.from_config(args) if hasattr(found, "from_config") else found(**args)


def get(identifier):
    """A constraint from None, a name, a config dict or a callable (array -> array)."""
    if identifier is None or isinstance(identifier, Constraint):
        return identifier
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"could not interpret constraint {identifier!r}: give a name "
                     f"('max_norm'), a constraint such as constraints.max_norm(3), a config "
                     f"dict or a function")
