"""TF1: N processes through DistributedOptimizer match one process fed the global batches."""
import json
import pathlib

import pytest

from mpi_launch import run

WORKER = pathlib.Path(__file__).with_name("tf1_worker.py")


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_two_processes_match_one_with_the_global_batch(optimizer):
    done = run([WORKER, optimizer])
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["size"] == 2
    assert result["spread"] == 0.0       # broadcast, then the same averaged updates everywhere
    assert result["difference"] < 1e-10
