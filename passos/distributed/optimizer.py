"""`DistributedOptimizer`: average the gradients over the processes before each update.

The gradients a step hands the optimizer (in a compiled plan, its apply-gradients node) are
copied into one flat buffer per dtype, summed over the processes with one allreduce per
buffer, and divided by the number of processes; the wrapped update rule then steps as usual.
So every process applies the same update to the same weights, and N processes with batch b
step as one process with batch N·b would (the mean loss's gradient is the mean of the shards').
"""
import numpy as np

from .. import optim
from . import comm


class Buckets:
    """Flat buffers, one per dtype, laid out once for a step's list of gradient shapes."""

    def __init__(self):
        self.layout = None  # ((shape, dtype) or None per gradient), the layout's key
        self.buffers = {}   # dtype -> flat buffer
        self.views = []     # per gradient: a view of its part of its buffer, or None

    def _lay_out(self, key):
        sizes = {}
        places = []
        for entry in key:
            if entry is None:
                places.append(None)
                continue
            shape, dtype = entry
            start = sizes.get(dtype, 0)
            sizes[dtype] = start + int(np.prod(shape, dtype=np.int64))
            places.append((dtype, start, shape))
        self.buffers = {dtype: np.empty(n, dtype) for dtype, n in sizes.items()}
        self.views = [None if p is None else
                      self.buffers[p[0]][p[1]:p[1] + int(np.prod(p[2], dtype=np.int64))]
                      .reshape(p[2]) for p in places]
        self.layout = key

    def average(self, grads, share=1.0, what="allreduce of the gradients"):
        """The mean over the processes of `share` * grads: arrays viewing the buffers (None kept)."""
        grads = [None if g is None else np.asarray(g) for g in grads]
        key = tuple(None if g is None else (g.shape, g.dtype) for g in grads)
        if key != self.layout:
            self._lay_out(key)
        for view, g in zip(self.views, grads):
            if view is not None:
                np.copyto(view, g) if share == 1.0 else np.multiply(g, share, out=view)
        n = comm.size()
        for dtype, buffer in self.buffers.items():
            comm.allreduce_(buffer, f"{what} ({dtype}, {buffer.size:,} values)")
            if n > 1:
                buffer /= n
        return self.views


class _Averaging:
    """Mixed in before an update rule: its steps take the averaged gradients."""

    distributed = True
    batch_share = 1.0  # this process's share of the global batch times size(); fit sets it

    def _averaged(self, grads):
        buckets = self.__dict__.get("_buckets")
        if buckets is None:
            buckets = self._buckets = Buckets()
        return buckets.average(grads, self.batch_share,
                               f"allreduce of {type(self).__name__}'s gradients")

    def step(self, params, grads):
        super().step(params, self._averaged(grads))

    def step_scaled(self, params, scaled_grads):
        super().step_scaled(params, self._averaged(scaled_grads))


_CLASSES = {}


def averaging_rule(rule):
    """A copy of update rule `rule` (a passos.optim.Optimizer) that averages its gradients."""
    if getattr(rule, "distributed", False):
        return rule
    cls = type(rule)
    if cls not in _CLASSES:  # keeps the class name: errors, get_config and saved models use it
        _CLASSES[cls] = type(cls.__name__, (_Averaging, cls), {"__doc__": cls.__doc__,
                                                               "__module__": cls.__module__})
    wrapped = object.__new__(_CLASSES[cls])
    wrapped.__dict__.update(rule.__dict__)
    wrapped.hyper, wrapped.slots = dict(rule.hyper), dict(rule.slots)
    wrapped.options = dict(rule.options)
    return wrapped


def DistributedOptimizer(optimizer):
    """`optimizer` averaging its gradients over the processes before each update (Horovod's name).

    Takes a Keras optimizer (any passos.optim rule) or a TF1 `tf.train` optimizer; returns a
    new optimizer of the same class name, with the same settings and state.
    """
    comm.init()
    if isinstance(optimizer, optim.Optimizer):
        return averaging_rule(optimizer)
    distribute = getattr(optimizer, "_distributed", None)  # TF1 optimizers declare this hook
    if callable(distribute):
        return distribute(averaging_rule)
    raise TypeError(f"DistributedOptimizer: expected an optimizer instance (passos.keras."
                    f"optimizers.Adam(...), tf.train.AdamOptimizer(...)), got {optimizer!r}")
