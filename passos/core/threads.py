"""How many BLAS threads the matrix products of a training step use.

At the batch sizes of the course (32 to 128) one OpenBLAS thread is as fast
as two or faster, and it stays fast when another process busies the second
core, where two-thread calls can be many times slower. `blas_threads` limits
BLAS inside a block when the optional `threadpoolctl` package is installed
(pip install 'passos[speed]'); without it, BLAS keeps its own setting.
"""
import contextlib
import functools
import os


@contextlib.contextmanager
def blas_threads(n=None):
    """Limit BLAS to `n` threads in the block (default: $PASSOS_BLAS_THREADS, else 1).

    `n=0` leaves BLAS alone.
    """
    n = int(os.environ.get("PASSOS_BLAS_THREADS", 1)) if n is None else n
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None
    if not n or threadpool_limits is None:
        yield
        return
    with threadpool_limits(limits=n, user_api="blas"):
        yield


def with_blas_threads(method):
    """Run `method` inside `blas_threads()` (used by Keras fit, evaluate and predict)."""
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with blas_threads():
            return method(*args, **kwargs)
    return wrapper
