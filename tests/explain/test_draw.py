"""passos.explain.draw: SVG and DOT of traces, graphs and Keras models; the built-in layout."""
import random
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import passos
import passos.graph as g
from passos.explain import trace
from passos.explain.course import backprop_eager, backprop_graph
from passos.explain.draw import draw, picture_of
from passos.explain.layout import layered_layout
from passos.explain.render import summary_lines
from passos.keras.layers import Dense, Flatten
from passos.keras.models import Sequential

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def course():
    return trace(backprop_eager()).to_dict()


def hand_built():
    """The contract's shape, built by hand: L = a * b with a = 2, b = 3."""
    s = lambda v: {"shape": [], "values": v}  # noqa: E731
    return {"output": 2,
            "nodes": [{"id": 0, "name": "a", "op": "parameter", "inputs": [], "shape": [],
                       "value": s(2.0), "grad": s(3.0), "scope": ""},
                      {"id": 1, "name": "b", "op": "input", "inputs": [], "shape": [],
                       "value": s(3.0), "grad": None, "scope": ""},
                      {"id": 2, "name": "L", "op": "multiply", "inputs": [0, 1], "shape": [],
                       "value": s(6.0), "grad": s(1.0), "scope": ""}],
            "forward": [{"node": 2, "formula": "L = a * b", "value": s(6.0)}],
            "backward": [{"node": 2, "incoming": s(1.0), "contributions": [
                {"input": 0, "local": "∂(a·b)/∂a = b", "local_value": s(3.0),
                 "contribution": s(3.0), "accumulated": s(3.0)}]}]}


def node_groups(svg, key="data-path"):
    """{full node name: its <g>} (key="data-name": the name shown, without the scope)."""
    root = ET.fromstring(svg)
    return {grp.get(key): grp for grp in root.iter(SVG + "g")
            if "node" in (grp.get("class") or "").split()}


def text_of(group, cls):
    """The text of a node's `cls` element(s), its lines joined by single spaces."""
    lines = [line.strip() for t in group.iter(SVG + "text") if t.get("class") == cls
             for line in ([s.text or "" for s in t.iter(SVG + "tspan")] or ["".join(t.itertext())])]
    return " ".join(lines)


def numbers(text):
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)]


# -- SVG --------------------------------------------------------------------------------
def test_svg_of_the_course_holds_every_name_value_and_gradient(course):
    svg = draw(course, show="both")
    groups = node_groups(svg)
    assert len(groups) == len(course["nodes"])
    for node in course["nodes"]:
        group = groups[node["name"]]
        assert node["name"] in text_of(group, "name")
        assert text_of(group, "value") == " ".join(x.strip() for x in summary_lines(node["value"]))
        if node["grad"] is not None:
            grad = " ".join(x.strip() for x in summary_lines(node["grad"]))
            assert text_of(group, "grad") == grad
    assert numbers(text_of(groups["z"], "value")) == pytest.approx([0.963, -0.506], abs=1e-3)
    assert numbers(text_of(groups["y_hat"], "value"))[0] == pytest.approx(0.8129, abs=1e-4)
    assert numbers(text_of(groups["b"], "grad")) == pytest.approx([-0.1871, 0.1871], abs=1e-4)
    assert "output" in groups["L"].get("class")


def test_edges_carry_the_gradient_sent_back(course):
    root = ET.fromstring(draw(course, show="grads"))
    labels = ["".join(t.itertext()) for t in root.iter(SVG + "text")
              if t.get("class") == "edge-label"]
    edges = sum(len(n["inputs"]) for n in course["nodes"])
    assert len(labels) == edges
    assert "[-0.3817, 0]" in labels  # ∂L/∂h through y_hat = h / H directly: the first path


def test_show_values_leaves_gradients_out(course):
    groups = node_groups(draw(course, show="values"))
    assert all(text_of(grp, "grad") == "" for grp in groups.values())
    assert text_of(groups["h"], "value") == "[2.62, 0.6029]"


