"""A failing or stuck rank ends the whole MPI job quickly, with that rank's message."""
import pathlib
import time

from mpi_launch import run

WORKER = pathlib.Path(__file__).with_name("fault_worker.py")


def test_an_exception_on_one_rank_aborts_the_job_with_its_message():
    start = time.monotonic()
    done = run([WORKER, "raise"], timeout=60)
    assert done.returncode != 0
    assert time.monotonic() - start < 30
    assert "rank 1 of 2 failed, aborting the job" in done.stderr
    assert "ValueError: planted failure on rank 1" in done.stderr


def test_a_rank_that_never_reaches_a_collective_is_caught_by_the_timeout():
    start = time.monotonic()
    done = run([WORKER, "stall"], timeout=60, env={"PASSOS_MPI_TIMEOUT": "2"})
    assert done.returncode != 0
    assert time.monotonic() - start < 30  # the sleeping rank would take 60 s
    assert "CollectiveTimeout: passos.distributed: rank 0 of 2 waited 2." in done.stderr
    assert "never reached it" in done.stderr
