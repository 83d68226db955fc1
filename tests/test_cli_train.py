"""`passos train` and `passos evaluate` end to end on a small synthetic Fashion-MNIST."""
import importlib.util
import json

import numpy as np
import pytest

import passos.keras.datasets.fashion_mnist as keras_fashion_mnist
from passos.cli import main
from passos.data import fashion_mnist


@pytest.fixture
def small_data(monkeypatch):
    rng = np.random.default_rng(0)

    def make(n):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = rng.integers(0, 30, (n, 28, 28)).astype(np.uint8)
        for i, c in enumerate(labels):
            images[i, 2 * c:2 * c + 8, 4:24] = 250
        return images, labels
    data = (make(600), make(200))
    for module in (fashion_mnist, keras_fashion_mnist):
        monkeypatch.setattr(module, "load_data", lambda path=None: data)


def test_train_writes_model_metrics_figures_and_logs(small_data, tmp_path, capsys):
    pytest.importorskip("tensorboard", reason="--logdir writes TensorBoard files")
    out = tmp_path / "out"
    main(["train", "--epochs", "2", "--batch-size", "32", "--out", str(out),
          "--logdir", str(tmp_path / "logs"), "--verbose", "2"])
    printed = capsys.readouterr().out
    assert "Epoch 2/2" in printed and "test accuracy:" in printed
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["test_accuracy"] > 0.9 and len(metrics["history"]["loss"]) == 2
    assert (out / "model.passos").stat().st_size > 0
    assert list((tmp_path / "logs" / "train").glob("events.out.tfevents.*"))
    if importlib.util.find_spec("matplotlib"):  # the figures need it; the rest does not
        assert (out / "confusion_matrix.png").read_bytes()[:4] == b"\x89PNG"
    main(["evaluate", str(out / "model.passos")])
    assert "test accuracy:" in capsys.readouterr().out
