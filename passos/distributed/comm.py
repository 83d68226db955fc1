"""The MPI world: which process this is, and collectives that never hang silently.

Every collective is started non-blocking and waited for with a deadline (`init(timeout=...)`,
or the environment's PASSOS_MPI_TIMEOUT seconds, 300 by default): a process that never reaches
it raises `CollectiveTimeout` naming the collective, instead of waiting for ever. Once `init`
has run in a job of several processes, an uncaught exception on any rank prints that rank's
traceback and aborts the whole job (`MPI_Abort`), so the others never wait in a collective for
a process that is gone; and the processes on one machine share its cores (PASSOS_THREADS).
"""
import os
import sys
import time
import traceback

import numpy as np

_state = {"comm": None, "timeout": None, "quiet": True, "local": None}


class CollectiveTimeout(RuntimeError):
    """A collective waited longer than the timeout: some process never reached it."""


def _mpi():
    try:
        from mpi4py import MPI
    except ImportError:
        raise ImportError("passos.distributed needs mpi4py and an MPI library: "
                          "pip install 'passos[mpi]' (mpi4py and the mpich wheels)") from None
    return MPI


def init(timeout=None, quiet=None):
    """Join the MPI job (once; later calls change only the settings they give).

    timeout: seconds a collective may wait for the other processes before raising
    `CollectiveTimeout` (default: PASSOS_MPI_TIMEOUT, else 300). quiet (default True): only
    rank 0 prints progress and writes files in `fit` and `passos train`; False lets every
    rank do so.
    """
    if timeout is None:
        timeout = _state["timeout"] or _environment_timeout()
    if not (isinstance(timeout, (int, float)) and timeout > 0):
        raise ValueError(f"passos.distributed.init: timeout must be a positive number of "
                         f"seconds, got {timeout!r}")
    _state["timeout"] = float(timeout)
    if quiet is not None:
        _state["quiet"] = bool(quiet)
    if _state["comm"] is None:
        MPI = _mpi()
        _state["comm"] = MPI.COMM_WORLD
        if _state["comm"].Get_size() > 1:
            _abort_on_uncaught_exceptions()
            _share_the_cores()


def launched():
    """True when an MPI launcher started this process as one of several (PMI_SIZE, from
    MPICH's mpiexec, or Open MPI's OMPI_COMM_WORLD_SIZE, above 1); needs no mpi4py."""
    return any(os.environ.get(name, "1").isdigit() and int(os.environ[name]) > 1
               for name in ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE") if name in os.environ)


def _environment_timeout():
    text = os.environ.get("PASSOS_MPI_TIMEOUT", "300")
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"passos.distributed: PASSOS_MPI_TIMEOUT must be a number of seconds, "
                         f"got {text!r}") from None


def _comm():
    if _state["comm"] is None:
        init()
    return _state["comm"]


def rank():
    """This process's number in the job, 0 .. size() - 1 (0 writes the files)."""
    return _comm().Get_rank()


def size():
    """How many processes train together (1 when run without mpiexec)."""
    return _comm().Get_size()


def local_rank():
    """This process's number among the job's processes on the same machine."""
    if _state["local"] is None:
        MPI = _mpi()
        _state["local"] = _comm().Split_type(MPI.COMM_TYPE_SHARED)
    return _state["local"].Get_rank()


def quiet():
    """True when this process should neither print progress nor write files (rank != 0)."""
    return _state["quiet"] and rank() != 0


def allreduce_(buffer, what="allreduce"):
    """Sum `buffer` (a contiguous NumPy array) over all processes, in place; returns it."""
    comm = _comm()
    if comm.Get_size() > 1:
        _wait(comm.Iallreduce(_mpi().IN_PLACE, buffer), what)
    return buffer


def broadcast_(buffer, root=0, what="broadcast"):
    """Overwrite `buffer` (a contiguous NumPy array) with root's, in place; returns it."""
    comm = _comm()
    n = comm.Get_size()
    if not (isinstance(root, (int, np.integer)) and 0 <= root < n):
        raise ValueError(f"passos.distributed: {what}: root must be a rank in 0..{n - 1}, "
                         f"got {root!r}")
    if n > 1:
        _wait(comm.Ibcast(buffer, root=int(root)), what)
    return buffer


def barrier(what="barrier"):
    """Wait until every process gets here (with the timeout)."""
    comm = _comm()
    if comm.Get_size() > 1:
        _wait(comm.Ibarrier(), what)


def _wait(request, what):
    """Wait for `request`: spin as MPI's blocking calls do for 20 ms (MPICH progresses a
    non-blocking collective only inside Test), then sleep in growing steps up to 1 ms, so a
    long wait for a slow rank leaves the core to others."""
    if request.Test():
        return
    start = time.monotonic()
    deadline, pause = start + _state["timeout"], 0.0
    while not request.Test():
        now = time.monotonic()
        if now > deadline:
            raise CollectiveTimeout(
                f"passos.distributed: rank {rank()} of {size()} waited {now - start:.1f} s in "
                f"{what} for the other processes; one of them never reached it (stuck, failed "
                f"without MPI noticing, or running different code). Raise the limit with "
                f"passos.distributed.init(timeout=...) or PASSOS_MPI_TIMEOUT=seconds")
        if now - start > 0.02:
            time.sleep(pause)
            pause = min(2 * pause or 1e-5, 1e-3)


def _share_the_cores():
    """The processes on one machine split its cores (PASSOS_THREADS each, unless already set):
    N processes computing on all cores each would slow every one of them down."""
    if "PASSOS_THREADS" not in os.environ:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
            (os.cpu_count() or 1)
        local_rank()
        os.environ["PASSOS_THREADS"] = str(max(1, cores // _state["local"].Get_size()))


def _abort_on_uncaught_exceptions():
    """An uncaught exception on one rank prints it, tagged with the rank, and ends the job."""
    def hook(kind, value, tb):
        message = "".join(traceback.format_exception(kind, value, tb))
        who = f"passos.distributed: rank {rank()} of {size()} failed, aborting the job:\n"
        try:
            sys.stderr.write(who + message)
            sys.stderr.flush()
        finally:
            _comm().Abort(1)

    sys.excepthook = hook
