"""Keep a training step's large buffers in the process instead of handing them back each step.

glibc gives a freed block above its thresholds (128 KiB at first, then adapting)
back to the system, and maps fresh zeroed pages for the next allocation. A CNN
training step at batch 128 allocates and frees arrays of 3-13 MB every step, some
on worker threads: that cost about 1,000 page faults and 3-6 ms of system time a
step here, and raising the thresholds removed both (faults: 2 a step). Blocks
above 32 MiB are still mapped apart, and at most 128 MiB of free memory stays in
the process.

The thresholds are set once, when passos first computes on threads, and stay
(glibc cannot report the values they replace). Nothing changes where the user set
MALLOC_MMAP_THRESHOLD_ or MALLOC_TRIM_THRESHOLD_, or with another C library.
"""
import ctypes
import functools
import os
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (malloc.h)
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 128 << 20
USER_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")


@functools.lru_cache(maxsize=None)
def keep_freed_buffers():
    """Raise glibc's mmap and trim thresholds, once; True when they were raised."""
    if sys.platform != "linux" or any(name in os.environ for name in USER_SETTINGS):
        return False
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # glibc only: other C libraries take mallopt differently
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and \
        bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
