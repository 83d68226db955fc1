"""Ops whose shape arguments are tensors read when the graph runs (TF1's reshape, fill, tile, slice
given `tf.shape(x)` and the like). The static shape keeps what `shape_args.known_dims` can know.
"""
import builtins

import numpy as np

from ...core.op import Op
from ...core.shapes import ShapeError, describe


def _dims(values):
    return tuple(int(d) for d in np.asarray(values).reshape(-1))


class Reshape(Op):
    """x with the shape held by its second input (one entry may be -1)."""

    kind = "reshape"

    def __init__(self, known):
        self.known = known  # dims known when built (None where unknown), or None

    def forward(self, x, shape):
        return np.reshape(x, _dims(shape))

    def vjp(self, gy, xs, y, saved, needs):
        return np.reshape(gy, np.shape(xs[0])), None

    def shape(self, x, shape):
        if self.known is None:
            return None
        known = list(self.known)
        if -1 in known and None not in x and known.count(-1) == 1 and None not in known:
            rest = int(np.prod([d for d in known if d != -1], dtype=np.int64))
            if rest == 0 or int(np.prod(x, dtype=np.int64)) % rest:
                raise ShapeError(f"reshape: cannot reshape {describe(x)} to {describe(self.known)}")
            known[known.index(-1)] = int(np.prod(x, dtype=np.int64)) // rest
        if None not in x and None not in known and -1 not in known and \
                int(np.prod(known, dtype=np.int64)) != int(np.prod(x, dtype=np.int64)):
            raise ShapeError(f"reshape: cannot reshape {describe(x)} to {describe(self.known)}")
        return tuple(None if d == -1 else d for d in known)

    def dtype(self, x, shape):
        return x


class Fill(Op):
    """An array of the shape held by the first input, filled with the scalar second input."""

    kind = "fill"

    def __init__(self, known):
        self.known = known

    def forward(self, dims, value):
        return np.full(_dims(dims), value, np.asarray(value).dtype)

    def vjp(self, gy, xs, y, saved, needs):
        return None, np.sum(gy).astype(np.asarray(xs[1]).dtype)

    def shape(self, dims, value):
        if len(value):
            raise ShapeError(f"fill: value must be a scalar, got shape {describe(value)}")
        return self.known

    def dtype(self, dims, value):
        return value


class Tile(Op):
    """x repeated along each axis as many times as the second input says."""

    kind = "tile"

    def __init__(self, known):
        self.known = known

    def forward(self, x, multiples):
        return np.tile(x, _dims(multiples))

    def vjp(self, gy, xs, y, saved, needs):
        shape = np.shape(xs[0])
        split = [d for pair in zip(_dims(xs[1]), shape) for d in pair]
        return gy.reshape(split).sum(axis=tuple(builtins.range(0, 2 * len(shape), 2))), None

    def shape(self, x, multiples):
        if multiples[0] is not None and len(x) != multiples[0]:
            raise ShapeError(f"tile: {multiples[0]} multiples for shape {describe(x)}; give one per axis")
        known = self.known or (None,) * len(x)
        return tuple(None if d is None or m is None else d * m for d, m in zip(x, known))

    def dtype(self, x, multiples):
        return x


class Slice(Op):
    """x[begin : begin + size] on each axis, begin and size read when run (size -1: to the end)."""

    kind = "slice"

    def __init__(self, begin, size):
        self.begin, self.size = begin, size  # known values (None where unknown), or None

    @staticmethod
    def _index(begin, size):
        return tuple(builtins.slice(b, None if s == -1 else b + s)
                     for b, s in zip(_dims(begin), _dims(size)))

    def forward(self, x, begin, size):
        return x[self._index(begin, size)]

    def vjp(self, gy, xs, y, saved, needs):
        gx = np.zeros(np.shape(xs[0]), np.asarray(gy).dtype)
        gx[self._index(xs[1], xs[2])] = gy
        return gx, None, None

    def shape(self, x, begin, size):
        for what, s in (("begin", begin), ("size", size)):
            if s[0] is not None and s[0] != len(x):
                raise ShapeError(f"slice: {what} has {s[0]} values for shape {describe(x)}; "
                                 "give one per axis")
        begin = self.begin or (None,) * len(x)
        size = self.size or (None,) * len(x)
        return tuple(s if s not in (None, -1) else
                     (d - b if s == -1 and None not in (d, b) else None)
                     for d, b, s in zip(x, begin, size))

    def dtype(self, x, begin, size):
        return x


class Range(Op):
    """[start, start + delta, ...) below limit, its three scalar inputs read when run (tf.range
    given `tf.shape(x)[0]`); `length` is the size when built (None where an input is unknown)."""

    kind = "range"
    differentiable = False  # TF1's Range has no gradient

    def __init__(self, out, length):
        self.out, self.length = out, length

    def forward(self, start, limit, delta):
        if delta == 0:
            raise ValueError(f"range: delta must not be 0 (start {start}, limit {limit})")
        return np.arange(start, limit, delta).astype(self.out, copy=False)

    def vjp(self, gy, xs, y, saved, needs):
        return None, None, None

    def shape(self, start, limit, delta):
        for what, s in (("start", start), ("limit", limit), ("delta", delta)):
            if len(s):
                raise ShapeError(f"range: {what} must be a scalar, got shape {describe(s)}")
        return (self.length,)

    def dtype(self, start, limit, delta):
        return self.out
