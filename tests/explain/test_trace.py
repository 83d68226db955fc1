"""passos.explain.trace: the course's worked example step by step, eager and graph; the JSON contract."""
import json

import numpy as np
import pytest

import passos
import passos.graph as g
from passos.core.op import Op
from passos.course import backprop
from passos.explain import trace
from passos.explain.course import backprop_eager, backprop_graph
from passos.explain.formulas import FORMULAS, family, local_formulas


def course_traces():
    loss, feed_dict, session = backprop_graph()
    return {"eager": trace(backprop_eager()), "graph": trace(loss, feed_dict, session)}


@pytest.fixture(scope="module")
def traces():
    return course_traces()


@pytest.mark.parametrize("mode", ["eager", "graph"])
def test_forward_values_match_the_course(traces, mode, course_by_hand):
    t = traces[mode]
    z, h, H, y_hat, L = course_by_hand()
    np.testing.assert_allclose(t.value("z"), [0.963, -0.506], rtol=0, atol=1e-15)
    np.testing.assert_allclose(t.value("h"), h, rtol=1e-15)
    assert float(t.value("H")) == pytest.approx(H, rel=1e-15)
    np.testing.assert_allclose(t.value("y_hat"), y_hat, rtol=1e-15)
    assert float(t.value("L")) == pytest.approx(L, rel=1e-14)
    formulas = {t.nodes[s.node].name: s.formula for s in t.forward}
    assert formulas["h"] == "h = exp(z)"
    assert formulas["y_hat"] == "y_hat = h / H"
    assert formulas["W"] == "W (parameter)" and formulas["x"] == "x (input)"
    ops = {n.name: n.op for n in t.nodes}
    assert ops["W"] == ops["b"] == "parameter" and ops["x"] == ops["y"] == "input"
    assert ops["y_hat"] == "divide" and ops["L"] == "negative"
    # topological: every input comes before the node that uses it
    position = {s.node: k for k, s in enumerate(t.forward)}
    assert all(position[i] < position[n.id] for n in t.nodes for i in n.inputs)
    assert t.forward[-1].node == t.output and t.nodes[t.output].name == "L"


@pytest.mark.parametrize("mode", ["eager", "graph"])
def test_backward_steps_match_the_course(traces, mode, course_by_hand):
    t = traces[mode]
    z, h, H, y_hat, L = course_by_hand()
    np.testing.assert_allclose(t.grad("y_hat"), [-1 / y_hat[0], 0.0], rtol=1e-14)
    dH = sum(-(yi / p) * (-hv / H**2) for yi, p, hv in zip([1, 0], y_hat, h))
    assert float(t.grad("H")) == pytest.approx(dH, rel=1e-14)
    assert t.grad("h")[0] == pytest.approx(-(1 / y_hat[0]) / H + dH, rel=1e-13)
    assert t.grad("b")[0] == pytest.approx(y_hat[0] - 1, rel=1e-13)
    assert round(float(t.grad("b")[0]), 2) == -0.19
    assert t.grad("x") is None and t.grad("y") is None  # inputs get no gradient by default
    # the divide step: local derivatives as formulas and numbers
    divide = t.step("y_hat")
    np.testing.assert_allclose(divide.incoming, [-1 / y_hat[0], 0.0], rtol=1e-14)
    to_h, to_H = divide.contributions
    assert t.nodes[to_h.input].name == "h" and t.nodes[to_H.input].name == "H"
    assert to_h.local == "∂(a/b)/∂a = 1/b" and to_H.local == "∂(a/b)/∂b = -a/b²"
    np.testing.assert_allclose(to_h.local_value, [1 / H, 1 / H], rtol=1e-15)
    np.testing.assert_allclose(to_H.local_value, [-h[0] / H**2, -h[1] / H**2], rtol=1e-14)
    assert t.step("h").contributions[0].local == "∂eˣ/∂x = eˣ"
    # h gets three gradients: from y_hat = h / H directly, and through h[0] and h[1] into H
    arrivals = t.contributions_to("h")
    assert [frm.op for frm, _ in arrivals] == ["divide", "getitem", "getitem"]
    assert [c.arrivals for _, c in arrivals] == [1, 2, 3]
    np.testing.assert_allclose(sum(c.contribution for _, c in arrivals), t.grad("h"), rtol=1e-15)
    np.testing.assert_array_equal(arrivals[-1][1].accumulated, t.grad("h"))


