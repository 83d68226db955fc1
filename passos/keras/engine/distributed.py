"""`fit(..., distributed=...)`: data-parallel training over MPI (see passos.distributed).

A distributed fit (distributed=True, or a model compiled with a DistributedOptimizer) shards
each epoch's batches over the processes (`batch_size` is per process), starts from rank 0's
weights, averages the epoch's metrics, and, on the other ranks, prints nothing and drops the
callbacks that write files (those with `writes_files = True`: ModelCheckpoint, CSVLogger,
TensorBoard), unless passos.distributed.init(quiet=False).
"""
import contextlib
import functools
import os

import numpy as np

from ... import distributed
from ...distributed.sharding import shared_order
from ...ops import random as passos_random
from ..callbacks.distributed import BroadcastGlobalVariablesCallback, MetricAverageCallback


class Shards:
    """Per epoch, this process's batches: (rows, share of the global batch) each."""

    def __init__(self, optimizer):
        self.optimizer = optimizer

    def extent(self, count, batch_size):
        """(steps, samples) of this process in an epoch of `count` samples."""
        parts = distributed.batches(np.arange(count), batch_size)
        return len(parts), sum(len(rows) for rows, _ in parts)

    def epoch(self, count, batch_size, shuffle):
        order = shared_order(count, shuffle, passos_random.generator)
        return distributed.batches(order, batch_size)

    def take(self, parts, batch):
        """The rows of `batch`; the optimizer weights this process's gradient by its share."""
        rows, self.optimizer.batch_share = parts[batch]
        return rows


def _option(model, option):
    return getattr(model.optimizer, "distributed", False) if option is None else option


def quiet_ranks(fit):
    """Run a distributed fit with stdout silenced on the ranks that print nothing."""
    @functools.wraps(fit)
    def run(model, *args, **kwargs):
        if not (_option(model, kwargs.get("distributed")) and distributed.quiet()):
            return fit(model, *args, **kwargs)
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
            return fit(model, *args, **kwargs)
    return run


def prepare(model, option, verbose, callbacks):
    """(Shards or None, verbose, callbacks) for fit's `distributed` option."""
    if not _option(model, option):
        return None, verbose, callbacks
    model._require_compiled("fit")
    if not getattr(model.optimizer, "distributed", False):
        model.optimizer = distributed.DistributedOptimizer(model.optimizer)
        model._invalidate_plans()  # the train plan calls the optimizer it was traced with
    callbacks = list(callbacks or [])
    added = [kind() for kind in (MetricAverageCallback, BroadcastGlobalVariablesCallback)
             if not any(isinstance(c, kind) for c in callbacks)]
    callbacks = added + callbacks  # metrics averaged before any user callback reads them
    if distributed.quiet():
        verbose = 0
        callbacks = [c for c in callbacks if not getattr(c, "writes_files", False)]
    return Shards(model.optimizer), verbose, callbacks
