"""Run a worker script under `mpiexec -n N` (the mpich wheel's, next to this Python), or skip."""
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def mpiexec():
    """The mpiexec to use, or a pytest skip saying what is missing."""
    pytest.importorskip("mpi4py", reason="mpi4py is not installed: pip install 'passos[mpi]'")
    found = shutil.which("mpiexec", path=os.path.dirname(sys.executable)) or shutil.which("mpiexec")
    if found is None:
        pytest.skip("no mpiexec next to this Python or on PATH: pip install 'passos[mpi]' "
                    "(the mpich wheel brings one)")
    return found


def run(args, processes=2, timeout=60, env=None):
    """The finished `mpiexec -n processes python args...` (stdout and stderr as text)."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "PASSOS_THREADS": "1", **(env or {})}
    return subprocess.run([mpiexec(), "-n", str(processes), sys.executable, *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, env=environment,
                          cwd=ROOT)