@pytest.mark.parametrize("mode", ["eager", "graph"])
def test_three_paths_to_b1_sum_to_y_hat1_minus_y1(traces, mode, course_by_hand):
    """The course's paths from L to b1, read off the trace's own numbers."""
    t = traces[mode]
    z, h, H, y_hat, L = course_by_hand()
    g_y_hat = t.step("y_hat").incoming                        # ∂L/∂y_hat
    to_h, to_H = t.step("y_hat").contributions
    d_h1_d_z1 = t.step("h").contributions[0].local_value[0]   # e^z1
    d_z1_d_b1 = t.step("z").contributions[1].local_value[0]   # 1
    d_H_d_h1 = 1.0                                            # H = h1 + h2
    paths = [g_y_hat[0] * to_h.local_value[0] * d_h1_d_z1 * d_z1_d_b1,             # via y_hat1
             g_y_hat[0] * to_H.local_value[0] * d_H_d_h1 * d_h1_d_z1 * d_z1_d_b1,  # H, y_hat1
             g_y_hat[1] * to_H.local_value[1] * d_H_d_h1 * d_h1_d_z1 * d_z1_d_b1]  # H, y_hat2
    expected = [-(1 / y_hat[0]) * (1 / H) * h[0], -(1 / y_hat[0]) * (-h[0] / H**2) * h[0], 0.0]
    np.testing.assert_allclose(paths, expected, rtol=1e-13, atol=1e-15)
    assert sum(paths) == pytest.approx(t.grad("b")[0], rel=1e-13)
    assert sum(paths) == pytest.approx(y_hat[0] - 1, rel=1e-13)
    assert f"{sum(paths):.2f}" == "-0.19"


def test_final_gradients_equal_backward_and_gradients():
    eager = trace(backprop_eager())
    steps = backprop.forward_backward([0.2, 0.7], [1.0, 0.0])
    for name in ("W", "b", "z", "h", "H", "y_hat"):
        np.testing.assert_array_equal(eager.grad(name), steps[name].grad)
    loss, feed_dict, session = backprop_graph()
    graph_trace = trace(loss, feed_dict, session)
    names = ("z", "h", "H", "y_hat", "b", "W")
    symbols = [graph_trace_symbol(loss.graph, n) for n in names]
    with loss.graph.as_default():
        grads = g.gradients(loss, symbols)
    for name, value in zip(names, session.run(grads, feed_dict)):
        np.testing.assert_array_equal(graph_trace.grad(name), value)


def graph_trace_symbol(graph, name):
    return graph.get_tensor_by_name(name)


def test_eager_trace_does_not_disturb_backward_and_works_after_it():
    L = backprop_eager()
    before = trace(L)
    L.backward()
    after = trace(L)  # no op here saves values for backward, so tracing afterwards works
    np.testing.assert_array_equal(before.grad("b"), after.grad("b"))


def test_ops_that_save_need_the_trace_before_backward():
    x = passos.tensor([[1.0, 2.0, 0.5]], requires_grad=True)
    loss = passos.sum(passos.softmax_cross_entropy(x, [[0.0, 1.0, 0.0]]))
    t = trace(loss)
    step = t.step(t.nodes[t.output - 1].id)
    assert step.contributions[0].local == "∂CE/∂z = softmax(z) - y"
    loss.backward()
    np.testing.assert_allclose(t.grad(0), x.grad, rtol=1e-6)
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        trace(loss)


def test_names_counters_constants_and_scopes():
    W = passos.tensor([[1.0, 2.0]], requires_grad=True, name="dense/kernel")
    x = passos.tensor([[3.0], [4.0]])
    u = passos.tensor([0.5], requires_grad=True)
    y = passos.sum(passos.exp(passos.matmul(W, x) * 2) + passos.exp(u))
    t = trace(y)
    names = [n.name for n in t.nodes]
    assert names == ["dense/kernel", "input_1", "matmul_1", "constant_1", "multiply_1", "exp_1",
                     "parameter_1", "exp_2", "add_1", "sum_1"]
    scopes = {n.name: n.scope for n in t.nodes}
    assert scopes["dense/kernel"] == scopes["matmul_1"] == "dense"  # an op on a layer's weights
    assert scopes["exp_1"] == scopes["sum_1"] == ""
    assert t.forward[4].formula == "multiply_1 = matmul_1 * 2"
    assert t.forward[3].formula == "constant_1 = 2"
    assert t.node("constant_1").op == "constant" and t.node("constant_1").grad is None


