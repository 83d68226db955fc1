"""Activation functions by Keras name: softmax, elu, relu, tanh, sigmoid, hard_sigmoid, linear."""
from ..ops import elementwise, nn


def softmax(x, axis=-1):
    return nn.softmax(x, axis)


def elu(x, alpha=1.0):
    return nn.elu(x, alpha)


def relu(x):
    return elementwise.relu(x)


def tanh(x):
    return elementwise.tanh(x)


def sigmoid(x):
    return elementwise.sigmoid(x)


def hard_sigmoid(x):
    return nn.hard_sigmoid(x)


def linear(x):
    return x


_BY_NAME = {f.__name__: f for f in (softmax, elu, relu, tanh, sigmoid, hard_sigmoid, linear)}


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
