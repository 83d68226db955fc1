"""passos.core.autodiff.walk: the one backward walk, its order, sums and observer hook."""
import numpy as np
import pytest

import passos
import passos.graph as g
from passos.explain import trace
from passos.core import apply, autodiff
from passos.core.autodiff import reverse_topological, walk


class N:
    """A node of a hand-made graph: inputs and the local derivative towards each."""

    def __init__(self, name, *inputs, local=()):
        self.name, self.inputs, self.local = name, inputs, local


def diamond():
    """x feeds a = 2x and b = 3x; y = a + b + x: three paths from y to x."""
    x = N("x")
    a, b = N("a", x, local=(2.0,)), N("b", x, local=(3.0,))
    return x, N("y", a, b, x, local=(1.0, 1.0, 1.0))


def test_order_puts_every_node_before_its_inputs():
    x, y = diamond()
    order = reverse_topological(y, lambda n: n.inputs)
    assert [n.name for n in order] == ["y", "a", "b", "x"]


def test_walk_sums_the_paths_and_the_observer_sees_every_step():
    x, y = diamond()
    seen, totals = [], {}

    def step(node, grad):
        totals[node.name] = grad
        return [(i, grad * d) for i, d in zip(node.inputs, node.local)] or None

    def observe(node, grad, sent):
        seen.append((node.name, grad, [(k, i.name, gx, total) for k, i, gx, total in sent]))

    left = walk(reverse_topological(y, lambda n: n.inputs), {id(y): 1.0}, step, observe)
    assert left == {} and totals == {"y": 1.0, "a": 1.0, "b": 1.0, "x": 6.0}
    assert seen == [("y", 1.0, [(0, "a", 1.0, 1.0), (1, "b", 1.0, 1.0), (2, "x", 1.0, 1.0)]),
                    ("a", 1.0, [(0, "x", 2.0, 3.0)]),
                    ("b", 1.0, [(0, "x", 3.0, 6.0)])]  # x is a leaf: its step sends nothing


def test_walk_returns_gradients_that_reached_no_node_of_the_order():
    x, y = diamond()
    left = walk([y], {id(y): 1.0}, lambda node, grad: [(i, grad) for i in node.inputs])
    assert sorted(left.values()) == [1.0, 1.0, 1.0]


def test_eager_graph_and_trace_walks_agree_bit_for_bit():
    """One walk, three clients: backward(), gradients() and trace() give the same sums."""
    w0 = np.array([[0.3, -1.2], [0.8, 0.5]])
    w = passos.tensor(w0, dtype="float64", requires_grad=True)
    h = passos.tanh(passos.matmul(w, w))
    loss = passos.sum(h * passos.exp(h) + h)  # h feeds three ops
    t = trace(loss)
    loss.backward()
    graph = g.Graph()
    with graph.as_default():
        v = g.placeholder("float64", (2, 2))
        hv = passos.tanh(passos.matmul(v, v))
        (grad,) = g.gradients(passos.sum(hv * passos.exp(hv) + hv), [v])
    np.testing.assert_array_equal(t.grad(0), w.grad)
    np.testing.assert_array_equal(g.Session(graph).run(grad, {v: w0}), w.grad)


def test_debug_hooks_see_each_eager_forward_and_backward_step(monkeypatch):
    forward, backward = [], []
    monkeypatch.setattr(apply, "observers", [lambda op, xs, out, name: forward.append(name)])
    monkeypatch.setattr(autodiff, "observers", [
        lambda t, g, sent: backward.append((t.name, [gx.tolist() for _, _, gx, _ in sent]))])
    x = passos.tensor([3.0], requires_grad=True, name="x")
    passos.sum(passos.square(x, name="sq"), name="total").backward()
    assert forward == ["sq", "total"]
    assert backward == [("total", [[1.0]]), ("sq", [[6.0]])]


def test_check_numerics_is_an_observer_of_the_eager_walk():
    x = passos.tensor([0.0, 1.0], requires_grad=True)
    y = passos.sum(passos.sqrt(x))
    with passos.debug.check_numerics():
        with pytest.raises(passos.debug.NonFiniteError, match="'sqrt'.*backward"):
            y.backward()
