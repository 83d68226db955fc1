"""passos.explain.check_gradients: finite differences at every node; a broken vjp is caught and named."""
import numpy as np
import pytest

import passos
import passos.graph as g
from passos.core.apply import apply
from passos.core.op import ElementwiseOp
from passos.explain import check_gradients
from passos.explain.course import backprop_eager, backprop_graph
from passos.gradcheck import GradientCheckError


class BrokenCube(ElementwiseOp):
    """x³ with a wrong vjp (x² instead of 3x²): what an op writer might get wrong."""

    kind = "cube"

    def forward(self, x):
        return x ** 3

    def vjp(self, gy, xs, y, saved, needs):
        return (gy * xs[0] ** 2,)


class Cube(BrokenCube):
    def vjp(self, gy, xs, y, saved, needs):
        return (gy * 3 * xs[0] ** 2,)


def test_course_example_passes_in_both_modes():
    report = check_gradients(backprop_eager())
    assert report.ok and bool(report) and report.first is None
    assert len(report.checked) == 15 and "x" in report.checked and "L" in report.checked
    assert "agree" in str(report)
    loss, feed_dict, session = backprop_graph()
    assert check_gradients(loss, feed_dict, session=session).ok


def test_float32_graph_is_checked_in_float64():
    rng = np.random.default_rng(0)
    x = passos.tensor(rng.normal(size=(3, 4)), requires_grad=True, name="x")  # float32
    w = passos.tensor(rng.normal(size=(4, 2)), requires_grad=True, name="w")
    logits = passos.matmul(passos.tanh(x), w)
    loss = passos.mean(passos.softmax_cross_entropy(logits, np.eye(2)[[0, 1, 1]]))
    report = check_gradients(loss)
    assert report.ok, str(report)


def test_a_correct_custom_op_passes():
    x = passos.tensor([0.1, 0.2, 0.3], dtype="float64", requires_grad=True, name="x")
    assert check_gradients(passos.sum(passos.tanh(apply(Cube(), x * 2, name="c")))).ok


def test_a_broken_vjp_is_caught_and_the_op_is_named():
    x = passos.tensor([0.1, 0.2, 0.3], dtype="float64", requires_grad=True, name="x")
    loss = passos.sum(passos.tanh(apply(BrokenCube(), x * 2, name="c")), name="L")
    report = check_gradients(loss)
    assert not report.ok
    # the first disagreeing node in forward order is x, upstream of the broken op
    first = report.first
    assert first.name == "x" and first.op == "parameter" and first.count == 3
    assert first.analytic == pytest.approx(first.numeric / 3, rel=1e-4)
    assert [m.name for m in report.mismatches] == ["x", "multiply_1"]
    twice = report.mismatches[1]
    assert twice.input_shapes == [(3,), ()] and twice.index in [(0,), (1,), (2,)]
    # the suspect is the op whose own gradient is right but whose vjp sends a wrong one
    name, kind, shapes, to = report.suspect
    assert (name, kind, shapes, to) == ("c", "cube", [(3,)], "multiply_1")
    assert "check cube's vjp" in str(report)
    with pytest.raises(GradientCheckError, match="Suspect op: 'c'"):
        check_gradients(loss, raise_error=True)


def test_a_broken_vjp_in_graph_mode():
    graph = g.Graph()
    with graph.as_default():
        x = g.placeholder("float64", (2,), name="x")
        w = g.Variable(np.array([0.3, -0.2]), name="w", dtype="float64")
        loss = passos.sum(apply(BrokenCube(), x * w, name="c"))
        init = g.global_variables_initializer()
    session = g.Session(graph)
    session.run(init)
    report = check_gradients(loss, {x: [1.0, 2.0]}, session=session)
    assert report.suspect[:2] == ("c", "cube")
    assert {m.name for m in report.mismatches} == {"x", "w", "multiply"}


def test_max_elements_samples_large_nodes():
    x = passos.tensor(np.linspace(0.1, 1, 50), dtype="float64", requires_grad=True)
    report = check_gradients(passos.sum(passos.exp(x)), max_elements=5)
    assert report.ok
