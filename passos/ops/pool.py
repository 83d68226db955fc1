"""Max and average pooling over 1, 2 or 3 spatial axes (Keras conventions), and global pooling."""
import numpy as np

from .. import arguments
from ..core.apply import apply
from ..core.op import Op
from ..core.registry import published, register
from ..kernels import parallel, pooling
from . import windows as win
from .reduce import max as reduce_max
from .reduce import mean


class Pool(Op):
    """Geometry shared by max and average pooling: windows of `pool_size` every `strides` cells."""

    name = "pool"

    def __init__(self, rank, pool_size, strides=None, padding="valid", data_format="channels_last"):
        self.kind = f"{self.name}_pool{rank}d"
        self.pool_size = arguments.int_tuple(pool_size, rank, self.kind, "pool_size")
        self.strides = self.pool_size if strides is None else arguments.int_tuple(
            strides, rank, self.kind, "strides")
        self.padding = arguments.padding(padding, self.kind)
        self.data_format = arguments.data_format(data_format, self.kind)
        self.rank = rank

    def attrs(self):
        return {"pool_size": self.pool_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format}

    @win.by_shapes
    def _geometry(self, x):
        """(padding pairs, output spatial size) for input shape `x`."""
        win.check_rank(self.kind, x, self.rank, self.data_format)
        spatial = win.split(x, self.data_format)[1]
        ones = (1,) * self.rank
        pads = win.pad_pairs(self.padding, spatial, self.pool_size, self.strides, ones)
        return pads, win.output_spatial(self.kind, x, spatial, self.pool_size, self.strides,
                                        ones, pads, f"pool_size {self.pool_size}")

    def shape(self, x):
        _, out = self._geometry(x)
        batch, _, channels = win.split(x, self.data_format)
        return win.join(batch, out, channels, self.data_format)


class MaxPool(Pool):
    """Largest value of each window; "same" padding cells never win.

    A window's gradient goes to its first maximum in row-major order (as PyTorch); a cell that
    is the maximum of several overlapping windows gathers all their gradients.
    """

    name = "max"
    formulas = ("∂maxpool/∂x = 1 at each window's first maximum, else 0",)
    batch_inputs = 1

    def forward(self, x):
        pads, out = self._geometry(x.shape)
        y = pooling.max_pool(win.channels_last(x, self.data_format), pads, self.pool_size,
                             self.strides, out)
        return win.from_channels_last(y, self.data_format)

    def work(self, xs, needs=None):
        # forward, a few maxima over memory, runs whole; the vjp makes ~4 passes per cell
        return 0 if needs is None else xs[0].size * parallel.PASS

    def vjp(self, gy, xs, y, saved, needs):
        x = xs[0]
        pads, out = self._geometry(x.shape)
        fmt = self.data_format
        gx = pooling.max_pool_grad(win.channels_last(x, fmt), pads, self.pool_size, self.strides,
                                   out, win.channels_last(y, fmt), win.channels_last(gy, fmt))
        return (win.from_channels_last(gx, fmt),)


class AvgPool(Pool):
    """Mean of each window; with "same" padding, over the window's cells inside the input (as TF)."""

    name = "avg"
    formulas = ("∂avgpool/∂x = 1/(cells in the window), spread over the window",)

    def dtype(self, x):
        return x if np.dtype(x).kind in "fc" else np.dtype(np.float64)

    def forward(self, x):
        pads, out = self._geometry(x.shape)
        xl = win.channels_last(x, self.data_format).astype(self.dtype(x.dtype), copy=False)
        y = pooling.avg_pool(xl, pads, self.pool_size, self.strides, out)
        return win.from_channels_last(y, self.data_format)

    def vjp(self, gy, xs, y, saved, needs):
        pads, out = self._geometry(xs[0].shape)
        spatial = win.split(xs[0].shape, self.data_format)[1]
        gx = pooling.avg_pool_grad(win.channels_last(gy, self.data_format), spatial, pads,
                                   self.pool_size, self.strides, out)
        return (win.from_channels_last(gx, self.data_format),)


def _pooling(op_class, rank, doc):
    """The registered function `<name>_pool<rank>d`: as `max_pool2d`, for `op_class` and `rank`."""
    def pool(x, pool_size, strides=None, padding="valid", data_format="channels_last", name=None):
        return apply(op_class(rank, pool_size, strides, padding, data_format), x, name=name)
    return published(pool, f"{op_class.name}_pool{rank}d", doc, "passos")


max_pool1d = _pooling(MaxPool, 1, "Largest value per window: (N, W, C) -> (N, W', C); "
                                  "strides default to pool_size (Keras).")


@register("passos")
def max_pool2d(x, pool_size, strides=None, padding="valid", data_format="channels_last", name=None):
    """Largest value per window: (N, H, W, C) -> (N, H', W', C); strides default to pool_size.

    "same" pads as TensorFlow (output ceil(size / stride)); padding never wins. The gradient
    goes to the first maximum of each window in row-major order.

    >>> import numpy as np, passos
    >>> image = np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3],
    ...                   [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]], np.float32)
    >>> passos.max_pool2d(image[None, :, :, None], 3, strides=1).numpy()[0, :, :, 0]
    array([[3., 3., 3.],
           [3., 3., 3.],
           [3., 2., 3.]], dtype=float32)
    """
    return apply(MaxPool(2, pool_size, strides, padding, data_format), x, name=name)


max_pool3d = _pooling(MaxPool, 3, "Largest value per window: (N, D, H, W, C) -> (N, D', H', W', C); "
                                  "as `max_pool2d`.")
avg_pool1d = _pooling(AvgPool, 1, "Mean per window: (N, W, C) -> (N, W', C); "
                                  '"same" averages only cells inside the input (TF).')
avg_pool2d = _pooling(AvgPool, 2, "Mean per window: (N, H, W, C) -> (N, H', W', C); "
                                  '"same" averages only cells inside the input (TF).')
avg_pool3d = _pooling(AvgPool, 3, "Mean per window: (N, D, H, W, C) -> (N, D', H', W', C); "
                                  "as `avg_pool2d`.")


@register("passos")
def global_avg_pool(x, data_format="channels_last", name=None):
    """Mean over all spatial axes: (N, *spatial, C) -> (N, C)."""
    return mean(x, axis=win.spatial_axes("global_avg_pool", x, data_format), name=name)


@register("passos")
def global_max_pool(x, data_format="channels_last", name=None):
    """Largest value over all spatial axes: (N, *spatial, C) -> (N, C); ties share the gradient."""
    return reduce_max(x, axis=win.spatial_axes("global_max_pool", x, data_format), name=name)
