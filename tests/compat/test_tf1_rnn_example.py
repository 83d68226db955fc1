"""examples/tf1_dynamic_rnn.py: an LSTM through tf.nn.dynamic_rnn learns to count, in quick mode."""
import re
import runpy
import sys
from pathlib import Path

import passos.compat.v1 as tf

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"


def test_dynamic_rnn_example_learns_to_count_ones(capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["tf1_dynamic_rnn.py", "--quick"])
    tf.reset_default_graph()
    try:
        names = runpy.run_path(str(EXAMPLES / "tf1_dynamic_rnn.py"), run_name="__main__")
    finally:
        tf.reset_default_graph()
    out = capsys.readouterr().out
    assert "rnn/basic_lstm_cell/kernel:0 (17, 64)" in out and names["SAMPLES"] == 1024
    losses = [float(v) for v in re.findall(r"loss: ([0-9.]+)", out)]
    assert losses[-1] < 0.1 * losses[0]  # the mean count is ~3, its variance ~3: it falls to ~0.01
    assert float(re.search(r"Test exact counts: ([0-9.]+)", out).group(1)) > 0.9
