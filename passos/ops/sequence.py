"""Ops along a sequence axis: cumsum and cumprod (running sums and products), boolean_mask
(the entries a mask keeps), reverse_sequence (each row's first seq_lengths[b] steps
reversed) and sequence_mask.

cumsum's gradient is the running sum the other way; cumprod's runs the products' recurrence
backwards, never dividing (a zero entry keeps its gradient); boolean_mask's scatters back
into the kept places; reverse_sequence is its own inverse, so its gradient is itself on gy.
"""
import numpy as np

from ..core.apply import apply
from ..core.op import Op
from ..core.registry import register
from ..core.shapes import ShapeError, describe, normalize_axis


class CumSum(Op):
    """y[..., i, ...] = sum of x[..., j, ...] over j <= i (exclusive: j < i; reverse: j >= i)."""

    kind = "cumsum"
    formulas = ("∂y/∂x: the running sum of gy in the other direction",)

    def __init__(self, axis=0, exclusive=False, reverse=False):
        self.axis, self.exclusive, self.reverse = axis, bool(exclusive), bool(reverse)

    def forward(self, x):
        x = np.asarray(x)
        axis = normalize_axis(self.kind, self.axis, x.ndim)[0]
        if self.reverse:
            x = np.flip(x, axis)
        y = np.cumsum(x, axis=axis, dtype=x.dtype)
        if self.exclusive:
            y = np.concatenate([np.zeros_like(np.take(y, [0], axis)),
                                np.take(y, np.arange(y.shape[axis] - 1), axis)], axis)
        return np.flip(y, axis).copy() if self.reverse else y

    def vjp(self, gy, xs, y, saved, needs):
        return (CumSum(self.axis, self.exclusive, not self.reverse).forward(gy),)

    def shape(self, x):
        if not x:
            raise ShapeError(f"cumsum: needs at least 1-D input, got shape {describe(x)}")
        normalize_axis(self.kind, self.axis, len(x))
        return tuple(x)


def _shifted(y, axis, fill):
    """y moved one step along `axis`, `fill` in front: the exclusive running value."""
    front = np.full_like(np.take(y, [0], axis), fill)
    return np.concatenate([front, np.take(y, np.arange(y.shape[axis] - 1), axis)], axis)


class CumProd(Op):
    """y[..., i, ...] = product of x[..., j, ...] over j <= i (exclusive: j < i; reverse:
    j >= i)."""

    kind = "cumprod"
    formulas = ("∂y/∂x: Σ_i gy_i · (the product of y_i's other factors), run backwards",)

    def __init__(self, axis=0, exclusive=False, reverse=False):
        self.axis, self.exclusive, self.reverse = axis, bool(exclusive), bool(reverse)

    def _forward(self, x, axis):
        """The inclusive or exclusive products, from the front (x already flipped for reverse)."""
        y = np.cumprod(x, axis=axis, dtype=x.dtype)
        return _shifted(y, axis, 1) if self.exclusive else y

    def forward(self, x):
        x = np.asarray(x)
        axis = normalize_axis(self.kind, self.axis, x.ndim)[0]
        if not self.reverse:
            return self._forward(x, axis)
        return np.flip(self._forward(np.flip(x, axis), axis), axis).copy()

    def vjp(self, gy, xs, y, saved, needs):
        x = np.asarray(xs[0])
        axis = normalize_axis(self.kind, self.axis, x.ndim)[0]
        flip = (lambda a: np.flip(a, axis)) if self.reverse else (lambda a: a)
        x, gy = np.moveaxis(flip(x), axis, 0), np.moveaxis(flip(gy), axis, 0)
        before = _shifted(np.cumprod(x, axis=0), 0, 1)  # product of the factors before j
        # r[j] = Σ_{i>=j} gy[i] · x[j+1] ... x[i] (exclusive: i > j, over x[j+1] ... x[i-1])
        r, acc = np.zeros_like(gy), np.zeros_like(gy[0])
        for j in range(len(x) - 1, -1, -1):
            if self.exclusive:
                acc = acc * x[j + 1] + gy[j + 1] if j + 1 < len(x) else acc
            else:
                acc = gy[j] + (acc * x[j + 1] if j + 1 < len(x) else 0)
            r[j] = acc
        return (flip(np.moveaxis(before * r, 0, axis)),)

    def shape(self, x):
        if not x:
            raise ShapeError(f"cumprod: needs at least 1-D input, got shape {describe(x)}")
        normalize_axis(self.kind, self.axis, len(x))
        return tuple(x)


