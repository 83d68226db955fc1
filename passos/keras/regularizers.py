"""Keras 2's weight and activity regularizers: penalties added to the training loss.

A regularizer maps a tensor (a layer's weight or output) to a scalar penalty built from
passos ops, so it runs eagerly on tensors and inside a compiled model's traced graph alike.

>>> import passos
>>> from passos.keras import regularizers
>>> float(regularizers.l2(0.5)(passos.tensor([1.0, 2.0])).numpy())
2.5
"""
from .. import arguments
from ..ops import elementwise as el, reduce as rd


class Regularizer:
    """Base class: `regularizer(x)` returns the penalty (a scalar) for tensor x."""

    def __call__(self, x):
        return 0.0

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1L2(Regularizer):
    """l1 * sum(|x|) + l2 * sum(x**2); a zero factor adds no term (and no graph node)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = arguments.number(l1, "L1L2", "l1", 0, float("inf"))
        self.l2 = arguments.number(l2, "L1L2", "l2", 0, float("inf"))

    def __call__(self, x):
        penalty = 0.0
        if self.l1:
            penalty = penalty + self.l1 * rd.sum(el.abs(x))
        if self.l2:
            penalty = penalty + self.l2 * rd.sum(el.square(x))
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}

    def __repr__(self):
        return f"L1L2(l1={self.l1}, l2={self.l2})"


def l1(l=0.01):  # noqa: E741 (Keras' argument name)
    """L1L2(l1=l): l * sum(|x|)."""
    return L1L2(l1=l)


def l2(l=0.01):  # noqa: E741
    """L1L2(l2=l): l * sum(x**2)."""
    return L1L2(l2=l)


def l1_l2(l1=0.01, l2=0.01):  # the arguments shadow l1 and l2 here, as in Keras
    """L1L2(l1, l2): l1 * sum(|x|) + l2 * sum(x**2)."""
    return L1L2(l1=l1, l2=l2)


_BY_NAME = {"L1L2": L1L2, "Regularizer": Regularizer, "l1": l1, "l2": l2, "l1_l2": l1_l2}


def serialize(regularizer):
    """Keras' config dict {'class_name', 'config'} (None stays None; a function gives its name)."""
    if regularizer is None:
        return None
    if isinstance(regularizer, Regularizer):
        return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}
    return getattr(regularizer, "__name__", repr(regularizer))


def deserialize(config, custom_objects=None):
    """A regularizer from serialize's dict, or a name ('l2') with its default factor."""
    known = {**_BY_NAME, **(custom_objects or {})}
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"regularizers.deserialize: expected a name or a dict with "
                         f"'class_name', got {config!r}")
    name = config["class_name"]
    if name not in known:
        raise ValueError(f"unknown regularizer {name!r}; known: {sorted(_BY_NAME)}")
    found = known[name]
    args = config.get("config") or {}
    return found.from_config(args) if hasattr(found, "from_config") else found(**args)


def get(identifier):
    """A regularizer from None, a name ('l1', 'l2', 'l1_l2'), a config dict or a callable."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"could not interpret regularizer {identifier!r}: give a name ('l2'), "
                     f"a regularizer such as regularizers.l2(0.01), a config dict or a function")
