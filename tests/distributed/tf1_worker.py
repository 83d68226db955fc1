"""Run under `mpiexec -n N python tf1_worker.py OPTIMIZER`: a distributed TF1 training loop.

Each rank feeds its part of every global batch to a graph trained through
DistributedOptimizer(tf.train.<OPTIMIZER>), after broadcast_global_variables(0); rank 0 then
runs the same graph in one process on the whole global batches and prints, as JSON, the
largest weight difference.
"""
import json
import sys

import numpy as np

BATCH, STEPS = 6, 5


def train(optimizer_name, rank, size, distributed):
    import passos.compat.v1 as tf
    import passos.distributed.tensorflow as hvd
    rng = np.random.default_rng(0)
    x_all = rng.normal(size=(BATCH * size * STEPS, 4))
    y_all = np.tanh(x_all @ rng.normal(size=(4, 2)))
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder("float64", (None, 4))
        y = tf.placeholder("float64", (None, 2))
        w = tf.Variable(np.random.default_rng(10 + rank).normal(size=(4, 2)))  # differs per rank
        b = tf.Variable(np.zeros(2))
        loss = tf.reduce_mean(tf.square(tf.tanh(tf.matmul(x, w) + b) - y))
        optimizer = {"sgd": lambda: tf.train.GradientDescentOptimizer(0.5),
                     "adam": lambda: tf.train.AdamOptimizer(0.05)}[optimizer_name]()
        if distributed:
            optimizer = hvd.DistributedOptimizer(optimizer)
        step = optimizer.minimize(loss)
        bcast = hvd.broadcast_global_variables(0) if distributed else None
        init = tf.global_variables_initializer()
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        if distributed:
            sess.run(bcast)
        for i in range(STEPS):
            rows = slice(i * BATCH * size, (i + 1) * BATCH * size)
            xs, ys = x_all[rows], y_all[rows]
            if distributed:
                xs, ys = xs[rank * BATCH:(rank + 1) * BATCH], ys[rank * BATCH:(rank + 1) * BATCH]
            sess.run(step, {x: xs, y: ys})
        return np.concatenate([sess.run(w).ravel(), sess.run(b).ravel()])


def main(optimizer_name):
    import passos.distributed as hvd
    hvd.init(timeout=60)
    weights = train(optimizer_name, hvd.rank(), hvd.size(), distributed=True)
    root = hvd.broadcast_(weights.copy(), 0)
    spread = hvd.allreduce_(np.array([np.max(np.abs(weights - root))]))
    if hvd.rank() == 0:
        expected = train(optimizer_name, 0, hvd.size(), distributed=False)
        print(json.dumps({"difference": float(np.max(np.abs(weights - expected))),
                          "spread": float(spread[0]), "size": hvd.size()}))


if __name__ == "__main__":
    main(sys.argv[1])
