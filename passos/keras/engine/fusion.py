"""Layer pairs that a Sequential model runs as one op.

A Conv2D with ReLU followed by 2x2 max pooling is the course's
CONV -> POOL -> ReLU block: `ConvPool` computes exactly what the two layers
compute, values and gradients, in about half the time (see ops/conv_pool.py).
"""
from ...core.apply import apply
from ...ops.conv_pool import ConvPool
from .. import activations
from .base_layer import KerasTensor, _shape_of


def conv_pool(conv, pool, x):
    """conv then pool applied to x as one ConvPool op, or None when the pair does not fit it."""
    from ..layers.convolutional import Conv2D
    from ..layers.pooling import MaxPooling2D
    if isinstance(x, KerasTensor) or not (
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