def test_a_hand_built_dict_and_an_eager_tensor_draw_alike():
    groups = node_groups(draw(hand_built(), show="both"))
    assert set(groups) == {"a", "b", "L"}
    assert text_of(groups["L"], "value") == "6" and text_of(groups["a"], "grad") == "3"
    a = passos.tensor(2.0, requires_grad=True, name="a")
    groups = node_groups(draw(passos.multiply(a, passos.tensor(3.0, name="b"), name="L"),
                              show="both"))
    assert text_of(groups["L"], "value") == "6" and text_of(groups["a"], "grad") == "3"


def test_an_eager_non_scalar_shows_values_without_tracing():
    x = passos.tensor([1.0, 2.0], name="x")
    groups = node_groups(draw(passos.exp(x, name="e")))
    assert numbers(text_of(groups["e"], "value")) == pytest.approx([2.718, 7.389], abs=1e-3)


def test_after_backward_freed_the_graph_it_draws_values_and_the_leaves_grads():
    z = passos.tensor([[2.0, 1.0]], requires_grad=True, name="z")
    loss = passos.softmax_cross_entropy(z, passos.tensor([[1.0, 0.0]]))  # saves for backward
    loss = passos.sum(loss, name="L")
    loss.backward()  # frees what softmax_cross_entropy saved: no trace any more
    groups = node_groups(draw(loss, show="both"))
    assert numbers(text_of(groups["z"], "grad")) == pytest.approx(np.ravel(z.grad), abs=1e-4)
    assert numbers(text_of(groups["L"], "value")) == pytest.approx([0.3133], abs=1e-4)


def test_path_is_written_and_its_suffix_picks_the_format(course, tmp_path):
    svg = draw(course, path=tmp_path / "g.svg")
    assert (tmp_path / "g.svg").read_text(encoding="utf-8") == svg
    dot = draw(course, path=tmp_path / "g.dot")
    assert dot.startswith("digraph") and (tmp_path / "g.dot").read_text(encoding="utf-8") == dot


def test_mistakes_say_what_to_do(course):
    with pytest.raises(ValueError, match="show must be one of values, grads, both"):
        draw(course, show="gradients")
    with pytest.raises(ValueError, match="dot -Tpng"):
        draw(course, fmt="png")
    with pytest.raises(TypeError, match="cannot draw a list"):
        draw([1, 2])


# -- DOT --------------------------------------------------------------------------------
def check_dot(dot):
    """Balanced braces, every edge's ends declared; Graphviz accepts it where installed."""
    assert dot.count("{") == dot.count("}")
    depth = 0
    for ch in dot:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    declared = set(re.findall(r"^\s*(n\d+) \[label=", dot, re.M))
    for a, b in re.findall(r"(n\d+) -> (n\d+)", dot):
        assert a in declared and b in declared
    if shutil.which("dot"):
        done = subprocess.run(["dot", "-Tsvg"], input=dot.encode(), capture_output=True, timeout=60)
        assert done.returncode == 0, done.stderr.decode()
        ET.fromstring(done.stdout)
    return declared


def test_dot_of_the_course_is_valid(course):
    dot = draw(course, fmt="dot", show="both")
    assert len(check_dot(dot)) == len(course["nodes"])
    assert "∂L/∂b [-0.1871, 0.1871]" in dot


def test_dot_has_a_cluster_per_scope():
    dot = draw(small_model(), fmt="dot", expand=True)
    check_dot(dot)
    assert len(re.findall(r"subgraph cluster_\d+", dot)) == 3
    assert 'label="dense_a"' in dot and 'label="dense_b"' in dot


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_graphviz_renders_the_dot_of_a_keras_model():
    dot = draw(small_model(), fmt="dot", expand=True)
    done = subprocess.run(["dot", "-Tsvg"], input=dot.encode(), capture_output=True, timeout=60)
    assert done.returncode == 0 and b"dense_a" in done.stdout


