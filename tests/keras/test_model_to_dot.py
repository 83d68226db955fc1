"""keras.utils.model_to_dot: a model as a pydot graph with Keras' node labels and edges."""
import shutil
import sys

import pytest

from passos.keras import backend as K
from passos.keras.layers import Concatenate, Dense, Input, TimeDistributed
from passos.keras.models import Model, Sequential
from passos.keras.utils import model_to_dot, vis_utils



@pytest.fixture
def pydot():
    return pytest.importorskip("pydot", reason="model_to_dot builds pydot graphs; pydot is optional "
                                               "(pip install pydot)")


def graph(dot):
    """({node name: label}, [(source label, target label)]) of a pydot graph."""
    labels = {n.get_name(): n.get_label().strip('"') for n in dot.get_nodes()
              if n.get_name() not in ("node", "edge", "graph")}
    edges = [(labels[e.get_source()], labels[e.get_destination()]) for e in dot.get_edges()]
    return labels, edges


def test_sequential_nodes_and_edges(pydot):
    K.clear_session()
    model = Sequential([Dense(4, input_shape=(3,)), Dense(1)])
    dot = model_to_dot(model)
    assert isinstance(dot, pydot.Dot) and dot.get("rankdir") == "TB"
    labels, edges = graph(dot)
    assert list(labels.values()) == ["dense_1_input: InputLayer", "dense_1: Dense", "dense_2: Dense"]
    assert edges == [("dense_1_input: InputLayer", "dense_1: Dense"),
                     ("dense_1: Dense", "dense_2: Dense")]
    text = dot.to_string()
    assert "dense_1: Dense" in text and "0 -> 1" in text and "1 -> 2" in text
    assert "shape=record" in text


def test_two_input_model_with_shapes_left_to_right(pydot):
    a, b = Input(shape=(3,), name="left"), Input(shape=(2,), name="right")
    joined = Concatenate(name="join")([a, b])
    model = Model([a, b], Dense(1, name="out")(joined))
    dot = model_to_dot(model, show_shapes=True, rankdir="LR")
    assert dot.get("rankdir") == "LR"
    labels, edges = graph(dot)
    record = "\n|{input:|output:}|{{%s}|{%s}}"
    assert sorted(labels.values()) == sorted([
        "left: InputLayer" + record % ("(None, 3)", "(None, 3)"),
        "right: InputLayer" + record % ("(None, 2)", "(None, 2)"),
        "join: Concatenate" + record % ("(None, 3)", "(None, 5)"),
        "out: Dense" + record % ("(None, 5)", "(None, 1)")])
    short = sorted((s.split(":")[0], t.split(":")[0]) for s, t in edges)
    assert short == [("join", "out"), ("left", "join"), ("right", "join")]
    assert "(None, 5)" in dot.to_string()


def test_names_hidden_and_wrappers_named_as_keras_does(pydot):
    x = Input(shape=(4, 3), name="steps")
    model = Model(x, TimeDistributed(Dense(2, name="inner"), name="td")(x))
    assert list(graph(model_to_dot(model, show_layer_names=False))[0].values()) == \
        ["InputLayer", "TimeDistributed(Dense)"]
    assert "td(inner): TimeDistributed(Dense)" in graph(model_to_dot(model))[0].values()
    with pytest.raises(ValueError, match=r"^model_to_dot: rankdir must be 'TB', .* got 'up'"):
        model_to_dot(model, rankdir="up")


def test_renders_with_graphviz(pydot):
    if shutil.which("dot") is None:
        pytest.skip("rendering needs Graphviz's `dot` program, which is not on PATH")
    model = Sequential([Dense(2, input_shape=(3,), name="only")])
    svg = model_to_dot(model, show_shapes=True).create(prog="dot", format="svg")
    assert svg.lstrip().startswith(b"<?xml") and b"only: Dense" in svg


def test_missing_pydot_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pydot", None)
    with pytest.raises(ImportError, match=r"model_to_dot .* pip install pydot .*Graphviz"):
        vis_utils.model_to_dot(Sequential([Dense(2, input_shape=(3,))]))
