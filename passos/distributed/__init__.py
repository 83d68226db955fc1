"""Data-parallel training over MPI, Horovod's way: `mpiexec -n 4 python train.py`.

Each process holds the whole model and trains on its share of each batch; `DistributedOptimizer`
averages the gradients over the processes before every update, so all keep the same weights.
Keras: `model.fit(..., distributed=True)` (or compile with `DistributedOptimizer(opt)`) shards
the data and broadcasts rank 0's weights; Keras callbacks in `passos.keras.callbacks`
(`BroadcastGlobalVariablesCallback`, `MetricAverageCallback`, `LearningRateWarmupCallback`);
TF1: `DistributedOptimizer(tf.train.AdamOptimizer(...))` and
`tf.train.broadcast_global_variables(0)`. Needs `pip install 'passos[mpi]'`.
"""
from .comm import (CollectiveTimeout, allreduce_, barrier, broadcast_, init, launched, local_rank,
                   quiet, rank, size)
from .optimizer import DistributedOptimizer
from .sharding import batches
from .variables import broadcast_variables

__all__ = ["init", "rank", "size", "local_rank", "quiet", "launched", "DistributedOptimizer",
           "broadcast_variables", "allreduce_", "broadcast_", "barrier", "batches",
           "CollectiveTimeout"]