# -- graphs and Keras models ----------------------------------------------------------------
def small_graph():
    graph = g.Graph()
    with graph.as_default():
        x = g.placeholder("float64", (None, 2), name="x")
        with graph.name_scope("layer"):
            w = g.Variable([[1.0], [2.0]], name="w", dtype="float64")
            xw = passos.matmul(x, w, name="xw")
        loss = passos.sum(xw * xw, name="loss")
    return graph, x, loss


def test_a_graph_without_feeds_shows_shapes_and_scopes():
    graph, _, _ = small_graph()
    svg = draw(graph)
    groups = node_groups(svg)
    assert {"x", "layer/w", "layer/xw", "loss"} <= set(groups)
    assert "initializer" not in groups  # bookkeeping nodes are left out
    assert "(None, 2)" in text_of(groups["x"], "op")
    assert text_of(groups["layer/xw"], "value") == ""
    assert 'data-scope="layer"' in svg


def test_a_graph_with_feeds_shows_values_and_a_scalar_symbol_its_gradients():
    graph, x, loss = small_graph()
    groups = node_groups(draw(graph, feed_dict={x: [[1, 2], [3, 4]]}))
    assert numbers(text_of(groups["layer/xw"], "value")) == [5, 11]
    groups = node_groups(draw(loss, feed_dict={x: [[1, 2], [3, 4]]}, show="both"))
    assert numbers(text_of(groups["loss"], "value")) == [146]
    assert numbers(text_of(groups["layer/w"], "grad")) == [76, 108]  # 2 Σ xw·x


def test_the_course_in_graph_mode_draws_like_eager():
    loss, feed_dict, session = backprop_graph()
    groups = node_groups(draw(loss, feed_dict=feed_dict, session=session, show="both"))
    assert numbers(text_of(groups["b"], "grad")) == pytest.approx([-0.1871, 0.1871], abs=1e-4)


def small_model():
    return Sequential([Flatten(input_shape=(2, 2), name="flat"),
                       Dense(3, activation="relu", name="dense_a"), Dense(2, name="dense_b")])


def test_a_keras_model_is_one_box_per_layer_with_shape_and_params():
    model = small_model()
    groups = node_groups(draw(model))
    assert list(groups) == [model.input.name, "flat", "dense_a", "dense_b"]
    assert text_of(groups["dense_a"], "info") == "15 params"
    assert text_of(groups["dense_a"], "op") == "Dense (None, 3)"
    assert text_of(groups[model.input.name], "op") == "(None, 2, 2)"
    groups = node_groups(draw(model, feed_dict=np.ones((1, 2, 2))))  # a batch: layer outputs
    assert numbers(text_of(groups["dense_b"], "value")) == pytest.approx(
        np.ravel(model.predict(np.ones((1, 2, 2)), verbose=0)), abs=1e-3)


def test_expand_shows_the_ops_inside_each_layer_box():
    model = small_model()
    picture = picture_of(model, expand=True)
    scopes = {n["name"]: n["scope"] for n in picture["nodes"]}
    assert scopes["dense_a/kernel"] == "dense_a" and scopes["dense_a/matmul"] == "dense_a"
    assert scopes["dense_a/relu"] == "dense_a" and scopes["dense_b/bias"] == "dense_b"
    svg = draw(model, expand=True, feed_dict=np.ones((1, 2, 2)))
    root = ET.fromstring(svg)
    clusters = [c.get("data-scope") for c in root.iter(SVG + "g") if c.get("data-scope")]
    assert sorted(clusters) == ["dense_a", "dense_b", "flat"]
    out = model.predict(np.ones((1, 2, 2)), verbose=0)
    assert numbers(text_of(node_groups(svg)["dense_b/add"], "value")) == pytest.approx(
        np.ravel(out), abs=1e-3)


def test_an_unbuilt_model_says_how_to_build_it():
    with pytest.raises(ValueError, match="input_shape"):
        draw(Sequential([Dense(2)]))


