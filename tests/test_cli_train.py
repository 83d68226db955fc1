"""`passos train` and `passos evaluate` end to end on a small synthetic Fashion-MNIST."""
import importlib.util
import json

import pytest

from passos.cli import main


def test_train_writes_model_metrics_figures_and_logs(fake_fashion_mnist, tmp_path, capsys):
    fake_fashion_mnist(600, 200, noise=30)
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
