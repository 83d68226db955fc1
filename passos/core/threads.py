"""How many CPU threads a training step uses, and how.

At the course's batch sizes most products are small: one OpenBLAS thread
is as fast as two, and BLAS's own threads spin between calls and stall
when the other core is shared or busy. So inside `compute_threads` BLAS is
held to one thread, and the large ops (convolutions, pooling, a product's
two gradients) split their work over the cores instead (see parallel.py).
Holding BLAS needs the optional `threadpoolctl` package (pip install
'passos[speed]'); without it, BLAS keeps its own setting and ops run whole.
"""
import contextlib
import functools
import os

from . import parallel

_current = None  # the thread count of the innermost compute_threads block


@functools.lru_cache(maxsize=None)
def _blas_controllers():
    """The BLAS libraries loaded (found once: the search takes 0.4 ms, a short predict's time)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return ()
    return tuple(ThreadpoolController().select(user_api="blas").lib_controllers)


@contextlib.contextmanager
def compute_threads(n=None):
    """Compute on `n` threads in the block: BLAS on one, large ops split into `n` parts.

    `n` defaults to the enclosing block's count, else $PASSOS_THREADS, else
    the threads BLAS itself would use (all cores, unless OPENBLAS_NUM_THREADS
    or OMP_NUM_THREADS say fewer).
    """
    global _current
    controllers = _blas_controllers()
    if not controllers:
        yield
        return
    before = [c.num_threads for c in controllers]
    if n is None:  # inside another compute_threads block, keep its count
        n = _current or int(os.environ.get("PASSOS_THREADS", 0)) or max(before)
    if n < 1:
        raise ValueError(f"compute_threads: needs at least 1 thread, got {n}")
    for c in controllers:
        c.set_num_threads(1)
    outer, _current = _current, n
    try:
        with parallel.threads(n):
            yield
    finally:
        _current = outer
        for c, count in zip(controllers, before):
            c.set_num_threads(count)


def with_compute_threads(method):
    """Run `method` inside `compute_threads()` (used by Keras fit, evaluate and predict)."""
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with compute_threads():
            return method(*args, **kwargs)
    return wrapper
