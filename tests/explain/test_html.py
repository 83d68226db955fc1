"""passos.explain.html: the step-through pages, checked without a browser (data and markup)."""
import json
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import passos
import passos.graph as g
from passos import cli
from passos.explain import conv2d_steps, pool2d_steps, trace
from passos.explain.cli import IMAGE, KERNEL
from passos.explain.course import backprop_eager, backprop_graph
from passos.explain.html import backprop_html, html, steps_html

COURSE_OUTPUT = [[12, 12, 17], [10, 17, 19], [9, 6, 14]]


def page_data(text):
    """The JSON the page's script reads."""
    found = re.search(r'<script type="application/json" id="steps-data">(.*?)</script>', text, re.S)
    return json.loads(found.group(1).replace("<\\/", "</"))


def numbers(lines):
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", " ".join(lines))]


@pytest.fixture(scope="module")
def course_page(tmp_path_factory):
    path = tmp_path_factory.mktemp("pages") / "course.html"
    assert backprop_html(path) == str(path)
    return path.read_text(encoding="utf-8")


def test_the_page_is_self_contained(course_page):
    assert course_page.startswith("<!DOCTYPE html>")
    outside = set(re.findall(r"https?://[^\s\"'<>)]+", course_page))
    assert outside <= {"http://www.w3.org/2000/svg"}  # the SVG namespace only: no fetches
    assert "<link" not in course_page and "@import" not in course_page
    assert not re.search(r"<script[^>]+src=", course_page) and "@font-face" not in course_page
    for element in ('id="next"', 'id="prev"', 'id="play"', 'id="reset"', 'id="step-counter"',
                    'id="panel"'):
        assert element in course_page
    svg = re.search(r"<svg.*?</svg>", course_page, re.S).group(0)
    ET.fromstring(svg)  # the graph is well-formed XML


def test_the_course_sequence_forward_then_backward_then_the_three_paths(course_page):
    steps = page_data(course_page)["steps"]
    t = trace(backprop_eager())
    computed = [n for n in t.nodes if n.op not in ("input", "parameter", "constant")]
    phases = [s["phase"] for s in steps]
    assert phases == ["forward"] * len(computed) + ["backward"] * (
        1 + sum(len(s.contributions) for s in t.backward)) + ["summary"]
    forward = {s["title"].split(": ", 1)[1].split(" = ")[0]: s for s in steps[:len(computed)]}
    assert numbers(forward["z"]["set"][0][1]) == pytest.approx([0.963, -0.506], abs=1e-3)
    assert numbers(forward["y_hat"]["set"][0][1])[0] == pytest.approx(0.8129, abs=1e-4)
    assert forward["z"]["set"][0][0] == f"#g-node-{t.node('z').id} text.value"
    assert "= [0.963, -0.506] + [0, 0]" in forward["z"]["panel"]  # the formula with numbers
    seed = steps[len(computed)]
    assert seed["title"] == "backward: ∂L/∂L = 1" and seed["set"][0][1] == ["1"]
    # h feeds three ops: ∂L/∂h is the sum of three contributions
    into_h = [s for s in steps if s["title"].startswith("backward: ∂L/∂h +=")]
    assert len(into_h) == 3 and "this is 3 of 3" in into_h[-1]["panel"]
    assert numbers(into_h[0]["set"][1][1]) == pytest.approx([-0.3817, 0], abs=1e-4)
    assert numbers(into_h[-1]["set"][1][1]) == pytest.approx([-0.07142, 0.3103], abs=1e-4)
    # each backward step writes local derivative × incoming gradient on its edge
    edge_text = into_h[0]["set"][0]
    assert edge_text[0].endswith("text.edge-label")
    assert edge_text[1] == ["[0.3103, 0.3103] × [-1.23, 0] = [-0.3817, 0]"]
    into_b = next(s for s in steps if s["title"].startswith("backward: ∂L/∂b +="))
    assert numbers(into_b["set"][1][1]) == pytest.approx([-0.1871, 0.1871], abs=1e-4)
    last = steps[-1]["panel"]
    paths = [float(v) for v in re.findall(r"data-path='\d'>([-\d.e]+)<", last)]
    assert paths == pytest.approx([-0.3817, 0.3103, 0.0], abs=1e-4)
    assert float(re.search(r"data-result='dL/db1'>([-\d.]+)<", last).group(1)) == \
        pytest.approx(-0.1871, abs=1e-4)
    assert "ŷ1 − y1 = 0.8129 − 1 = -0.1871" in last


def unnumbered(step):
    """A step's JSON without node numbers and the _1 suffixes that eager names may get."""
    text = re.sub(r"#g-(node|edge)-[\d-]+", "#g", json.dumps(step, ensure_ascii=False))
    return json.loads(re.sub(r"\b(matmul|log|multiply|sum)_\d+\b", r"\1", text))


def test_the_graph_mode_course_gives_the_same_page(tmp_path, course_page):
    """The same givens, forward steps in order, backward contributions (the two paths
    into h may come in either order) and summary."""
    loss, feed_dict, session = backprop_graph()
    backprop_html(tmp_path / "graph.html", trace(loss, feed_dict, session))
    graph_page = page_data((tmp_path / "graph.html").read_text(encoding="utf-8"))
    eager_page = page_data(course_page)
    rows = [sorted(re.findall(r"<tr>.*?</tr>", page["intro"])) for page in (graph_page, eager_page)]
    assert rows[0] == rows[1] and len(rows[0]) == 4  # W, x, b, y: in either order
    graph_steps, eager_steps = ([unnumbered(s) for s in page["steps"]]
                                for page in (graph_page, eager_page))
    assert len(graph_steps) == len(eager_steps)
    forward = [s for s in eager_steps if s["phase"] == "forward"]
    assert forward and graph_steps[:len(forward)] == forward

    def contributions(steps):
        return sorted((s["title"], [edge[1:] for edge in s.get("edges", [])]) for s in steps
                      if s["phase"] == "backward")  # an edge: [node number, input, label]
    assert contributions(graph_steps) == contributions(eager_steps)
    assert graph_steps[-1]["panel"] == eager_steps[-1]["panel"]


