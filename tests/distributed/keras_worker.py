"""Run under `mpiexec -n N python keras_worker.py STYLE OPTIMIZER RECORD`: a distributed Keras fit.

Every rank trains a small float64 model data-parallel, with per-process batch B; rank 0 then
trains the same model in one process with batch N·B and prints, as JSON, the largest weight
difference between the two, and between the ranks. STYLE is `fit` (fit(distributed=True)) or
`horovod` (DistributedOptimizer and the callbacks, as Horovod's Keras users write it).
RECORD: a file that a callback writing files appends its rank to, each epoch.
"""
import json
import sys

import numpy as np

BATCH, EPOCHS, SAMPLES = 8, 2, 53  # 53 = 3 global batches of 16 and a tail of 5, split 3 / 2


def model_and_data(optimizer_name, seed):
    from passos.keras import optimizers
    from passos.keras.layers import Dense, Input
    from passos.keras.models import Model
    from passos.ops import random as passos_random
    rng = np.random.default_rng(0)
    x = rng.normal(size=(SAMPLES, 5))
    y = np.eye(3)[rng.integers(0, 3, SAMPLES)]
    passos_random.seed(seed)
    inputs = Input(shape=(5,), dtype="float64")
    hidden = Dense(7, activation="tanh", dtype="float64")(inputs)
    model = Model(inputs, Dense(3, activation="softmax", dtype="float64")(hidden))
    optimizer = {"sgd": lambda: optimizers.SGD(lr=0.3),
                 "adam": lambda: optimizers.Adam(lr=0.05)}[optimizer_name]()
    return model, optimizer, x, y


def recorder(path):
    """A callback that writes files (so runs on rank 0 only): appends its rank each epoch."""
    import passos.distributed as hvd
    from passos.keras.callbacks import Callback

    class Recorder(Callback):
        writes_files = True

        def on_epoch_end(self, epoch, logs=None):
            with open(path, "a") as f:
                f.write(f"{hvd.rank()}\n")
    return Recorder()


def main(style, optimizer_name, record):
    import passos.distributed as hvd
    from passos.keras.callbacks import BroadcastGlobalVariablesCallback, MetricAverageCallback
    hvd.init(timeout=60)
    # 1. data-parallel: each rank starts from different weights; rank 0's are broadcast
    model, optimizer, x, y = model_and_data(optimizer_name, seed=100 + hvd.rank())
    if style == "horovod":
        model.compile(optimizer=hvd.DistributedOptimizer(optimizer),
                      loss="categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, seed=1, verbose=1,
                            callbacks=[BroadcastGlobalVariablesCallback(0),
                                       MetricAverageCallback(), recorder(record)])
    else:
        model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, seed=1, verbose=1,
                            distributed=True, callbacks=[recorder(record)])
    weights = np.concatenate([w.ravel() for w in model.get_weights()])
    # 2. the ranks agree: compare with rank 0's weights
    root = hvd.broadcast_(weights.copy(), 0)
    losses = np.array(history.history["loss"] + history.history["accuracy"])
    spread = np.array([np.max(np.abs(weights - root)),  # the ranks' weights and logged metrics
                       np.max(np.abs(losses - hvd.broadcast_(losses.copy(), 0))),
                       hvd.local_rank()])
    hvd.allreduce_(spread)
    if hvd.rank() != 0:
        return
    # 3. one process, batch N·B, from rank 0's initial weights
    reference, optimizer, x, y = model_and_data(optimizer_name, seed=100)
    reference.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    single = reference.fit(x, y, batch_size=BATCH * hvd.size(), epochs=EPOCHS, seed=1, verbose=0)
    expected = np.concatenate([w.ravel() for w in reference.get_weights()])
    start = model_and_data(optimizer_name, seed=100)[0]
    print(json.dumps({"difference": float(np.max(np.abs(weights - expected))),
                      "spread": float(spread[0]), "metric_spread": float(spread[1]),
                      "local_ranks": float(spread[2]), "size": hvd.size(),
                      "moved": float(np.max(np.abs(expected - np.concatenate(
                          [w.ravel() for w in start.get_weights()])))),
                      "loss": history.history["loss"], "single_loss": single.history["loss"]}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
