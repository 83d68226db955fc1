"""Run under `mpiexec -n 2 python fault_worker.py FAULT`: rank 1 fails, rank 0 trains on.

FAULT `raise`: rank 1 raises before its first step; `stall`: rank 1 sleeps instead of
stepping (with PASSOS_MPI_TIMEOUT set low, rank 0's allreduce times out). Either way the
job must end quickly, non-zero, saying which rank and why.
"""
import sys
import time

import numpy as np


def main(fault):
    import passos.distributed as hvd
    from passos.keras.layers import Dense
    from passos.keras.models import Sequential
    hvd.init()
    if hvd.rank() == 1:
        if fault == "raise":
            raise ValueError("planted failure on rank 1")
        time.sleep(60)
    model = Sequential([Dense(2, input_shape=(3,))])
    model.compile(optimizer="sgd", loss="mse")
    x = np.zeros((32, 3), np.float32)
    model.fit(x, np.zeros((32, 2), np.float32), batch_size=4, epochs=50, verbose=0,
              distributed=True)


if __name__ == "__main__":
    main(sys.argv[1])
