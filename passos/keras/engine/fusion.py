"""Fused ops for compiled plans: a layer's steps, or a pair of layers, as one op.

Inside `fused()` (the block in which a Plan traces the model) a Dense or
Conv layer runs its product, bias and ReLU as one op, and a model
(Sequential or functional) runs a ReLU Conv2D followed by 2x2 max pooling,
the course's CONV -> POOL -> ReLU block, as one `ConvPool` op (consecutive
blocks too): the same numbers, values and gradients, in less time. Outside
it, eager calls, explain's traces and TensorBoard's graphs show every step
of every layer.
"""
import contextlib
import threading

from ...core.apply import apply
from ...ops.conv_pool import ConvPool
from .. import activations
from ...graph.graph import Symbol
from .base_layer import KerasTensor, _shape_of


_state = threading.local()


@contextlib.contextmanager
def fused():
    """Let layers use fused ops inside the block."""
    outer = active()
    _state.active = True
    try:
        yield
    finally:
        _state.active = outer


def active():
    """True inside `fused()`."""
    return getattr(_state, "active", False)


def conv_pools(layers, x):
    """The ReLU Conv2D + 2x2 MaxPooling2D pairs that start `layers`, applied to x as one op.

    Returns (output, number of layers it covers), or (None, 0) when the first
    pair does not fit ConvPool. A pair with a remainder row or column, or
    another layout, ends the run; its layers then run one by one.
    """
    if not active() or isinstance(x, KerasTensor):
        return None, 0
    shape, paddings, biases, params = _shape_of(x), [], [], []
    for conv, pool in zip(layers[::2], layers[1::2]):
        if not _fits(conv, pool):
            break
        conv.check_input(shape)
        op = ConvPool(conv.padding, biases=(conv.use_bias,))
        _, out = op.convs[0]._geometry(shape, conv.kernel.shape)
        if any(size is None or size % 2 for size in out):
            break
        bias = [conv.bias] if conv.use_bias else []
        shape = op.shape(shape, conv.kernel.shape, *(b.shape for b in bias))
        paddings.append(conv.padding)
        biases.append(conv.use_bias)
        params += [conv.kernel, *bias]
    if not paddings:
        return None, 0
    fused = ConvPool(*paddings, biases=biases)
    if not isinstance(x, Symbol):
        return apply(fused, x, *params), 2 * len(paddings)
    with x.graph.origin(", ".join(layer.name for layer in layers[:2 * len(paddings)])):
        return apply(fused, x, *params), 2 * len(paddings)


def _fits(conv, pool):
    """True for a built ReLU Conv2D (stride 1, no dilation) then 2x2 max pooling, channels_last."""
    from ..layers.convolutional import Conv2D
    from ..layers.pooling import MaxPooling2D
    return (type(conv) is Conv2D and type(pool) is MaxPooling2D and conv.built
            and conv.activation is activations.relu and conv.strides == (1, 1)
            and conv.dilation_rate == (1, 1) and pool.pool_size == (2, 2)
            and pool.strides == (2, 2) and pool.padding == "valid"
            and conv.data_format == pool.data_format == "channels_last")
