"""The progress bar in Jupyter: a tiny notebook executed in a real kernel (nbclient) keeps one
live line per bar, replaced in place, not a line per redraw."""
import pathlib

import pytest

nbformat = pytest.importorskip("nbformat", reason="executing a notebook needs nbformat (the test extra)")
nbclient = pytest.importorskip("nbclient", reason="executing a notebook needs nbclient (the test extra)")
pytest.importorskip("ipykernel", reason="executing a notebook needs ipykernel (the test extra)")

ROOT = pathlib.Path(__file__).resolve().parents[2]

SETUP = f"""\
import sys, time
sys.path.insert(0, {str(ROOT)!r})  # this checkout's passos
import numpy as np
import passos
assert passos.__file__.startswith({str(ROOT)!r}), passos.__file__
from passos.keras.callbacks import Callback
from passos.keras.layers import Dense
from passos.keras.models import Sequential
from passos.keras.utils import Progbar"""

BAR = """\
bar = Progbar(40, interval=0)
for i in range(1, 41):
    bar.update(i, [("loss", 1 / i)])"""

FIT = """\
rng = np.random.default_rng(0)
x, y = rng.normal(size=(200, 3)).astype("float32"), rng.normal(size=(200, 1)).astype("float32")
model = Sequential([Dense(1, input_shape=(3,))])
model.compile(loss="mse", optimizer="sgd")
class Slow(Callback):  # several redraws per epoch
    def on_batch_end(self, batch, logs=None):
        time.sleep(0.004)
history = model.fit(x, y, batch_size=4, epochs=2, verbose=1, callbacks=[Slow()])"""

QUIET = """\
model.fit(x, y, batch_size=4, epochs=2, verbose=2)
print("done")"""


@pytest.fixture(scope="module")
def executed():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c)
                                               for c in (SETUP, BAR, FIT, QUIET)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}}).execute()
    return notebook.cells


def text_lines(cell):
    """Every line the cell's stored outputs hold ('\\r' counts as a line break, as a saved
    notebook keeps each redraw); display outputs as their text/plain."""
    lines = []
    for output in cell.outputs:
        text = output.get("text") or output.get("data", {}).get("text/plain", "")
        lines += [line for line in text.splitlines() if line.strip()]
    return lines


def test_a_bar_is_one_output_replaced_in_place(executed):
    bar = executed[1]
    assert [o.output_type for o in bar.outputs] == ["display_data"]
    (line,) = text_lines(bar)
    assert line.startswith("40/40 [==============================]") and "loss: 0.1070" in line


def test_fit_shows_one_live_line_per_epoch(executed):
    lines = text_lines(executed[2])
    assert len(lines) == 4, lines
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    for line in (lines[1], lines[3]):
        assert line.startswith("200/200 [==============================]") and " - loss: " in line
    assert [o.output_type for o in executed[2].outputs].count("display_data") == 2


def test_verbose_2_stays_one_plain_line_per_epoch(executed):
    lines = text_lines(executed[3])
    assert len(lines) == 5 and lines[-1] == "done"
    assert [line.startswith(" - ") for line in lines[:4]] == [False, True, False, True]
