"""Horovod's Keras API over passos.keras: `import passos.distributed.keras as hvd`.

`hvd.callbacks.BroadcastGlobalVariablesCallback(0)`, `hvd.callbacks.MetricAverageCallback()`,
`hvd.callbacks.LearningRateWarmupCallback(...)`, `hvd.DistributedOptimizer(opt)`, `hvd.size()`.
"""
from types import SimpleNamespace

from ..keras.callbacks.distributed import (BroadcastGlobalVariablesCallback,
                                           LearningRateWarmupCallback, MetricAverageCallback)
from . import (CollectiveTimeout, DistributedOptimizer, allreduce_, barrier, broadcast_,  # noqa: F401
               broadcast_variables, init, local_rank, rank, size)

callbacks = SimpleNamespace(BroadcastGlobalVariablesCallback=BroadcastGlobalVariablesCallback,
                            MetricAverageCallback=MetricAverageCallback,
                            LearningRateWarmupCallback=LearningRateWarmupCallback)
