"""Run the independent parts of a large op on several CPU cores at once.

NumPy and OpenBLAS release the GIL while they compute, so Python threads can
each take part of a convolution's batch, or one of a product's two gradients,
at the same time. Training (see threads.compute_threads) holds BLAS itself to
one thread and splits here instead: BLAS's own threads synchronise many times
inside each product and spin while they wait, which stalls badly when the
other core is shared or busy; a worker here synchronises once per part and
sleeps on a lock when idle. Parts never split again, and results do not
depend on timing: the same batch always splits the same way.

Several threads may compute at once (e.g. predict on one model from a web
server's threads): the split count belongs to the calling thread, and the
process-wide settings changed for a block (the GIL switch interval here, BLAS's
thread count in threads.py) are `ProcessSetting`s, saved by the first block in
and restored by the last one out, so no thread sees another's count and none is
left changed.

Only arithmetic-heavy work gains: parts that mostly move memory (a first
layer's 9-term products, a dense layer's rows sharing one weight matrix)
ran slower split than whole in a training step here, so their ops do not split.
And a part should make few, large NumPy calls: between calls a thread needs
the GIL, and two threads making many small calls mostly wait for each other
(3-microsecond additions ran 4x slower on two threads than one after another).
"""
import contextlib
import os
import queue
import sys
import threading

# Splitting costs about 50 microseconds of hand-over here, so only ops that do at
# least this much work are split: work counts multiply-adds, and one elementwise
# pass over an array counts PASS multiply-adds per element (measured alike here).
MIN_WORK = 2**23
PASS = 16
# Between its NumPy calls a thread needs the GIL, and a thread that waits for it
# only forces a hand-over after Python's switch interval (5 ms by default); the
# thread holding it meanwhile takes it back after each call. Inside `threads`
# a waiting thread forces the hand-over after this much instead: the CNN's
# training step ran 6% faster (0.2-1 ms alike; 0.1 ms was slower).
SWITCH_INTERVAL = 0.0005
_workers = []  # job queues of the worker threads: started on first use, kept for good
_starting = threading.Lock()
_split = threading.local()  # .parts: how many parts this thread's ops may split into (1: off)
_in_part = threading.local()  # .active: this thread is running a part (workers always are)


class ProcessSetting:
    """A process-wide setting held at another value while any thread is inside `held()`.

    `read()` gives the value, `write(value)` sets it, `holding(original)` is the
    value inside blocks. A lock-protected count of open blocks makes the first
    in save the original and the last out restore it, however blocks interleave.
    """

    def __init__(self, read, write, holding):
        self._read, self._write, self._holding = read, write, holding
        self._lock = threading.Lock()
        self._blocks = 0
        self.original = None  # the value outside every block, while one is open
        if hasattr(os, "register_at_fork"):  # a fork mid-update must not leave the lock held
            os.register_at_fork(after_in_child=self._new_lock)

    def _new_lock(self):
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def held(self):
        """Hold the setting inside the block; yields the value it had outside every block."""
        with self._lock:
            if self._blocks == 0:
                self.original = self._read()
                self._write(self._holding(self.original))
            self._blocks += 1
            original = self.original
        try:
            yield original
        finally:
            with self._lock:
                self._blocks -= 1
                if self._blocks == 0:
                    self._write(self.original)


switch_interval = ProcessSetting(sys.getswitchinterval, sys.setswitchinterval,
                                 lambda interval: min(interval, SWITCH_INTERVAL))


class _Job:
    """One part handed to a worker: its function, and its result or error once done."""

    __slots__ = ("task", "result", "error", "done")

    def __init__(self, task):
        self.task = task
        self.result = self.error = None
        self.done = threading.Lock()
        self.done.acquire()

    def run(self):
        try:
            self.result = self.task()
        except BaseException as error:  # handed to the waiting thread, which raises it
            self.error = error
        finally:
            self.done.release()

    def wait(self):
        self.done.acquire()
        return self.result


def _work(jobs):
    _in_part.active = True
    while True:
        jobs.get().run()


def _forget_workers():
    """In a forked child the workers' threads do not exist: start new ones on demand."""
    global _starting
    _workers.clear()
    _starting = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_workers)


def _worker(i):
    with _starting:
        while len(_workers) <= i:
            jobs = queue.SimpleQueue()
            threading.Thread(target=_work, args=(jobs,), daemon=True,
                             name=f"passos-worker-{len(_workers)}").start()
            _workers.append(jobs)
    return _workers[i]


@contextlib.contextmanager
def threads(n):
    """Let this thread's large ops split into up to `n` parts, run at once, inside the block."""
    n = max(1, int(n))
    outer = getattr(_split, "parts", 1)
    _split.parts = n
    try:
        if n > 1:
            with switch_interval.held():
                yield
        else:
            yield
    finally:
        _split.parts = outer


def parts(work):
    """How many parts an op doing `work` multiply-adds should split into (1: run it whole)."""
    n = getattr(_split, "parts", 1)
    if n == 1 or work < MIN_WORK or getattr(_in_part, "active", False):
        return 1
    return n


def run_all(tasks):
    """[task() for task in tasks], the first on this thread and the others on workers.

    Every task has finished when this returns; the first error raised by any is re-raised.
    """
    jobs = [_Job(task) for task in tasks[1:]]
    for i, job in enumerate(jobs):
        _worker(i).put(job)
    outer = getattr(_in_part, "active", False)
    _in_part.active = True
    try:
        first = tasks[0]()
    finally:
        _in_part.active = outer
        results = [job.wait() for job in jobs]
    for job in jobs:
        if job.error is not None:
            raise job.error
    return [first, *results]


def split(n, work, part):
    """[part(start, stop)] over consecutive slices of range(n), at once when `work` is large."""
    k = min(parts(work), n)
    if k <= 1:  # also an empty batch: one empty part
        return [part(0, n)]
    bounds = [n * i // k for i in range(k + 1)]
    return run_all([lambda a=a, b=b: part(a, b) for a, b in zip(bounds, bounds[1:])])
