"""Activations by Keras name: `linear` and the passos functions registered for "keras.activations"
(softmax, elu, selu, relu, tanh, sigmoid, hard_sigmoid, softplus, softsign, exponential),
so passos.relu is keras.activations.relu.
"""
from ..core import registry as _registry


def linear(x):
    """The identity: no activation."""
    return x


_BY_NAME = {**_registry.namespace("keras.activations"), "linear": linear}
globals().update(_BY_NAME)


def get(identifier):
    """The activation function for a name, a function, or None (linear)."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    if identifier in _BY_NAME:
        return _BY_NAME[identifier]
    raise ValueError(f"unknown activation {identifier!r}; choose one of {sorted(_BY_NAME)} "
                     "or pass a function")


def serialize(activation):
    """The name that `get` turns back into `activation`."""
    name = getattr(activation, "__name__", None)
    if _BY_NAME.get(name) is not activation:
        raise ValueError(f"cannot save the custom activation {activation!r}; only Keras' "
                         f"named activations {sorted(_BY_NAME)} can be saved")
    return name

from .unsupported import module_getattr as _module_getattr  # noqa: E402 (Keras names passos lacks)

__getattr__ = _module_getattr(__name__)
