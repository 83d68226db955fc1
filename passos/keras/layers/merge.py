"""Merge layers: combine a list of tensors into one (Add, Concatenate, Dot ...), and their
functions (`add([a, b])` is `Add()([a, b])`), as in Keras 2's keras.layers.merge.

Each is a composite of passos ops (add, maximum, concatenate, matmul ...), so gradients,
graph tracing and fusion come for free.
"""
import functools

from ...core.shapes import describe
from ...ops import arithmetic as ar, elementwise as el, reduce as rd
from ...ops.matmul import matmul
from ...ops.movement import concatenate as concat, reshape, transpose
from ..engine.base_layer import Layer, layer_error
from .merge_masks import concatenated_mask, merged_mask


class _Merge(Layer):
    """A layer called on a list of tensors of one shape; `combine(xs)` merges them."""

    takes_list = True
    exactly = None  # Subtract and Dot take exactly two
    supports_masking = True

    def check_input(self, shape):
        if not isinstance(shape, list) or len(shape) < 2:
            got = "a single tensor" if not isinstance(shape, list) else f"a list of {len(shape)}"
            raise layer_error(self, f"must be called on a list of at least 2 tensors, got {got}")
        if self.exactly is not None and len(shape) != self.exactly:
            raise layer_error(self, f"must be called on a list of exactly {self.exactly} "
                                    f"tensors, got {len(shape)}")
        self.check_shapes([tuple(s) for s in shape])

    def check_shapes(self, shapes):
        first = shapes[0]
        for other in shapes[1:]:
            if len(other) != len(first) or any(a is not None and b is not None and a != b
                                               for a, b in zip(first[1:], other[1:])):
                raise layer_error(self, f"merges tensors of one shape, got shapes "
                                        f"{', '.join(describe(s) for s in shapes)}")

    def call(self, inputs):
        return self.combine(list(inputs))

    def compute_mask(self, inputs, mask=None):
        return merged_mask(self, inputs, mask)


class Add(_Merge):
    """The elementwise sum of the inputs."""

    def combine(self, xs):
        return functools.reduce(ar.add, xs)


class Subtract(_Merge):
    """inputs[0] - inputs[1]."""

    exactly = 2

    def combine(self, xs):
        return ar.subtract(xs[0], xs[1])


class Multiply(_Merge):
    """The elementwise product of the inputs."""

    def combine(self, xs):
        return functools.reduce(ar.multiply, xs)


class Average(_Merge):
    """The elementwise mean of the inputs."""

    def combine(self, xs):
        return functools.reduce(ar.add, xs) * (1.0 / len(xs))


class Maximum(_Merge):
    """The elementwise maximum of the inputs."""

    def combine(self, xs):
        return functools.reduce(ar.maximum, xs)


class Minimum(_Merge):
    """The elementwise minimum of the inputs."""

    def combine(self, xs):
        return functools.reduce(ar.minimum, xs)


class Concatenate(_Merge):
    """The inputs joined along `axis` (the last by default); other sizes must agree."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def check_shapes(self, shapes):
        rank = len(shapes[0])
        if not -rank <= self.axis < rank or self.axis % rank == 0:
            raise layer_error(self, f"axis={self.axis} is not a non-batch axis of inputs of "
                                    f"shape {describe(shapes[0])}")
        axis = self.axis % rank
        for other in shapes[1:]:
            if len(other) != rank or any(a is not None and b is not None and a != b
                                         for i, (a, b) in enumerate(zip(shapes[0], other))
                                         if i not in (0, axis)):
                raise layer_error(self, f"joins along axis {self.axis} tensors whose other "
                                        f"sizes agree, got shapes "
                                        f"{', '.join(describe(s) for s in shapes)}")

    def combine(self, xs):
        return concat(xs, axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        return concatenated_mask(self, inputs, mask, self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Dot(_Merge):
    """Batchwise dot product of two tensors over `axes` (an int, or one per input), each
    input first l2-normalised along its axis when `normalize` (the cosine similarity).

    (batch, n) . (batch, n) -> (batch, 1); (batch, m, k) . (batch, k, n) -> (batch, m, n).
    """

    exactly = 2

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        self.axes, self.normalize = axes, bool(normalize)

    def _axes(self, shapes):
        axes = list(self.axes) if isinstance(self.axes, (list, tuple)) else [self.axes] * 2
        if len(axes) != 2 or not all(isinstance(a, int) for a in axes):
            raise layer_error(self, f"axes must be an int or a pair of ints, got {self.axes!r}")
        return [a % len(s) for a, s in zip(axes, shapes)]

    def check_shapes(self, shapes):
        if any(len(s) not in (2, 3) for s in shapes):
            raise layer_error(self, f"takes inputs of rank 2 or 3 (batch included), got shapes "
                                    f"{', '.join(describe(s) for s in shapes)}")
        axes = self._axes(shapes)
        sizes = [s[a] for s, a in zip(shapes, axes)]
        if 0 in axes or (None not in sizes and sizes[0] != sizes[1]):
            raise layer_error(self, f"contracts axis {axes[0]} of shape {describe(shapes[0])} "
                                    f"with axis {axes[1]} of shape {describe(shapes[1])}: "
                                    "they must be non-batch axes of one size")

    def combine(self, xs):
        x, y = xs
        ax, ay = self._axes([x.shape, y.shape])
        if self.normalize:
            x, y = _l2_normalize(x, ax), _l2_normalize(y, ay)
        if len(x.shape) == 2 and len(y.shape) == 2:
            return rd.sum(x * y, axis=1, keepdims=True)
        # move x's axis last and y's to position 1, then a batched matmul
        x = x if len(x.shape) == 2 or ax == 2 else transpose(x, (0, 2, 1))
        y = y if len(y.shape) == 2 or ay == 1 else transpose(y, (0, 2, 1))
        out = matmul(reshape(x, (-1, 1, x.shape[1])) if len(x.shape) == 2 else x,
                     reshape(y, (-1, y.shape[1], 1)) if len(y.shape) == 2 else y)
        if len(xs[0].shape) == 2:
            return reshape(out, (-1, out.shape[2]))
        return reshape(out, (-1, out.shape[1])) if len(xs[1].shape) == 2 else out

    def compute_mask(self, inputs, mask=None):
        return None  # Keras: a dot product's output has no steps left to mask

    def get_config(self):
        axes = list(self.axes) if isinstance(self.axes, (list, tuple)) else self.axes
        return {**super().get_config(), "axes": axes, "normalize": self.normalize}


def _l2_normalize(x, axis):
    """x / ||x|| along axis (Keras' K.l2_normalize, with its 1e-12 floor on the squared norm)."""
    return x / el.sqrt(ar.maximum(rd.sum(el.square(x), axis=axis, keepdims=True), 1e-12))


def _function(cls):
    def merge(inputs, **kwargs):
        return cls(**kwargs)(inputs)
    merge.__name__ = merge.__qualname__ = cls.__name__.lower()
    merge.__doc__ = f"{cls.__name__}(**kwargs)(inputs): {cls.__doc__.splitlines()[0]}"
    return merge


add, subtract, multiply, average, maximum, minimum, concatenate = (
    _function(cls) for cls in (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate))


def dot(inputs, axes, normalize=False, **kwargs):
    """Dot(axes, normalize)(inputs): the batchwise dot product of two tensors."""
    return Dot(axes, normalize=normalize, **kwargs)(inputs)