# -- layout ---------------------------------------------------------------------------------
def random_dag(n, seed=0):
    r = random.Random(seed)
    edges = [(u, v) for v in range(1, n)
             for u in r.sample(range(max(0, v - 8), v), min(v, r.choice([1, 1, 2, 3])))]
    sizes = [(r.randint(40, 200), r.randint(20, 70)) for _ in range(n)]
    scopes = [(f"block{v // 12}",) + ((f"sub{v % 2}",) if v % 5 == 0 else ()) if v % 4 else ()
              for v in range(n)]
    return sizes, edges, scopes


def overlapping(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("rankdir", ["TB", "LR"])
def test_layout_of_100_nodes_has_no_overlapping_boxes(rankdir):
    sizes, edges, scopes = random_dag(100)
    labels = [(60, 15) if e % 3 == 0 else None for e in range(len(edges))]
    lay = layered_layout(sizes, edges, scopes, rankdir=rankdir, label_sizes=labels)
    boxes = [lay.box(i) for i in range(100)]
    assert not [(i, j) for i in range(100) for j in range(i + 1, 100)
                if overlapping(boxes[i], boxes[j])]
    # labels keep clear of the boxes too
    for at, size in zip(lay.labels, labels):
        if size is not None:
            box = (at[0], at[1], at[0] + size[0], at[1] + size[1])
            assert not any(overlapping(box, b) for b in boxes)
    # sibling clusters do not overlap, and each holds its nodes
    clusters = {path: (x0, y0, x1, y1) for path, x0, y0, x1, y1 in lay.clusters}
    tops = [p for p in clusters if len(p) == 1]
    assert not [(a, b) for a in tops for b in tops
                if a < b and overlapping(clusters[a], clusters[b])]
    for i, scope in enumerate(scopes):
        for d in range(1, len(scope) + 1):
            c, b = clusters[scope[:d]], boxes[i]
            assert c[0] <= b[0] and c[1] <= b[1] and b[2] <= c[2] and b[3] <= c[3]
        for path, c in clusters.items():  # no node sits inside a cluster it is not in
            if scope[:len(path)] != path:
                assert not overlapping(c, boxes[i]), (i, path)
    # every edge points along the flow and ends on its boxes
    axis = 1 if rankdir == "TB" else 0
    for (u, v), points in zip(edges, lay.edges):
        assert points[0][axis] == pytest.approx(boxes[u][axis + 2])
        assert points[-1][axis] == pytest.approx(boxes[v][axis])
        assert all(a[axis] <= b[axis] + 1e-6 for a, b in zip(points, points[1:]))
    assert lay.width >= max(b[2] for b in boxes) and lay.height >= max(b[3] for b in boxes)


def test_layout_puts_weights_next_to_their_consumer_and_rejects_cycles():
    # 0 -> 1 -> 2 -> 3, and a weight 4 used only by 3
    lay = layered_layout([(40, 20)] * 5, [(0, 1), (1, 2), (2, 3), (4, 3)])
    assert lay.positions[4][1] == pytest.approx(lay.positions[2][1])
    with pytest.raises(ValueError, match="cycle"):
        layered_layout([(40, 20)] * 2, [(0, 1), (1, 0)])


def test_a_compiled_plan_is_drawn_as_run_with_the_fused_ops():
    graph = g.Graph()
    with graph.as_default():
        x = g.placeholder("float32", (None, 3), name="x")
        w = g.Variable(np.ones((3, 4), np.float32), name="w")
        b = g.Variable(np.zeros(4, np.float32), name="b")
        loss = passos.mean(passos.relu(passos.matmul(x, w) + b))
        grads = g.gradients(loss, [w, b])
    plan = g.Session(graph).make_callable([loss, *grads], [x]).plan
    as_written = {n["op"] for n in picture_of(graph)["nodes"]}
    as_run = {n["op"] for n in picture_of(plan)["nodes"]}
    assert {"matmul", "add", "relu"} <= as_written and "dense" not in as_written
    assert "dense" in as_run and not {"matmul", "relu"} & as_run
    assert draw(plan, fmt="dot").count("dense") >= 1
    with pytest.raises(ValueError, match="as run, without values"):
        draw(plan, feed_dict={x: np.ones((1, 3), np.float32)})
