"""Max and average pooling on channels-last arrays (N, *spatial, C), and their gradients.

`pads` holds one (before, after) pair per spatial axis, `k` the window, `s`
the strides and `out` the output's spatial size (the ops work these out).
"""
import math

import numpy as np

from . import windows as win


def lowest(dtype):
    """The value that never wins a max: -inf, the smallest integer, or False (a max is an any)."""
    if dtype.kind == "b":
        return False
    return -np.inf if dtype.kind in "fc" else np.iinfo(dtype).min


def _cells(k, s, out):
    return win.offsets(k, s, (1,) * len(k), out)


def max_pool(x, pads, k, s, out):
    """Largest value of each window; padding cells never win.

    >>> max_pool(np.array([[[1], [3], [2], [0]]]), ((0, 0),), (2,), (2,), (2,))[0, :, 0]
    array([3, 2])
    """
    xp = win.pad_spatial(x, pads, lowest(x.dtype))
    cells = _cells(k, s, out)
    y = xp[next(cells)[1]].copy()
    for _, index in cells:
        np.maximum(y, xp[index], out=y)
    return y


def max_pool_grad(x, pads, k, s, out, y, gy):
    """dL/dx of max pooling: each window's gradient to its first maximum in row-major order.

    A cell that is the maximum of several overlapping windows gathers all their gradients.
    """
    xp = win.pad_spatial(x, pads, lowest(x.dtype))
    gxp = np.zeros(xp.shape, np.result_type(gy, x))
    cells = list(_cells(k, s, out))
    disjoint = all(ss >= kk for ss, kk in zip(s, k))
    for start, stop in win.batches(len(xp), xp[:1].nbytes, win.CACHE_BYTES):
        xc, yc, gc, g = xp[start:stop], y[start:stop], gxp[start:stop], gy[start:stop]
        hits = first_maxima((xc[index] for _, index in cells), yc)
        for (_, index), hit in zip(cells, hits):
            if disjoint:  # no other window wrote here: store instead of adding
                np.multiply(g, hit, out=gc[index])
            else:
                gc[index] += g * hit
    return gxp[win.interior(pads, x.shape[1:-1])]


def first_maxima(candidates, peak):
    """For each window cell in turn, a mask of the windows whose first maximum it holds.

    `candidates` gives the cells' values in row-major window order, each
    shaped like `peak`, the windows' maxima; a tie goes to the earlier cell (as
    PyTorch). The mask is one reused buffer: use it before taking the next.
    """
    hit = win.scratch("pool_hit", peak.shape, bool)
    taken = win.scratch("pool_taken", peak.shape, bool)  # windows whose maximum is handed out
    for t, values in enumerate(candidates):
        np.equal(values, peak, out=hit)
        if t:
            np.greater(hit, taken, out=hit)  # hit and not taken: later ties get nothing
            taken |= hit
        else:
            np.copyto(taken, hit)
        yield hit


def window_counts(spatial, pads, k, s, out, dtype):
    """Cells of each window inside the input, shaped to broadcast over (N, *out, C)."""
    if not any(b or a for b, a in pads):
        return math.prod(k)
    rank = len(k)
    counts = np.ones((1,) * (rank + 2), np.int64)
    for axis, (i, kk, ss, (b, _), o) in enumerate(zip(spatial, k, s, pads, out)):
        start = np.arange(o) * ss - b
        inside = np.minimum(start + kk, i) - np.maximum(start, 0)
        counts = counts * inside.reshape((-1,) + (1,) * (rank - axis))
    return counts.astype(dtype)


def avg_pool(x, pads, k, s, out):
    """Mean of each window over its cells inside the input (as TensorFlow's "same")."""
    xp = win.pad_spatial(x, pads)
    cells = _cells(k, s, out)
    y = xp[next(cells)[1]].copy()
    for _, index in cells:
        y += xp[index]
    y /= window_counts(x.shape[1:-1], pads, k, s, out, y.dtype)
    return y


def avg_pool_grad(gy, spatial, pads, k, s, out):
    """dL/dx of average pooling: each window's gradient shared among its cells inside the input."""
    g = gy / window_counts(spatial, pads, k, s, out, gy.dtype)
    gxp = np.zeros(win.padded_shape((len(g), *spatial, g.shape[-1]), pads), g.dtype)
    for _, index in _cells(k, s, out):
        gxp[index] += g
    return gxp[win.interior(pads, spatial)]
