"""Ops that move values without arithmetic: reshape, transpose, slicing, concatenate, stack, pad."""
import numpy as np

from .. import arguments
from ..core.apply import apply
from ..core.op import Op
from ..core.registry import register
from ..core.shapes import ShapeError, broadcast_shapes, describe, normalize_axis
from ..core.tensor import Tensor

_UNKNOWN = 1_000_003  # stands in for an unknown (None) dimension in index arithmetic


class ToShape(Op):
    """An op that takes its input to a `target` shape (reshape, broadcast_to)."""

    def __init__(self, shape):
        self.target = arguments.new_shape(shape, "reshape", "shape")

    def attrs(self):
        return {"shape": self.target}


class Reshape(ToShape):
    kind = "reshape"
    formulas = ("∂reshape(x)/∂x = 1 (gy reshaped back)",)

    def forward(self, x):
        return np.reshape(x, self.target)

    def vjp(self, gy, xs, y, saved, needs):
        return (np.reshape(gy, np.shape(xs[0])),)

    def shape(self, x):
        known = np.prod([d for d in self.target if d != -1], dtype=np.int64)
        if None in x:
            return tuple(None if d == -1 else d for d in self.target)
        size = int(np.prod(x, dtype=np.int64))
        if -1 in self.target:
            if known == 0 or size % known:
                raise ShapeError(f"reshape: cannot reshape a tensor of shape {describe(x)} "
                                 f"({size} values) into {self.target}")
            return tuple(size // known if d == -1 else d for d in self.target)
        if size != known:
            raise ShapeError(f"reshape: cannot reshape a tensor of shape {describe(x)} "
                             f"({size} values) into {self.target} ({known} values)")
        return self.target


class Transpose(Op):
    kind = "transpose"
    formulas = ("∂xᵀ/∂x = 1 (gy transposed back)",)

    def __init__(self, axes=None):
        self.axes = None if axes is None else tuple(int(a) for a in axes)

    def forward(self, x):
        return np.transpose(x, self.axes)

    def vjp(self, gy, xs, y, saved, needs):
        return (np.transpose(gy, None if self.axes is None else np.argsort(self.axes)),)

    def shape(self, x):
        if self.axes is None:
            return tuple(reversed(x))
        if sorted(a % max(len(x), 1) for a in self.axes) != list(range(len(x))):
            raise ShapeError(f"transpose: axes {self.axes} are not a permutation of the "
                             f"{len(x)} axes of shape {describe(x)}")
        return tuple(x[a] for a in self.axes)


def _is_basic(index):
    """True for indices made only of ints, slices, None and Ellipsis (views, no copies)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis for p in parts)


class GetItem(Op):
    """x[index]: basic slicing and NumPy advanced indexing; the gradient scatters back."""

    kind = "getitem"
    formulas = ("∂x[i]/∂x = 1 at the index, 0 elsewhere",)

    def __init__(self, index):
        self.index = index
        self.basic = _is_basic(index)

    def attrs(self):
        return {"index": self.index}

    def forward(self, x):
        return x[self.index]

    def vjp(self, gy, xs, y, saved, needs):
        g = np.zeros(np.shape(xs[0]), gy.dtype)
        if self.basic:
            g[self.index] = gy
        else:
            np.add.at(g, self.index, gy)
        return (g,)

    def shape(self, x):
        stand_in = np.lib.stride_tricks.as_strided(
            np.zeros(1, np.int8), tuple(_UNKNOWN if d is None else d for d in x), (0,) * len(x))
        try:
            out = stand_in[self.index].shape
        except IndexError as error:
            raise ShapeError(f"getitem: index {self.index!r} does not fit shape "
                             f"{describe(x)}: {error}") from None
        return tuple(None if d >= _UNKNOWN // 2 else d for d in out)


class Concatenate(Op):
    kind = "concatenate"
    formulas = ("∂concat/∂xᵢ = 1 on xᵢ's own slice",)  # one text: every input

    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *xs):
        return np.concatenate(xs, axis=self.axis)

    def vjp(self, gy, xs, y, saved, needs):
        axis = self.axis % gy.ndim
        bounds = np.cumsum([np.shape(x)[axis] for x in xs])[:-1]
        return tuple(np.split(gy, bounds, axis=axis))

    def shape(self, *shapes):
        ranks = {len(s) for s in shapes}
        if len(ranks) != 1:
            raise ShapeError("concatenate: inputs must have the same rank, got shapes "
                             + ", ".join(describe(s) for s in shapes))
        axis = normalize_axis(self.kind, self.axis, ranks.pop())[0]
        out = list(shapes[0])
        for s in shapes[1:]:
            for i, (a, b) in enumerate(zip(out, s)):
                if i != axis and a is not None and b is not None and a != b:
                    raise ShapeError(
                        f"concatenate: shapes {describe(shapes[0])} and {describe(s)} differ "
                        f"in dimension {i}; only axis {axis} may differ")
                if i != axis and a is None:
                    out[i] = b
        sizes = [s[axis] for s in shapes]
        out[axis] = None if None in sizes else int(np.sum(sizes))
        return tuple(out)


class Stack(Op):
    kind = "stack"
    formulas = ("∂stack/∂xᵢ = 1 on xᵢ's own slice",)  # one text: every input

    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *xs):
        return np.stack(xs, axis=self.axis)

    def vjp(self, gy, xs, y, saved, needs):
        axis = self.axis % gy.ndim
        return tuple(np.take(gy, i, axis=axis) for i in range(len(xs)))

    def shape(self, *shapes):
        first = shapes[0]
        for s in shapes[1:]:
            if len(s) != len(first) or any(a is not None and b is not None and a != b
                                           for a, b in zip(first, s)):
                raise ShapeError(f"stack: all inputs need the same shape, got "
                                 f"{describe(first)} and {describe(s)}")
        axis = normalize_axis(self.kind, self.axis, len(first) + 1)[0]
        return first[:axis] + (len(shapes),) + first[axis:]


class Pad(Op):
    """Constant padding; `paddings` is one (before, after) pair per axis."""

    kind = "pad"
    formulas = ("∂pad(x)/∂x = 1 inside (gy with the border cut off)",)

    def __init__(self, paddings, constant_values=0):
        self.paddings = tuple((int(b), int(a)) for b, a in paddings)
        self.constant_values = constant_values

    def forward(self, x):
        self.shape(np.shape(x))  # np.pad would silently reuse one pair for every axis
        return np.pad(x, self.paddings, constant_values=self.constant_values)

    def vjp(self, gy, xs, y, saved, needs):
        index = tuple(slice(b, gy.shape[i] - a) for i, (b, a) in enumerate(self.paddings))
        return (gy[index],)

    def shape(self, x):
        if len(self.paddings) != len(x):
            raise ShapeError(f"pad: {len(self.paddings)} (before, after) pairs given for a "
                             f"tensor of shape {describe(x)}; give one pair per axis")
        if any(b < 0 or a < 0 for b, a in self.paddings):
            raise ShapeError(f"pad: paddings must be non-negative, got {self.paddings}")
        return tuple(None if d is None else d + b + a for d, (b, a) in zip(x, self.paddings))


class BroadcastTo(ToShape):
    kind = "broadcast_to"
    formulas = ("∂broadcast(x)/∂x = 1 (gy summed over the broadcast axes)",)

    def forward(self, x):
        return np.broadcast_to(x, self.target)

    def vjp(self, gy, xs, y, saved, needs):
        return (gy,)  # the engine sums it back to the input's shape

    def shape(self, x):
        out = broadcast_shapes(self.kind, x, self.target)
        if out != self.target:
            raise ShapeError(f"broadcast_to: cannot broadcast {describe(x)} to {self.target}")
        return out


@register("passos")
def reshape(x, shape, name=None):
    """The same values in a new shape (one dimension may be -1)."""
    return apply(Reshape(shape), x, name=name)


@register("passos")
def transpose(x, axes=None, name=None):
    """Permute the axes (reverse them when `axes` is None)."""
    return apply(Transpose(axes), x, name=name)


def _unwrap(i):
    """An index's array: a tensor's data (an ndarray's own `.data` is its raw buffer)."""
    return i.data if isinstance(i, Tensor) else i


@register("passos")
def getitem(x, index, name=None):
    """x[index], with gradient."""
    index = tuple(_unwrap(i) for i in index) if isinstance(index, tuple) else _unwrap(index)
    return apply(GetItem(index), x, name=name)


@register("passos")
def concatenate(tensors, axis=0, name=None):
    """Join tensors along an existing axis."""
    return apply(Concatenate(axis), *tensors, name=name)


@register("passos")
def stack(tensors, axis=0, name=None):
    """Join same-shaped tensors along a new axis."""
    return apply(Stack(axis), *tensors, name=name)


@register("passos")
def pad(x, paddings, constant_values=0, name=None):
    """Pad with a constant; `paddings` holds one (before, after) pair per axis."""
    return apply(Pad(paddings, constant_values), x, name=name)


@register("passos")
def broadcast_to(x, shape, name=None):
    """x repeated along size-1 or missing leading axes to `shape`."""
    return apply(BroadcastTo(shape), x, name=name)