class BooleanMask(Op):
    """x's entries where `mask` (covering axes axis .. axis + mask.ndim - 1) is true, those axes
    flattened into one of unknown length."""

    kind = "boolean_mask"
    formulas = ("∂y/∂x: gy put back at the kept places, 0 elsewhere", "mask: no gradient")

    def __init__(self, axis=0):
        self.axis = axis

    def _flat(self, x, mask):
        x, mask = np.asarray(x), np.asarray(mask)
        self.shape(x.shape, mask.shape)
        if mask.dtype != bool:
            raise ValueError(f"boolean_mask: mask must be bool, got dtype {mask.dtype}")
        a = self.axis
        return x.reshape(x.shape[:a] + (-1,) + x.shape[a + mask.ndim:]), mask.ravel()

    def forward(self, x, mask):
        flat, keep = self._flat(x, mask)
        return np.compress(keep, flat, axis=self.axis)

    def vjp(self, gy, xs, y, saved, needs):
        flat, keep = self._flat(*xs)
        g = np.zeros(flat.shape, gy.dtype)
        g[(slice(None),) * self.axis + (keep,)] = gy
        return g.reshape(np.shape(xs[0])), None

    def shape(self, x, mask):
        a, m = self.axis, len(mask)
        if m == 0 or a + m > len(x) or any(None not in (p, q) and p != q
                                           for p, q in zip(x[a:a + m], mask)):
            raise ShapeError(f"boolean_mask: mask of shape {describe(mask)} must match the "
                             f"axes {a}..{a + m - 1} of the tensor of shape {describe(x)}")
        return tuple(x[:a]) + (None,) + tuple(x[a + m:])

    def dtype(self, x, mask):
        return x


class ReverseSequence(Op):
    """For each b along batch_axis, the first seq_lengths[b] steps along seq_axis reversed."""

    kind = "reverse_sequence"
    formulas = ("∂y/∂x: reverse_sequence of gy (the op is its own inverse)",
                "seq_lengths: no gradient")

    def __init__(self, seq_axis, batch_axis=0):
        self.seq_axis, self.batch_axis = seq_axis, batch_axis

    def forward(self, x, seq_lengths):
        x = np.asarray(x)
        self.shape(x.shape, np.shape(seq_lengths))
        lengths = np.asarray(seq_lengths)
        s, b, steps = self.seq_axis, self.batch_axis, x.shape[self.seq_axis]
        if lengths.dtype.kind not in "iu" or (lengths < 0).any() or (lengths > steps).any():
            raise ValueError(f"reverse_sequence: seq_lengths {lengths.tolist()} must lie in "
                             f"0..{steps} (axis {s} of the input of shape {x.shape})")
        t, lengths = np.arange(steps), lengths.astype(np.int64)
        index = np.where(t < lengths[:, None], lengths[:, None] - 1 - t, t)  # (batch, steps)
        if b > s:
            index = index.T
        shape = [1] * x.ndim
        shape[b], shape[s] = x.shape[b], steps
        return np.take_along_axis(x, np.broadcast_to(index.reshape(shape), x.shape), s)

    def vjp(self, gy, xs, y, saved, needs):
        return self.forward(gy, xs[1]), None

    def shape(self, x, seq_lengths):
        s, b = self.seq_axis, self.batch_axis
        if not (0 <= s < len(x) and 0 <= b < len(x)) or s == b or len(seq_lengths) != 1 \
                or None not in (x[b], seq_lengths[0]) and x[b] != seq_lengths[0]:
            raise ShapeError(f"reverse_sequence: seq_axis {s} and batch_axis {b} must be two "
                             f"axes of the input of shape {describe(x)}, and seq_lengths (of "
                             f"shape {describe(seq_lengths)}) one length per batch entry")
        return tuple(x)

    def dtype(self, x, seq_lengths):
        return x


