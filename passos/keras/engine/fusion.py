"""Fused ops for compiled plans: a layer's steps, or a pair of layers, as one op.

Inside `fused()` (the block in which a Plan traces the model) a Dense or
Conv layer runs its product, bias and ReLU as one op, and a Sequential model
runs a ReLU Conv2D followed by 2x2 max pooling, the course's CONV -> POOL ->
ReLU block, as one `ConvPool` op: the same numbers, values and gradients,
in less time. Outside it, eager calls, explain's traces and TensorBoard's
graphs show every step of every layer.
"""
import contextlib
import threading

from ...core.apply import apply
from ...ops.conv_pool import ConvPool
from .. import activations
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


def conv_pool(conv, pool, x):
    """conv then pool applied to x as one ConvPool op, or None when the pair does not fit it."""
    from ..layers.convolutional import Conv2D
    from ..layers.pooling import MaxPooling2D
    if not active() or isinstance(x, KerasTensor) or not (
            type(conv) is Conv2D and type(pool) is MaxPooling2D and conv.built
            and conv.activation is activations.relu and conv.strides == (1, 1)
            and conv.dilation_rate == (1, 1) and pool.pool_size == (2, 2)
            and pool.strides == (2, 2) and pool.padding == "valid"
            and conv.data_format == pool.data_format == "channels_last"):
        return None
    shape = _shape_of(x)
    conv.check_input(shape)
    op = ConvPool(conv.padding)
    _, out = op.conv._geometry(shape, conv.kernel.shape)
    if any(size is None or size % 2 for size in out):
        return None  # a remainder row or column: the layers run one by one
    return apply(op, x, conv.kernel, *([conv.bias] if conv.use_bias else []))
