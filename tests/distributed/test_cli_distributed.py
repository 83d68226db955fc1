"""`mpiexec -n 2 passos train`: global batch 2 x 16, one writer."""
import json
import pathlib

from mpi_launch import run

WORKER = pathlib.Path(__file__).with_name("cli_worker.py")


def test_mpiexec_passos_train_trains_once_and_writes_once(tmp_path):
    done = run([WORKER, tmp_path / "out"], timeout=120)
    assert done.returncode == 0, done.stderr
    printed = done.stdout
    assert printed.count("passos train: dfn, 600 images, 2 epochs, batch 16 x 2 processes, "
                         "sgd lr 0.1") == 1  # sgd: the learning rate scaled by N
    assert printed.count("Epoch 2/2") == 1 and printed.count("test accuracy:") == 1
    assert printed.count(" - val_loss: ") == 2  # the epoch lines count this rank's samples
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["processes"] == 2 and metrics["global_batch_size"] == 32
    assert metrics["settings"]["lr"] == 0.1 and metrics["test_accuracy"] > 0.8
    assert (tmp_path / "out" / "model.passos").stat().st_size > 0
