"""In a real Jupyter kernel (a tiny notebook executed with nbclient) passos' objects show
themselves: the richest output each gives is the one Jupyter stores."""
import base64
import pathlib

import pytest

nbformat = pytest.importorskip("nbformat", reason="executing a notebook needs nbformat (the test extra)")
nbclient = pytest.importorskip("nbclient", reason="executing a notebook needs nbclient (the test extra)")
pytest.importorskip("ipykernel", reason="executing a notebook needs ipykernel (the test extra)")
pytest.importorskip("matplotlib", reason="the plot cells need matplotlib (the plots extra)")

ROOT = pathlib.Path(__file__).resolve().parents[1]

CELLS = {
    "setup": f"import sys\nsys.path.insert(0, {str(ROOT)!r})  # this checkout's passos\n"
             "from passos.explain import trace, draw, conv2d_steps, html\n"
             "from passos.explain.course import backprop_eager\n"
             "from passos.plots import plot_history",
    "trace": "trace(backprop_eager())",
    "draw": "draw(backprop_eager())",
    "player": "html(backprop_eager())",
    "frames": "conv2d_steps([[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 0], [0, 1]])",
    "model": "from passos.keras.models import Sequential\nfrom passos.keras.layers import Dense\n"
             "Sequential([Dense(2, input_shape=(3,))])",
    "plot": "plot_history({'loss': [1.0, 0.5, 0.2]})",
    "pyplot": "import matplotlib.pyplot as plt\nplot_history({'loss': [1.0, 0.5, 0.2]})",
}


@pytest.fixture(scope="module")
def outputs():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS.values()])
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}}).execute()
    return {name: cell.outputs for name, cell in zip(CELLS, notebook.cells)}


def shown(outputs, name):
    """The one output of a cell: {mime type: content}."""
    (output,) = outputs[name]
    assert output.output_type == "execute_result"
    return output.data


def test_a_trace_shows_its_table(outputs):
    data = shown(outputs, "trace")
    assert "<table>" in data["text/html"] and "[-0.1871, 0.1871]" in data["text/html"]


def test_a_drawing_shows_its_svg(outputs):
    assert shown(outputs, "draw")["image/svg+xml"].startswith("<svg")


@pytest.mark.parametrize("name", ["player", "frames"])
def test_a_step_through_plays_inline(outputs, name):
    assert shown(outputs, name)["text/html"].startswith("<iframe ")


def test_a_model_shows_its_summary(outputs):
    page = shown(outputs, "model")["text/html"]
    assert "Output Shape" in page and "Total params: 8" in page


@pytest.mark.parametrize("name", ["plot", "pyplot"])  # without pyplot, and with its inline backend
def test_a_plot_shows_itself_once(outputs, name):
    png = base64.b64decode(shown(outputs, name)["image/png"])
    assert png[:4] == b"\x89PNG"