class SequenceMask(Op):
    """mask[..., j] = j < lengths[...], for j < maxlen: a static int, a second (scalar)
    input read when run (`maxlen` then what is known of it, maybe None), or, with neither,
    max(lengths)."""

    kind = "sequence_mask"
    differentiable = False

    def __init__(self, maxlen=None, to=np.dtype(bool)):
        self.maxlen, self.to = maxlen, np.dtype(to)

    def forward(self, lengths, maxlen=None):
        lengths = np.asarray(lengths)
        if maxlen is not None:
            n = int(maxlen)
        else:
            n = self.maxlen if self.maxlen is not None else \
                int(lengths.max()) if lengths.size else 0
        return (np.arange(n) < lengths[..., None]).astype(self.to)

    def shape(self, lengths, maxlen=None):
        if maxlen is not None and len(maxlen):
            raise ShapeError(f"sequence_mask: maxlen must be a scalar, got shape "
                             f"{describe(maxlen)}")
        return tuple(lengths) + (self.maxlen,)

    def dtype(self, lengths, maxlen=None):
        return self.to


def _nonnegative(axis, x):
    """A negative `axis` counted from the end of x's rank."""
    return axis + len(getattr(x, "shape", np.shape(x))) if axis < 0 else axis


@register("passos")
def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running sums of x along `axis` (exclusive: without the current entry; reverse: from the
    end); the same shape as x.

    >>> import numpy as np, passos
    >>> passos.cumsum(np.array([1.0, 2.0, 3.0]), exclusive=True).numpy()
    array([0., 1., 3.])
    """
    return apply(CumSum(axis, exclusive, reverse), x, name=name)


@register("passos")
def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running products of x along `axis` (exclusive: without the current entry; reverse: from
    the end); the same shape as x.

    >>> import numpy as np, passos
    >>> passos.cumprod(np.array([2.0, 3.0, 4.0]), reverse=True).numpy()
    array([24., 12.,  4.])
    """
    return apply(CumProd(axis, exclusive, reverse), x, name=name)


@register("passos")
def boolean_mask(x, mask, axis=0, name=None):
    """x's entries where the bool `mask` (of the shape of x's axes axis..) is true; the masked
    axes become one of unknown length. Differentiable in x.

    >>> import numpy as np, passos
    >>> passos.boolean_mask(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([False, True])).numpy()
    array([[3., 4.]])
    """
    return apply(BooleanMask(_nonnegative(axis, x)), x, mask, name=name)


@register("passos")
def reverse_sequence(x, seq_lengths, seq_axis, batch_axis=0, name=None):
    """x with the first seq_lengths[b] steps of each batch entry b reversed along seq_axis.

    >>> import numpy as np, passos
    >>> passos.reverse_sequence(np.array([[1.0, 2.0, 3.0]]), [2], seq_axis=1).numpy()
    array([[2., 1., 3.]])
    """
    op = ReverseSequence(_nonnegative(seq_axis, x), _nonnegative(batch_axis, x))
    return apply(op, x, seq_lengths, name=name)


@register("passos", differentiable=False)
def sequence_mask(lengths, maxlen=None, dtype=bool, name=None):
    """mask[..., j] = j < lengths[...], of shape lengths.shape + (maxlen,).

    >>> import passos
    >>> passos.sequence_mask([1, 3], 4).numpy()
    array([[ True, False, False, False],
           [ True,  True,  True, False]])
    """
    return apply(SequenceMask(None if maxlen is None else int(maxlen), dtype), lengths, name=name)
