"""`Feed`: the batches of a Python generator or a keras.utils.Sequence, in order, optionally
prefetched by background threads (fit_generator's `workers` and `max_queue_size`).

A Sequence is read by index, pass after pass: the batch order is shuffled per pass when
asked, `on_epoch_end` runs once each pass's batches are built, and with workers > 1 a pool
of threads builds batches ahead while the results still come out in order. A generator's
`next` cannot run in two threads at once, so one background thread reads it. A feed reads
exactly the `total` batches its caller asked for, so runs repeat and no pass is half read.
"""
import collections
import inspect
import queue
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..utils.data_utils import Sequence

_warned = []  # use_multiprocessing=True warns once per process


def is_source(value):
    """True for what fit_generator reads: a Sequence, a generator or any other iterator."""
    if isinstance(value, Sequence) or inspect.isgenerator(value):
        return True
    return hasattr(value, "__next__") and not isinstance(value, (np.ndarray, list, tuple, dict))


def warn_multiprocessing(use_multiprocessing, who):
    """passos builds batches on threads: say so once when processes were asked for."""
    if use_multiprocessing and not _warned:
        _warned.append(True)
        warnings.warn(f"{who}: use_multiprocessing=True runs on threads in passos (NumPy releases "
                      f"the GIL in its heavy loops); the batches are the same")


class Feed:
    """`total` batches from `source`; `get()` returns the next one, None when a generator ends."""

    def __init__(self, source, total, shuffle=False, workers=1, max_queue_size=10, rng=None):
        self.source, self.total, self.workers = source, total, workers
        self.shuffle, self.rng = shuffle, rng
        self._items = self._passes() if isinstance(source, Sequence) else iter(source)
        self._stop = threading.Event()
        self._thread = None
        if workers > 0 and total > 0:
            self._queue = queue.Queue(max(1, max_queue_size))
            self._thread = threading.Thread(target=self._produce, daemon=True,
                                            name="passos-feed")
            self._thread.start()

    # -- what the training loop calls ----------------------------------------------------
    def get(self):
        """The next batch as the source gave it (None once a generator is exhausted)."""
        if self._thread is None:
            return next(self._items, None)
        kind, value = self._queue.get()
        if kind == "error":
            raise value
        return value

    def close(self):
        """Stop the background threads (after training, or when it stopped early)."""
        self._stop.set()
        if self._thread is not None:
            while self._thread.is_alive():
                try:
                    self._queue.get_nowait()  # unblock a producer waiting on a full queue
                except queue.Empty:
                    self._thread.join(0.01)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- the producer side ---------------------------------------------------------------
    def _produce(self):
        try:
            for count, item in enumerate(self._items, 1):
                if not self._put(("item", item)) or count >= self.total:
                    return
            self._put(("item", None))
        except BaseException as error:  # handed to the training thread, which raises it
            self._put(("error", error))

    def _put(self, entry):
        while not self._stop.is_set():
            try:
                self._queue.put(entry, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _passes(self):
        """Batches of the Sequence, pass after pass, `total` in all."""
        length, produced = len(self.source), 0
        pool = ThreadPoolExecutor(self.workers, "passos-batch") if self.workers > 1 else None
        try:
            while produced < self.total:
                order = self.rng.permutation(length) if self.shuffle else range(length)
                order = list(order)[:self.total - produced]
                batches = self._built(order, pool)
                for index, batch in enumerate(batches):
                    if index == length - 1:
                        self.source.on_epoch_end()  # the pass is built: safe to reshuffle
                    produced += 1
                    yield batch
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)

    def _built(self, order, pool):
        """The batches `order` of the Sequence, in that order (built ahead on `pool`)."""
        if pool is None:
            for i in order:
                yield self.source[int(i)]
            return
        pending = collections.deque()
        for i in order:
            pending.append(pool.submit(self.source.__getitem__, int(i)))
            if len(pending) >= 2 * self.workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
