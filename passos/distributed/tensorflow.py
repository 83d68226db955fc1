"""Horovod's TensorFlow-1 API over passos.compat.v1: `import passos.distributed.tensorflow as hvd`.

    opt = hvd.DistributedOptimizer(tf.train.AdamOptimizer(0.001 * hvd.size()))
    train = opt.minimize(loss)
    bcast = hvd.broadcast_global_variables(0)
    sess.run(tf.global_variables_initializer()); sess.run(bcast)
"""
import numpy as np

from ..compat.v1.framework import get_default_graph, global_variables
from ..core.op import Op
from . import (CollectiveTimeout, DistributedOptimizer, allreduce_, barrier, broadcast_,  # noqa: F401
               broadcast_variables, init, local_rank, rank, size)


class BroadcastVariables(Op):
    """Graph node: overwrite the session's values of `variables` with rank `root`'s."""

    kind = "broadcast_variables"
    differentiable = False

    def __init__(self, variables, root):
        self.variables, self.root = list(variables), root

    def attrs(self):
        return {"root_rank": self.root, "variables": [v.name for v in self.variables]}

    def shape(self):
        return ()

    def dtype(self):
        return np.dtype(bool)

    def bind(self, session, node):
        variables, root = self.variables, self.root

        def run():
            missing = [v.name for v in variables if v not in session.variables]
            if missing:
                raise RuntimeError(f"broadcast_global_variables: variables {missing[:5]} are not "
                                   f"initialised in this Session: run "
                                   f"tf.global_variables_initializer() before the broadcast")
            broadcast_variables([session.variables[v] for v in variables], root)
        return run


def broadcast_global_variables(root_rank=0):
    """An operation that gives every process rank `root_rank`'s values of all global
    variables (the optimizers' slots included); run it once, after the initializer."""
    init()
    return get_default_graph().add_op(BroadcastVariables(global_variables(), root_rank), [],
                                      name="broadcast_global_variables")
