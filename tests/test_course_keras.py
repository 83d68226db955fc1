"""The course's Keras programs run unchanged (imports aside) and learn.

By default on a slice of the data (fast); with PASSOS_LONG_TESTS=1 on all of
Fashion-MNIST with the course's recipe, checking the test accuracy PyTorch
reaches with the same recipe here (0.827 feedforward, 0.800 CNN) within one point.
"""
import os
import re
import runpy
from pathlib import Path

import pytest

import passos
from passos.data import fashion_mnist

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
LONG = os.environ.get("PASSOS_LONG_TESTS") == "1"
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


@pytest.mark.skipif(not LONG, reason="full Fashion-MNIST training: set PASSOS_LONG_TESTS=1")
@pytest.mark.parametrize("script", ["course_dfn.py", "course_cnn.py"])
def test_course_program_reaches_pytorch_accuracy(script, capsys):
    try:
        fashion_mnist.load_data()
    except FileNotFoundError as error:
        pytest.skip(str(error))
    accuracy, _ = _run(script, capsys)
    assert accuracy >= PYTORCH_ACCURACY[script] - 0.01
