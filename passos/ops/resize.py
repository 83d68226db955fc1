"""Spatial resizing in Keras' terms: nearest-neighbour upsampling and cropping."""
import numpy as np

from .. import arguments
from ..core.apply import apply
from ..core.op import Op
from ..core.registry import register
from ..core.shapes import ShapeError, describe
from . import windows as win
from .movement import getitem


class Upsample(Op):
    """Each spatial cell repeated `size` times along its axis (nearest neighbour)."""

    kind = "upsample"
    formulas = ("∂upsample(x)/∂x = 1 (gy summed over each repeated block)",)

    def __init__(self, size, data_format="channels_last"):
        self.size = size
        self.data_format = arguments.data_format(data_format, self.kind)

    def shape(self, x):
        win.check_rank(self.kind, x, len(self.size), self.data_format)
        batch, spatial, channels = win.split(x, self.data_format)
        out = tuple(None if i is None else i * f for i, f in zip(spatial, self.size))
        return win.join(batch, out, channels, self.data_format)

    def forward(self, x):
        self.shape(x.shape)
        xl = win.channels_last(x, self.data_format)
        n, spatial, c = xl.shape[0], xl.shape[1:-1], xl.shape[-1]
        # a new size-`f` axis after each spatial axis, broadcast, then merged into it
        grid = xl.reshape((n, *(d for i in spatial for d in (i, 1)), c))
        grid = np.broadcast_to(grid, (n, *(d for i, f in zip(spatial, self.size)
                                           for d in (i, f)), c))
        y = grid.reshape((n, *(i * f for i, f in zip(spatial, self.size)), c))
        return win.from_channels_last(y, self.data_format)

    def vjp(self, gy, xs, y, saved, needs):
        x = win.channels_last(xs[0], self.data_format)
        n, spatial, c = x.shape[0], x.shape[1:-1], x.shape[-1]
        g = win.channels_last(gy, self.data_format)
        g = g.reshape((n, *(d for i, f in zip(spatial, self.size) for d in (i, f)), c))
        g = g.sum(axis=tuple(range(2, 2 * len(spatial) + 1, 2)))
        return (win.from_channels_last(g, self.data_format),)


@register("passos")
def upsample(x, size, data_format="channels_last", name=None):
    """Nearest-neighbour upsampling: (N, *spatial, C) -> (N, *(spatial * size), C) (Keras UpSampling).

    `size` is an int for every spatial axis or one int per axis.

    >>> import passos
    >>> passos.upsample(passos.tensor([[[1.0], [2.0]]]), 2).numpy()[0, :, 0]
    array([1., 1., 2., 2.], dtype=float32)
    """
    rank = len(win.spatial_axes("upsample", x, data_format))
    return apply(Upsample(arguments.int_tuple(size, rank, "upsample", "size"), data_format), x,
                 name=name)


@register("passos")
def crop(x, cropping, data_format="channels_last", name=None):
    """Remove cells from the ends of each spatial axis (Keras Cropping): (N, *spatial, C) -> smaller.

    `cropping` is an int (every end), one int per spatial axis (both ends), or
    one (before, after) pair per axis, e.g. ((top, bottom), (left, right)).

    >>> import passos
    >>> passos.crop(passos.ones((1, 5, 6, 1)), ((1, 2), (0, 3))).shape
    (1, 2, 3, 1)
    """
    axes = win.spatial_axes("crop", x, data_format)
    pairs = arguments.pairs(cropping, len(axes), "crop", "cropping")
    shape = win.static_shape(x)
    index = [slice(None)] * len(shape)
    for axis, (b, a) in zip(axes, pairs):
        if shape[axis] is not None and b + a >= shape[axis]:
            raise ShapeError(f"crop: cropping {b} + {a} cells leaves nothing of spatial axis "
                             f"{axis} (size {shape[axis]}) of input shape {describe(shape)}")
        index[axis] = slice(b, -a if a else None)
    return getitem(x, tuple(index), name=name)