def test_html_of_a_graph_symbol_with_feeds(tmp_path):
    graph = g.Graph()
    with graph.as_default():
        x = g.placeholder("float64", (2,), name="x")
        w = g.Variable([3.0, 4.0], name="w", dtype="float64")
        loss = passos.sum(x * w, name="loss")
    session = g.Session(graph)
    session.run(w.initializer)
    html(loss, tmp_path / "g.html", feed_dict={x: [1.0, 2.0]}, session=session)
    steps = page_data((tmp_path / "g.html").read_text(encoding="utf-8"))["steps"]
    assert numbers(steps[-1]["set"][1][1]) == [1, 2]  # ∂loss/∂w = x


def test_conv_steps_page_has_nine_frames_ending_in_the_course_output(tmp_path):
    steps_html(conv2d_steps(IMAGE, KERNEL), tmp_path / "conv.html")
    text = (tmp_path / "conv.html").read_text(encoding="utf-8")
    data = page_data(text)
    frames = data["frames"]
    assert len(frames) == 9
    assert [[float(v) for v in row] for row in frames[-1]["output_so_far"]] == COURSE_OUTPUT
    assert frames[0]["output_so_far"][0][0] == "12" and frames[0]["output_so_far"][0][1] is None
    assert (frames[4]["top"], frames[4]["left"]) == (1, 1)
    assert frames[0]["products_text"] == [["0", "3", "4"], ["0", "0", "0"], ["0", "1", "4"]]
    assert "= 12" in frames[0]["panel"]
    for grid in ("image-grid", "kernel-grid", "products-grid", "output-grid"):
        assert f"id='{grid}'" in text


def test_pool_steps_pages_mark_padding_and_winners(tmp_path):
    steps_html(pool2d_steps(IMAGE, 3, strides=1, padding="same", mode="max"), tmp_path / "p.html")
    text = (tmp_path / "p.html").read_text(encoding="utf-8")
    data = page_data(text)
    assert len(data["frames"]) == 25 and text.count("class='cell pad'") == 7 * 7 - 5 * 5
    first = data["frames"][0]
    assert first["best"] == [[1, 1]] and first["products_text"][0] == ["", "", ""]
    steps_html(pool2d_steps(IMAGE, 2, mode="avg").to_dict(), tmp_path / "a.html")
    frames = page_data((tmp_path / "a.html").read_text(encoding="utf-8"))["frames"]
    assert len(frames) == 4 and "mean(3, 3, 0, 0) = 6 / 4 = 1.5" in frames[0]["panel"]


def test_a_hand_built_trace_dict_makes_a_page(tmp_path):
    s = lambda v: {"shape": [], "values": v}  # noqa: E731
    picture = {"output": 1, "nodes": [
        {"id": 0, "name": "a", "op": "parameter", "inputs": [], "shape": [], "value": s(2.0),
         "grad": s(4.0), "scope": ""},
        {"id": 1, "name": "L", "op": "square", "inputs": [0], "shape": [], "value": s(4.0),
         "grad": s(1.0), "scope": ""}],
        "forward": [{"node": 1, "formula": "L = square(a)", "value": s(4.0)}],
        "backward": [{"node": 1, "incoming": s(1.0), "contributions": [
            {"input": 0, "local": "∂x²/∂x = 2x", "local_value": s(4.0), "contribution": s(4.0),
             "accumulated": s(4.0)}]}]}
    html(picture, tmp_path / "h.html")
    steps = page_data((tmp_path / "h.html").read_text(encoding="utf-8"))["steps"]
    assert [s["phase"] for s in steps] == ["forward", "backward", "backward"]
    assert steps[-1]["set"][0][1] == ["4 × 1 = 4"]


def test_cli_writes_the_pages_and_draws_a_saved_model(tmp_path, capsys):
    assert cli.main(["explain", "backprop", "--html", str(tmp_path / "b.html")]) == 0
    assert len(page_data((tmp_path / "b.html").read_text(encoding="utf-8"))["steps"]) == 27
    assert cli.main(["explain", "conv", "--html", str(tmp_path / "c.html")]) == 0
    assert len(page_data((tmp_path / "c.html").read_text(encoding="utf-8"))["frames"]) == 9
    assert "wrote" in capsys.readouterr().out
    from passos.keras.layers import Dense
    from passos.keras.models import Sequential
    model = Sequential([Dense(4, activation="relu", input_shape=(3,), name="hidden"),
                        Dense(2, name="out")])
    model.compile(optimizer="sgd", loss="mse")
    model.save(str(tmp_path / "m.passos"))
    assert cli.main(["graph", str(tmp_path / "m.passos"), "-o", str(tmp_path / "m.svg")]) == 0
    svg = (tmp_path / "m.svg").read_text(encoding="utf-8")
    assert 'data-name="hidden"' in svg and "16 params" in svg
    assert cli.main(["graph", str(tmp_path / "m.passos"), "-o", str(tmp_path / "m.dot"),
                     "--expand"]) == 0
    assert "subgraph cluster_" in (tmp_path / "m.dot").read_text(encoding="utf-8")
    assert np.isfinite(model.predict(np.ones((1, 3)))).all()
