"""How many CPU threads a training step uses, and how.

At the course's batch sizes most products are small: one OpenBLAS thread
is as fast as two, and BLAS's own threads spin between calls and stall
when the other core is shared or busy. So inside `compute_threads` BLAS is
held to one thread, and plans split the large ops (convolutions, pooling, a
product's two gradients) over the cores instead (see schedule.py).
Holding BLAS needs the optional `threadpoolctl` package (pip install
'passos[speed]'); without it, BLAS keeps its own setting and ops run whole.
"""
import contextlib
import functools
import os
import threading

from . import memory, parallel

_current = threading.local()  # .count: this thread's innermost compute_threads count


@functools.lru_cache(maxsize=None)
def _blas_controllers():
    """The BLAS libraries loaded (found once: the search takes 0.4 ms, a short predict's time)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return ()
    return tuple(ThreadpoolController().select(user_api="blas").lib_controllers)


def _read_blas():
    return [c.num_threads for c in _blas_controllers()]


def _write_blas(counts):
    for c, count in zip(_blas_controllers(), counts):
        # threadpoolctl lets only one "controlling" thread set OpenBLAS's shared pool and
        # silently ignores the rest; `_blas` already serialises our writes, so take control
        # when ignored, and give it up after, as threadpool_limits does
        release = getattr(type(c), "clear_controlling_thread", None)
        c.set_num_threads(count)
        if release is not None:
            if c.num_threads != count:
                release(force=True)
                c.set_num_threads(count)
            release()


# BLAS's thread count is one per process: one thread while any block is open
_blas = parallel.ProcessSetting(_read_blas, _write_blas, lambda counts: [1] * len(counts))


@contextlib.contextmanager
def compute_threads(n=None):
    """Compute on `n` threads in the block: BLAS on one, large ops split into `n` parts.

    `n` defaults to the enclosing block's count, else $PASSOS_THREADS, else
    the threads BLAS itself would use (all cores, unless OPENBLAS_NUM_THREADS
    or OMP_NUM_THREADS say fewer). Safe in several threads at once: the count
    is the calling thread's, and BLAS gets its own count back when the last
    open block (of any thread) ends. The first block also keeps large freed
    buffers in the process (memory.py), for good.
    """
    outer = getattr(_current, "count", None)
    if outer is not None and n in (None, outer):  # inside this thread's block: nothing changes
        yield
        return
    memory.keep_freed_buffers()
    if not _blas_controllers():
        yield
        return
    with _blas.held() as before:
        if n is None:
            n = int(os.environ.get("PASSOS_THREADS", 0)) or max(before)
        if n < 1:
            raise ValueError(f"compute_threads: needs at least 1 thread, got {n}")
        _current.count = n
        try:
            with parallel.threads(n):
                yield
        finally:
            _current.count = outer


def with_compute_threads(method):
    """Run `method` inside `compute_threads()` (used by Keras fit, evaluate and predict)."""
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with compute_threads():
            return method(*args, **kwargs)
    return wrapper
