"""keras.utils.plot_model draws a model as SVG (and PNG through matplotlib) with its own layout."""
import xml.etree.ElementTree as ET

import pytest

from passos.keras import backend as K
from passos.keras.layers import Conv2D, Dense, Flatten, Input
from passos.keras.models import Model, Sequential
from passos.keras.utils import plot_model, vis_utils

SVG = "{http://www.w3.org/2000/svg}"


def drawing(path):
    root = ET.parse(path).getroot()
    texts = [t.text for t in root.iter(SVG + "text")]
    rects = [(float(r.get("x")), float(r.get("y"))) for r in root.iter(SVG + "rect")]
    return texts, rects, len(list(root.iter(SVG + "line")))


def test_sequential_svg_top_to_bottom_with_shapes(tmp_path):
    K.clear_session()
    model = Sequential([Conv2D(4, 3, input_shape=(8, 8, 1)), Flatten(), Dense(2)])
    plot_model(model, to_file=str(tmp_path / "model.svg"), show_shapes=True)
    texts, rects, arrows = drawing(tmp_path / "model.svg")
    assert texts[:3] == ["conv2d_1_input: InputLayer", "input: (None, 8, 8, 1)",
                         "output: (None, 8, 8, 1)"]
    assert texts[3:6] == ["conv2d_1: Conv2D", "input: (None, 8, 8, 1)", "output: (None, 6, 6, 4)"]
    assert len(rects) == 4 and arrows == 3
    assert [y for _, y in rects] == sorted(y for _, y in rects) and len({x for x, _ in rects}) > 1


def test_functional_left_to_right_and_names_hidden(tmp_path):
    x = Input(shape=(3,), name="features")
    model = Model(x, Dense(1, name="score")(Dense(4, name="hidden")(x)))
    plot_model(model, to_file=tmp_path / "m.svg", show_layer_names=False, rankdir="LR")
    texts, rects, arrows = drawing(tmp_path / "m.svg")
    assert texts == ["InputLayer", "Dense", "Dense"] and arrows == 2
    assert [x for x, _ in rects] == sorted(x for x, _ in rects)
    placed, edges, _, _ = vis_utils.layout(model, rankdir="LR")
    assert edges == [(0, 1), (1, 2)] and placed[0][4] == ["features: InputLayer"]


def test_png_through_matplotlib_and_bad_arguments(tmp_path):
    pytest.importorskip("matplotlib", reason="PNG drawings need matplotlib")
    model = Sequential([Dense(2, input_shape=(3,))])
    plot_model(model, to_file=tmp_path / "model.png")
    assert (tmp_path / "model.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match=r"^plot_model: rankdir must be 'TB' .* got 'BT'"):
        plot_model(model, to_file=tmp_path / "m.svg", rankdir="BT")
    with pytest.raises(ValueError, match=r"passos writes .svg or .png drawings, not .pdf"):
        plot_model(model, to_file=tmp_path / "m.pdf")


def test_vis_utils_is_keras_module_path():
    from passos.keras.utils.vis_utils import plot_model as same
    assert same is plot_model
