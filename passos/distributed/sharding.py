"""Data sharding: each process takes its slice of every global batch of one shared order.

An epoch's order (the same permutation on every process) is cut into global batches of
size() × batch_size samples, as one process would cut it with that batch size; process r
takes the r-th of size() near-equal parts of each. So the union of an epoch is the whole data
set, once, and every process makes the same number of steps. A last global batch smaller than
the number of processes joins the one before it (every process needs a sample per step).

>>> [i.tolist() for i, _ in batches(range(10), 2, rank=1, size=2)]
[[2, 3], [6, 7], [9]]
"""
import numpy as np

from . import comm


def batches(order, batch_size, rank=None, size=None):
    """[(indices, share)] of process `rank`: its part of each global batch, and share =
    size × (its part's length) / (the global batch's length), the weight its gradient takes
    in the average so that the mean over processes is the global batch's mean gradient."""
    rank = comm.rank() if rank is None else rank
    size = comm.size() if size is None else size
    order = np.asarray(order)
    count, step = len(order), batch_size * size
    if count < size:
        raise ValueError(f"passos.distributed: {count} samples cannot be shared by {size} "
                         f"processes (each needs at least one per step); use more data or "
                         f"fewer processes")
    starts = list(range(0, count, step))
    if len(starts) > 1 and count - starts[-1] < size:
        starts.pop()  # a tail too small to share joins the batch before it
    ends = starts[1:] + [count]
    found = []
    for start, end in zip(starts, ends):
        part = np.array_split(order[start:end], size)[rank]
        found.append((part, size * len(part) / (end - start)))
    return found


def shared_order(count, shuffle, generator):
    """An epoch's order, the same on every process: rank 0's permutation, broadcast."""
    if not shuffle:
        return np.arange(count)
    order = generator().permutation(count) if comm.rank() == 0 else np.empty(count, np.int64)
    return comm.broadcast_(np.ascontiguousarray(order, np.int64), 0,
                           "broadcast of the epoch's sample order")
