"""N processes with batch b train a Keras model to the weights one process gets with batch N·b."""
import json
import pathlib

import pytest

from mpi_launch import run

WORKER = pathlib.Path(__file__).with_name("keras_worker.py")


@pytest.mark.parametrize("style, optimizer", [("fit", "sgd"), ("horovod", "adam"),
                                              ("fit", "adam")])
def test_two_processes_match_one_with_the_global_batch(style, optimizer, tmp_path):
    done = run([WORKER, style, optimizer, tmp_path / "record.txt"])
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["size"] == 2
    assert result["moved"] > 0.05            # training did change the weights
    assert result["spread"] == 0.0           # both ranks hold the same weights
    assert result["difference"] < 1e-10      # ... those of one process with batch 2 b
    assert done.stdout.count("Epoch 1/2") == 1  # only rank 0 printed progress
    assert (tmp_path / "record.txt").read_text() == "0\n0\n"  # ... and wrote files
    assert result["metric_spread"] == 0.0   # the logged metrics are the same global means
    assert result["local_ranks"] == 1.0     # 0 + 1: both processes on this machine