def test_graph_names_scopes_and_session_requirements():
    graph = g.Graph()
    with graph.as_default():
        x = g.placeholder("float32", (None, 3), name="x")
        with graph.name_scope("layer"):
            w = g.Variable(np.ones((3, 1), np.float32), name="w")
            y = passos.relu(passos.matmul(x, w))
        loss = passos.mean(y)
        init = g.global_variables_initializer()
    with pytest.raises(RuntimeError, match="pass session="):
        trace(loss, {x: np.ones((2, 3))})
    session = g.Session(graph)
    session.run(init)
    t = trace(loss, {x: np.ones((2, 3))}, session)
    assert [(n.name, n.scope) for n in t.nodes] == [
        ("x", ""), ("layer/w", "layer"), ("layer/matmul", "layer"), ("layer/relu", "layer"),
        ("mean", "")]
    np.testing.assert_allclose(t.grad("layer/w"), np.ones((3, 1)), rtol=1e-6)
    assert trace(loss, {x: np.ones((2, 3))}, session, inputs_grad=True).grad("x").shape == (2, 3)


def test_to_dict_contract_is_json_and_complete(traces, course_by_hand):
    for t in traces.values():
        data = json.loads(json.dumps(t.to_dict()))
        assert set(data) == {"output", "nodes", "forward", "backward"}
        ids = [n["id"] for n in data["nodes"]]
        assert ids == list(range(len(ids))) and data["output"] in ids
        for n in data["nodes"]:
            assert set(n) == {"id", "name", "op", "inputs", "shape", "value", "grad", "scope"}
            assert all(i in ids for i in n["inputs"])
            assert set(n["value"]) == {"shape", "values"} and n["value"]["shape"] == n["shape"]
        for s in data["forward"]:
            assert set(s) == {"node", "formula", "value"}
        for s in data["backward"]:
            assert set(s) == {"node", "incoming", "contributions"}
            for c in s["contributions"]:
                assert set(c) == {"input", "local", "local_value", "contribution", "accumulated"}
        b = next(n for n in data["nodes"] if n["name"] == "b")
        assert b["op"] == "parameter" and b["shape"] == [2]
        assert b["grad"]["values"][0] == pytest.approx(course_by_hand()[3][0] - 1, rel=1e-13)
        L = data["nodes"][data["output"]]
        assert L["value"] == {"shape": [], "values": pytest.approx(course_by_hand()[4], rel=1e-14)}


def test_large_tensors_are_summarised():
    x = passos.tensor(np.arange(40.0).reshape(8, 5) / 10, requires_grad=True, name="x")
    t = trace(passos.sum(passos.tanh(x)))
    node = t.to_dict()["nodes"][0]
    assert node["value"] == {"shape": [8, 5], "min": 0.0, "mean": pytest.approx(1.95),
                             "max": pytest.approx(3.9)}
    assert set(node["grad"]) == {"shape", "min", "mean", "max"}
    assert "shape (8, 5): min 0, mean 1.95, max 3.9" in t.table()


def test_table_has_both_sections(traces):
    text = traces["eager"].table()
    forward, backward = text.split("Backward pass")
    assert "h = exp(z)" in forward and "[0.963, -0.506]" in forward
    assert "∂(a/b)/∂b = -a/b²" in backward and "(sum of 3 contributions)" in backward
    assert "b     [-0.1871, 0.1871]" in text


def test_errors_say_what_to_do():
    with pytest.raises(ValueError, match="requires_grad=True"):
        trace(passos.tensor([1.0]).sum())
    with pytest.raises(ValueError, match="single number"):
        trace(passos.tensor([1.0, 2.0], requires_grad=True) * 2)
    with pytest.raises(TypeError, match="Tensor or graph Symbol"):
        trace(3.0)


def all_op_kinds():
    """Every differentiable op kind in passos.ops, by instantiating each op class."""
    from passos.ops import (arithmetic, conv, dropout, elementwise, matmul, movement, nn, pool,
                            reduce, resize)
    ops = [arithmetic.ADD, arithmetic.SUBTRACT, arithmetic.MULTIPLY, arithmetic.DIVIDE,
           arithmetic.NEGATIVE, arithmetic.POWER, arithmetic.MAXIMUM, arithmetic.MINIMUM,
           arithmetic.WHERE, arithmetic.Clip(0, 1), elementwise.EXP, elementwise.LOG,
           elementwise.SQRT, elementwise.SQUARE, elementwise.ABS, elementwise.TANH,
           elementwise.SIGMOID, elementwise.RELU, elementwise.Cast("float64"), matmul.MATMUL,
           reduce.Sum(), reduce.Mean(), reduce.Extreme("max"), reduce.Extreme("min"),
           movement.Reshape((1,)), movement.Transpose(), movement.GetItem(0),
           movement.Concatenate(), movement.Stack(), movement.Pad(((0, 0),)),
           movement.BroadcastTo((1,)), nn.Softmax(), nn.LogSoftmax(), nn.SoftmaxCrossEntropy(),
           nn.SparseSoftmaxCrossEntropy(), dropout.Dropout(), resize.Upsample((2,))]
    ops += [conv.Conv(r) for r in (1, 2, 3)]
    ops += [cls(r, 2) for cls in (pool.MaxPool, pool.AvgPool) for r in (1, 2, 3)]
    return ops


