"""The course's Keras programs run unchanged (imports aside) and learn.

On small synthetic data, and on all of Fashion-MNIST where it is installed
(skipped elsewhere) with the course's recipe (SGD 0.01, batch 32, 2 epochs),
checking the test accuracy PyTorch reaches with the same recipe (0.827
feedforward, 0.800 CNN) within one point.
"""
import re
import runpy
from pathlib import Path

import pytest

import passos

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"
PYTORCH_ACCURACY = {"course_dfn.py": 0.827, "course_cnn.py": 0.800}


def _run(script, capsys):
    passos.random.seed(0)
    runpy.run_path(str(EXAMPLES / script), run_name="__main__")
    out = capsys.readouterr().out
    return float(re.search(r"Test accuracy: ([0-9.]+)", out).group(1)), out


@pytest.mark.parametrize("script", ["course_dfn.py", "course_cnn.py"])
def test_course_program_runs_unchanged(script, capsys, fake_fashion_mnist):
    fake_fashion_mnist(1500, 300)
    accuracy, out = _run(script, capsys)
    assert "Epoch 2/2" in out and "val_accuracy" in out
    assert accuracy > 0.9  # the classes are easy to tell apart


@pytest.mark.parametrize("script", ["course_dfn.py", "course_cnn.py"])
def test_course_program_reaches_pytorch_accuracy(script, capsys, real_fashion_mnist):
    accuracy, _ = _run(script, capsys)
    assert accuracy >= PYTORCH_ACCURACY[script] - 0.01
