"""How a plan runs an op on several threads, from what the op declares (see parallel.py).

An op with `batch_inputs = m` says its first m inputs, its output, its
output gradient and what it saves share a batch axis (axis 0), and that its
forward and vjp are the same math on any slice of that batch. Then a slice
of the batch runs on each thread: forward outputs are joined; in the vjp,
the gradients of batch inputs are joined and those of shared inputs
(kernels, biases) summed. What a split forward saves stays in its parts
(joining would copy it), so its vjp splits at the same bounds: each thread
carries its share forward and back. An op with `split_grads` says its input
gradients are independent products: its vjp computes them on separate threads.

`op.work(xs, needs)` gives the multiply-adds (needs None: of forward), and
only large work splits; the same batch always splits the same way, so
results do not depend on timing. Ops are duck-typed: nothing here imports passos.
"""
import functools

import numpy as np

from . import parallel


class Parts(list):
    """What a forward split at `bounds` saved, one entry per slice of the batch."""

    def __init__(self, parts, bounds):
        super().__init__(parts)
        self.bounds = bounds


def _work_by_shape(op, needs=None):
    """op.work(xs, needs), computed once per distinct input shapes: a plan's steps see the
    same shapes every step, and an op's work may take as long as a small product."""
    known = {}

    def work(xs):
        try:
            key = tuple([x.shape for x in xs])
        except AttributeError:  # a Python number among the inputs
            return op.work(xs, needs)
        found = known.get(key)
        if found is None:
            found = known[key] = op.work(xs, needs)
        return found
    return work


def forward(op):
    """op.forward, with the batch split over threads when the work is large."""
    m, work = op.batch_inputs, _work_by_shape(op)

    def run(*xs):
        bounds = _bounds(len(xs[0]), work(xs))
        if len(bounds) <= 2:
            return op.forward(*xs)
        results = parallel.run_all([functools.partial(op.forward, *_sliced(xs, m, a, b))
                                    for a, b in zip(bounds, bounds[1:])])
        if op.saves:
            return np.concatenate([y for y, _ in results]), Parts([s for _, s in results], bounds)
        return np.concatenate(results)
    return run


def vjp(op, needs, grads):
    """A plan's gradient step (gy, *xs, y, saved) -> the needed input gradients (one: bare),
    given grads(gy, xs, y, saved, needs) -> every input's gradient (None where not needed)."""
    wanted = [i for i, need in enumerate(needs) if need]
    arity, m, work = len(needs), op.batch_inputs, _work_by_shape(op, needs)

    def whole(gy, xs, y, saved, needs=needs):
        return grads(gy, xs, y, saved, needs)

    def run(gy, *rest):
        xs, y, saved = rest[:arity], rest[arity], rest[arity + 1]
        if m:
            result = _batch_vjp(work, whole, gy, xs, y, saved, m)
        else:
            k = parallel.parts(work(xs)) if len(wanted) > 1 else 1
            result = _apart(whole, wanted, k, gy, xs, y, saved) if k > 1 else \
                grads(gy, xs, y, saved, needs)
        return result[wanted[0]] if len(wanted) == 1 else [result[i] for i in wanted]
    return run


def _batch_vjp(work, whole, gy, xs, y, saved, m):
    """Gradients from slices of the batch: the saved parts' bounds, else an even split."""
    if isinstance(saved, Parts):
        bounds, shares = saved.bounds, list(saved)
    else:
        bounds = _bounds(len(xs[0]), work(xs))
        if len(bounds) <= 2:
            return whole(gy, xs, y, saved)
        shares = [_slice(saved, a, b) for a, b in zip(bounds, bounds[1:])]
    if np.shape(gy) != np.shape(y):  # a broadcast gradient (a constant seed)
        gy = np.broadcast_to(gy, np.shape(y))
    results = parallel.run_all([
        functools.partial(whole, gy[a:b], _sliced(xs, m, a, b), y[a:b], share)
        for (a, b), share in zip(zip(bounds, bounds[1:]), shares)])
    return [None if parts[0] is None else np.concatenate(parts) if i < m else
            functools.reduce(np.add, parts) for i, parts in enumerate(zip(*results))]


def _apart(whole, wanted, k, gy, xs, y, saved):
    """The wanted gradients computed in up to `k` groups, one group a thread."""
    k = min(k, len(wanted))
    groups = [wanted[len(wanted) * g // k:len(wanted) * (g + 1) // k] for g in range(k)]
    flags = [tuple(i in group for i in range(len(xs))) for group in groups]
    results = parallel.run_all([functools.partial(whole, gy, xs, y, saved, f) for f in flags])
    merged = [None] * len(xs)
    for group, result in zip(groups, results):
        for i in group:
            merged[i] = result[i]
    return merged


def _bounds(n, work):
    """Where the batch of `n` splits: [0, n] when it runs whole."""
    k = min(parallel.parts(work), n)
    return [n * i // k for i in range(k + 1)] if k > 1 else [0, n]


def _sliced(xs, m, a, b):
    return (*(x[a:b] for x in xs[:m]), *xs[m:])


def _slice(saved, a, b):
    """Batch items a..b-1 of every array in a (nested: lists, tuples, dicts) saved value."""
    if isinstance(saved, np.ndarray):
        return saved[a:b]
    if isinstance(saved, (list, tuple)):
        return type(saved)(_slice(s, a, b) for s in saved)
    if isinstance(saved, dict):
        return {key: _slice(s, a, b) for key, s in saved.items()}
    return saved


def whole(value):
    """`value` with a split forward's saved parts joined (for a plan that fetches it)."""
    if not isinstance(value, Parts):
        return value
    return _join_tree(list(value))


def _join_tree(parts):
    first = parts[0]
    if isinstance(first, np.ndarray):
        return np.concatenate(parts)
    if isinstance(first, (list, tuple)):
        return type(first)(_join_tree(list(p)) for p in zip(*parts))
    if isinstance(first, dict):
        return {key: _join_tree([p[key] for p in parts]) for key in first}
    return first