def test_formula_table_covers_every_op_kind():
    arities = {"add": 2, "subtract": 2, "multiply": 2, "divide": 2, "power": 2, "maximum": 2,
               "minimum": 2, "where": 3, "matmul": 2, "softmax_cross_entropy": 2,
               "sparse_softmax_cross_entropy": 2, "conv": 2}
    for op in all_op_kinds():
        assert family(op.kind) in FORMULAS, op.kind
        n = arities.get(family(op.kind), 1)
        assert all(not f.startswith("vjp of") for f in local_formulas(op, n)), op.kind
    assert local_formulas(movement_concat(), 3) == ("∂concat/∂xᵢ = 1 on xᵢ's own slice",) * 3
    from passos.ops.conv_pool import ConvPool
    chain = local_formulas(ConvPool("same", "same", biases=(True, False)), 4)
    assert [f.split(":")[0] for f in chain] == ["∂/∂x", "∂/∂W of block 1", "∂/∂b of block 1",
                                                "∂/∂W of block 2"]

    class Mystery(Op):
        kind = "mystery"
    assert local_formulas(Mystery(), 2) == ("vjp of mystery", "vjp of mystery")


def movement_concat():
    from passos.ops.movement import Concatenate
    return Concatenate()


@pytest.mark.parametrize("name,fn,inputs,local", [
    ("exp", passos.exp, [[0.5, -1.0]], lambda x: [np.exp(x)]),
    ("log", passos.log, [[0.5, 2.0]], lambda x: [1 / np.asarray(x)]),
    ("sqrt", passos.sqrt, [[0.25, 4.0]], lambda x: [0.5 / np.sqrt(x)]),
    ("tanh", passos.tanh, [[0.5, -1.0]], lambda x: [1 - np.tanh(x) ** 2]),
    ("sigmoid", passos.sigmoid, [[0.5, -1.0]],
     lambda x: [np.exp(-np.asarray(x)) / (1 + np.exp(-np.asarray(x))) ** 2]),
    ("relu", passos.relu, [[0.5, -1.0]], lambda x: [[1.0, 0.0]]),
    ("multiply", passos.multiply, [[2.0, 3.0], [5.0, 7.0]], lambda a, b: [b, a]),
    ("power", passos.power, [[2.0, 3.0], [2.0, 0.5]],
     lambda a, b: [np.multiply(b, np.power(a, np.subtract(b, 1))), np.power(a, b) * np.log(a)]),
    ("maximum", passos.maximum, [[1.0, 3.0], [2.0, 1.0]], lambda a, b: [[0.0, 1.0], [1.0, 0.0]]),
])
def test_local_values_are_the_elementwise_derivatives(name, fn, inputs, local):
    xs = [passos.tensor(v, dtype="float64", requires_grad=True) for v in inputs]
    t = trace(passos.sum(fn(*xs)))
    step = t.step(t.output - 1)
    assert t.nodes[step.node].op == name
    for c, expected in zip(step.contributions, local(*inputs)):
        np.testing.assert_allclose(c.local_value, expected, rtol=1e-12)
        np.testing.assert_allclose(c.contribution, expected, rtol=1e-12)  # incoming is 1


def test_keras_model_traced_eagerly_has_layer_scopes():
    from passos.keras.layers import Dense
    from passos.keras.models import Sequential
    passos.random.seed(0)
    model = Sequential([Dense(3, activation="relu", input_shape=(2,), name="hidden"),
                        Dense(1, name="out")])
    loss = passos.mean(model(passos.tensor([[1.0, 2.0], [0.5, -1.0]])))
    t = trace(loss)
    scopes = {n.name: n.scope for n in t.nodes}
    assert scopes["hidden/kernel"] == scopes["matmul_1"] == "hidden"
    assert scopes["out/kernel"] == scopes["matmul_2"] == "out"
    loss.backward()
    np.testing.assert_array_equal(t.grad("hidden/kernel"), model.layers[0].kernel.grad)


def test_graph_without_variables_needs_no_session_and_takes_names_as_keys():
    graph = g.Graph()
    with graph.as_default():
        x = g.placeholder("float64", (2,), name="x")
        loss = passos.sum(passos.square(x), name="loss")
    t = trace(loss, {"x:0": [1.0, 3.0]}, inputs_grad=True)
    np.testing.assert_array_equal(t.grad("x"), [2.0, 6.0])
    assert t.mode == "graph" and t.forward[-1].formula == "loss = sum(square)"
