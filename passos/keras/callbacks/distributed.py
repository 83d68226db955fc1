"""Callbacks for data-parallel training over MPI (Horovod's names; see passos.distributed).

`fit(..., distributed=True)` adds the first two itself; the warm-up is the user's choice.
"""
import numpy as np

from ... import distributed
from .base import Callback


class BroadcastGlobalVariablesCallback(Callback):
    """At the start of training, give every process rank `root_rank`'s weights.

    Processes that built their models with different seeds then start from the same point.
    """

    def __init__(self, root_rank=0):
        super().__init__()
        self.root_rank = root_rank

    def on_train_begin(self, logs=None):
        distributed.broadcast_variables(self.model, self.root_rank)


class MetricAverageCallback(Callback):
    """At each epoch's end, replace every number in the logs by its mean over the processes,
    so what is printed, logged and monitored (EarlyStopping, ReduceLROnPlateau) is global and
    every process takes the same decisions."""

    def on_epoch_end(self, epoch, logs=None):
        if not logs:
            return
        names = sorted(k for k, v in logs.items() if isinstance(v, (int, float, np.number))
                       and not isinstance(v, bool))
        values = np.array([float(logs[k]) for k in names], np.float64)
        distributed.allreduce_(values, f"allreduce of epoch {epoch + 1}'s metrics {names}")
        for name, value in zip(names, values / distributed.size()):
            logs[name] = float(value)


class LearningRateWarmupCallback(Callback):
    """Raise the learning rate from initial_lr / size() to initial_lr over the first
    `warmup_epochs` epochs, a little each batch (Goyal et al. 2017's gradual warm-up).

    With N processes the global batch is N times larger and the learning rate is usually
    scaled by N (linear scaling); starting that large can diverge, so it is reached gradually.
    """

    def __init__(self, initial_lr, warmup_epochs=5, verbose=0):
        super().__init__()
        if not initial_lr > 0:
            raise ValueError(f"LearningRateWarmupCallback: initial_lr must be positive, got "
                             f"{initial_lr!r}")
        if not warmup_epochs > 0:
            raise ValueError(f"LearningRateWarmupCallback: warmup_epochs must be positive, got "
                             f"{warmup_epochs!r}")
        self.initial_lr, self.warmup_epochs, self.verbose = float(initial_lr), warmup_epochs, verbose
        self.epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        self._set(epoch)

    def on_batch_begin(self, batch, logs=None):
        self._set(self.epoch + batch / max(self.params.get("steps") or 1, 1))

    def _set(self, progress):
        if progress > self.warmup_epochs:
            return
        n = distributed.size()
        lr = self.initial_lr / n * (1 + progress * (n - 1) / self.warmup_epochs)
        self.model.optimizer.learning_rate = lr

    def on_epoch_end(self, epoch, logs=None):
        if self.verbose and epoch + 1 == int(np.ceil(self.warmup_epochs)):
            print(f"\nEpoch {epoch + 1}: finished gradual learning rate warmup to "
                  f"{self.model.optimizer.learning_rate:g}.")
