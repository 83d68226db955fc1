"""Graph and Session: fetch structures, plan reuse, feeds, variables, build-time shapes, training."""
import numpy as np
import pytest

import passos as P
import passos.graph as G


@pytest.fixture
def graph():
    graph = G.Graph()
    with graph.as_default():
        yield graph


def test_graph_builds_symbols_not_values(graph):
    x = G.placeholder("float32", (None, 3), name="x")
    y = P.relu(x @ np.ones((3, 2), np.float32)) + 1.0
    assert isinstance(y, G.Symbol)
    assert y.shape == (None, 2) and y.dtype == np.float32
    assert y.graph is graph and graph.nodes[-1] is y
    assert G.get_default_graph() is graph


def test_python_and_numpy_scalars_keep_float32_in_graphs(graph):
    x = G.placeholder("float32", (2,), name="x")
    for y in (x * 2.0, 2 * x, x + np.float64(1.0), x / np.float32(2.0)):
        assert y.dtype == np.float32
    assert G.Session(graph).run(x * np.float64(2.0), {x: [1.0, 2.0]}).dtype == np.float32


# -- fetch structures -------------------------------------------------------------------
def test_fetch_structures(graph):
    x = G.placeholder("float64", (None,), name="x")
    a, b, c = x * 2, x + 1, P.sum(x)
    feed = {x: [1.0, 2.0]}
    s = G.Session(graph)
    np.testing.assert_array_equal(s.run(a, feed), [2.0, 4.0])
    out = s.run([a, b], feed)
    assert isinstance(out, list) and len(out) == 2
    np.testing.assert_array_equal(out[1], [2.0, 3.0])
    out = s.run((a, c), feed)
    assert isinstance(out, tuple) and out[1] == 3.0
    out = s.run({"double": a, "total": c}, feed)
    assert set(out) == {"double", "total"} and out["total"] == 3.0
    out = s.run({"pair": (a, [b, c]), "one": {"x": x}}, feed)
    assert isinstance(out["pair"], tuple) and isinstance(out["pair"][1], list)
    np.testing.assert_array_equal(out["pair"][1][0], [2.0, 3.0])
    assert out["pair"][1][1] == 3.0
    np.testing.assert_array_equal(out["one"]["x"], [1.0, 2.0])


def test_scalar_fetch_is_a_numpy_scalar(graph):
    x = G.placeholder("float32", (None,), name="x")
    value = G.Session(graph).run(P.sum(x), {x: [1.0, 2.0]})
    assert np.ndim(value) == 0 and value == 3.0 and value.dtype == np.float32


def test_fetch_and_feed_by_name(graph):
    x = G.placeholder("float64", (2,), name="x")
    P.multiply(x, 3.0)
    y = graph.get_operations()[-1]
    s = G.Session(graph)
    np.testing.assert_array_equal(s.run(y.name + ":0", {"x:0": [1.0, 2.0]}), [3.0, 6.0])


def test_the_same_value_fetched_twice(graph):
    x = G.placeholder("float64", (1,), name="x")
    y = x * 2
    a, b = G.Session(graph).run([y, y], {x: [1.0]})
    np.testing.assert_array_equal(a, b)


def test_fetching_a_fed_intermediate_overrides_it(graph):
    x = G.placeholder("float64", (2,), name="x")
    h = x * 2
    y = h + 1
    assert G.Session(graph).run(y, {h: [10.0, 20.0]}).tolist() == [11.0, 21.0]


# -- plans -------------------------------------------------------------------------------
def test_plan_is_compiled_once_per_fetches_and_feeds(graph):
    x = G.placeholder("float32", (None, 2), name="x")
    y = P.sum(x * 2)
    z = P.mean(x)
    s = G.Session(graph)
    for batch in ([[1, 2]], [[1, 2], [3, 4]], [[0, 0]] * 5):
        s.run(y, {x: batch})
    assert len(s._plans) == 1
    s.run([y, z], {x: [[1, 2]]})
    s.run([y, z], {x: [[3, 4]]})
    assert len(s._plans) == 2
    s.run([z, y], {x: [[1, 2]]})  # another order is another plan
    assert len(s._plans) == 3


def test_run_observers_see_every_step_of_the_plan_loop(graph, monkeypatch):
    x = G.placeholder("float32", (None,), name="x")
    y = P.exp(x * 2, name="y")
    seen = []

    def start(plan, feeds):  # a debug tool's hook: called as a run starts
        seen.append(("start", [n.name for n in plan.fed_nodes]))
        return lambda node, args, result: seen.append((node.name, result.tolist()))
    monkeypatch.setattr(G.session, "observers", [start])
    G.Session(graph).run(y, {x: [0.0]})
    assert seen == [("start", ["x"]), ("multiply", [0.0]), ("y", [1.0])]


def test_plan_runs_only_what_the_fetches_need(graph):
    x = G.placeholder("float32", (None,), name="x")
    unused = G.placeholder("float32", (None,), name="unused")
    y = x * 2
    P.log(unused)  # would need a feed for `unused` if it ran
    assert G.Session(graph).run(y, {x: [1.0]}).tolist() == [2.0]


def test_feeds_are_not_changed_between_runs(graph):
    x = G.placeholder("float64", (2,), name="x")
    y = x * 2
    s = G.Session(graph)
    first = s.run(y, {x: [1.0, 2.0]})
    second = s.run(y, {x: [5.0, 5.0]})
    assert first.tolist() == [2.0, 4.0] and second.tolist() == [10.0, 10.0]


# -- placeholders -------------------------------------------------------------------------
def test_placeholder_with_none_dims_accepts_any_size(graph):
    x = G.placeholder("float32", (None, None, 3), name="x")
    y = P.sum(x, axis=(1, 2))
    assert y.shape == (None,)
    s = G.Session(graph)
    assert s.run(y, {x: np.ones((2, 4, 3))}).shape == (2,)
    assert s.run(y, {x: np.ones((5, 1, 3))}).shape == (5,)


def test_placeholder_of_unknown_rank(graph):
    x = G.placeholder("float32", None, name="x")
    y = x * 2
    assert y.shape is None
    np.testing.assert_array_equal(G.Session(graph).run(y, {x: np.ones((2, 2))}), np.full((2, 2), 2.0))


def test_feed_is_converted_to_the_placeholder_dtype(graph):
    x = G.placeholder("float32", (2,), name="x")
    assert G.Session(graph).run(x * 1, {x: np.array([1.0, 2.0])}).dtype == np.float32
    assert G.Session(graph).run(x * 1, {x: [1, 2]}).dtype == np.float32


def test_feed_of_wrong_shape(graph):
    x = G.placeholder("float32", (None, 2), name="images")
    y = x * 2
    s = G.Session(graph)
    with pytest.raises(ValueError, match=r"placeholder 'images' has shape \(\?, 2\).*\(3, 3\)"):
        s.run(y, {x: np.ones((3, 3))})
    with pytest.raises(ValueError, match=r"placeholder 'images'.*\(2,\)"):
        s.run(y, {x: np.ones(2)})


def test_feed_of_wrong_dtype(graph):
    labels = G.placeholder("int64", (None,), name="labels")
    y = labels + 1
    with pytest.raises(TypeError, match=r"placeholder 'labels' has dtype int64.*float64"):
        G.Session(graph).run(y, {labels: np.array([0.5, 1.5])})


def test_missing_feed_names_the_placeholder(graph):
    x = G.placeholder("float32", (None, 2), name="inputs")
    y = x + 1
    with pytest.raises(ValueError, match=r"placeholder 'inputs'.*feed_dict"):
        G.Session(graph).run(y)


def test_feed_key_from_another_graph(graph):
    x = G.placeholder("float32", (1,), name="x")
    other = G.Graph()
    with other.as_default():
        alien = G.placeholder("float32", (1,), name="alien")
    with pytest.raises(TypeError, match="feed_dict"):
        G.Session(graph).run(x * 1, {alien: [1.0]})


def test_symbols_from_two_graphs_do_not_mix(graph):
    x = G.placeholder("float32", (1,), name="x")
    other = G.Graph()
    with other.as_default():
        alien = G.placeholder("float32", (1,), name="alien")
    with pytest.raises(ValueError, match="'alien' belongs to another Graph"):
        x + alien


# -- build-time shape checks ----------------------------------------------------------------
def test_shapes_are_checked_when_the_graph_is_built(graph):
    x = G.placeholder("float32", (None, 784), name="images")
    w = G.Variable(np.zeros((128, 10)), name="weights")
    with pytest.raises(P.ShapeError) as info:
        P.matmul(x, w)
    message = str(info.value)
    for part in ("matmul", "(?, 784)", "(128, 10)", "'images'", "'weights'"):
        assert part in message, (part, message)
    assert len(graph.nodes) == 3  # x, w, w's initializer: nothing recorded for the failed op


def test_broadcast_mismatch_at_build_time(graph):
    a = G.placeholder("float32", (None, 3), name="a")
    b = G.placeholder("float32", (4,), name="b")
    with pytest.raises(P.ShapeError, match=r"add.*\(\?, 3\).*\(4,\).*'a'.*'b'"):
        a + b


def test_unknown_dims_do_not_fail_the_build(graph):
    a = G.placeholder("float32", (None, 3), name="a")
    b = G.placeholder("float32", (None, 3), name="b")
    assert (a + b).shape == (None, 3)
    assert P.concatenate([a, b], axis=0).shape == (None, 3)
    assert P.reshape(a, (-1,)).shape == (None,)


def test_name_scopes_and_unique_names(graph):
    with graph.name_scope("layer"):
        x = G.placeholder("float32", (1,), name="x")
        y = P.add(x, 1)
        z = P.add(x, 2)
    assert x.name == "layer/x"
    assert (y.name, z.name) == ("layer/add", "layer/add_1")
    assert graph.get_tensor_by_name("layer/add_1:0") is z


# -- variables ------------------------------------------------------------------------------
def test_uninitialised_variable(graph):
    w = G.Variable([1.0, 2.0], name="weights")
    with pytest.raises(RuntimeError, match=r"variable 'weights' is not initialised.*initializer"):
        G.Session(graph).run(w * 2)


def test_variable_initialise_and_read(graph):
    w = G.Variable([1.0, 2.0], name="w")
    assert w.dtype == np.float32 and w.shape == (2,)
    s = G.Session(graph)
    s.run(G.global_variables_initializer())
    np.testing.assert_array_equal(s.run(w), [1.0, 2.0])


def test_variable_dtype_float64(graph):
    w = G.Variable([1, 2], name="w", dtype="float64")
    assert w.dtype == np.float64
    s = G.Session(graph)
    s.run(w.initializer)
    assert s.run(w).dtype == np.float64


def test_variables_live_in_each_session(graph):
    w = G.Variable([1.0], name="w")
    step = w.assign_add([1.0])
    a, b = G.Session(graph), G.Session(graph)
    a.run(w.initializer)
    b.run(w.initializer)
    a.run(step)
    a.run(step)
    assert a.run(w).tolist() == [3.0] and b.run(w).tolist() == [1.0]


def test_assign_and_assign_sub(graph):
    w = G.Variable([1.0, 2.0], name="w", dtype="float64")
    delta = G.placeholder("float64", (2,), name="delta")
    set_to = w.assign([10.0, 20.0])
    step = w.assign_sub(delta)
    s = G.Session(graph)
    s.run(G.global_variables_initializer())
    before = s.run(w)
    np.testing.assert_array_equal(s.run(step, {delta: [0.5, 1.0]}), [0.5, 1.0])
    np.testing.assert_array_equal(before, [1.0, 2.0])  # an earlier fetch is not changed in place
    np.testing.assert_array_equal(s.run(w), [0.5, 1.0])
    np.testing.assert_array_equal(s.run(set_to), [10.0, 20.0])
    np.testing.assert_array_equal(s.run(w), [10.0, 20.0])
    s.run(step, {delta: [1.0, 1.0]})
    np.testing.assert_array_equal(s.run(w), [9.0, 19.0])


def test_assign_of_wrong_shape_fails_at_build_time(graph):
    w = G.Variable(np.zeros((2, 3)), name="w")
    with pytest.raises(P.ShapeError, match=r"variable 'w' has shape \(2, 3\).*\(3, 2\)"):
        w.assign(np.zeros((3, 2)))


def test_assign_sub_on_uninitialised_variable(graph):
    w = G.Variable([1.0], name="w")
    with pytest.raises(RuntimeError, match="variable 'w' is not initialised"):
        G.Session(graph).run(w.assign_sub([1.0]))


def test_closed_session(graph):
    x = G.placeholder("float32", (1,), name="x")
    with G.Session(graph) as s:
        s.run(x * 1, {x: [1.0]})
    with pytest.raises(RuntimeError, match="closed"):
        s.run(x * 1, {x: [1.0]})


# -- gradients -------------------------------------------------------------------------------
def test_gradients_of_unrelated_variable_is_none(graph):
    x = G.placeholder("float64", (None,), name="x")
    w = G.Variable([1.0], name="w", dtype="float64")
    v = G.Variable([1.0], name="v", dtype="float64")
    dw, dv = G.gradients(P.sum(x * w), [w, v])
    assert dv is None and dw is not None
    single = G.gradients(P.sum(x * w), w)  # one x in, one symbol out (not a list)
    assert isinstance(single, G.Symbol) and single.shape == (1,)


def test_gradients_fan_out_and_broadcast(graph):
    x = G.placeholder("float64", (None, 2), name="x")
    b = G.Variable([0.5, -0.5], name="b", dtype="float64")
    h = x + b
    loss = P.sum(h * h + h)  # h used twice; b broadcast over the batch
    (db,) = G.gradients(loss, [b])
    assert db.shape == (2,)
    s = G.Session(graph)
    s.run(G.global_variables_initializer())
    xs = np.array([[1.0, 2.0], [3.0, 4.0], [0.0, 1.0]])
    np.testing.assert_allclose(s.run(db, {x: xs}), (2 * (xs + [0.5, -0.5]) + 1).sum(axis=0))


def test_gradients_match_eager_backward(graph):
    x = G.placeholder("float64", (None, 3), name="x")
    w = G.Variable(np.arange(6.0).reshape(3, 2) / 10, name="w", dtype="float64")
    labels = G.placeholder("int64", (None,), name="labels")
    loss = P.mean(P.sparse_softmax_cross_entropy(P.tanh(x @ w), labels))
    (dw,) = G.gradients(loss, [w])
    xs = np.array([[1.0, -1.0, 0.5], [0.2, 0.3, -0.4]])
    ys = np.array([1, 0])
    s = G.Session(graph)
    s.run(G.global_variables_initializer())
    graph_loss, graph_dw = s.run([loss, dw], {x: xs, labels: ys})
    we = P.tensor(np.arange(6.0).reshape(3, 2) / 10, requires_grad=True)
    eager_loss = P.mean(P.sparse_softmax_cross_entropy(P.tanh(P.tensor(xs) @ we), ys))
    eager_loss.backward()
    assert graph_loss == pytest.approx(eager_loss.item(), rel=1e-14)
    np.testing.assert_allclose(graph_dw, we.grad, rtol=1e-14)


def test_linear_regression_converges_with_gradient_descent(graph):
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(64, 2))
    ys = xs @ np.array([[2.0], [-3.0]]) + 0.5
    x = G.placeholder("float64", (None, 2), name="x")
    y = G.placeholder("float64", (None, 1), name="y")
    w = G.Variable(np.zeros((2, 1)), name="w", dtype="float64")
    b = G.Variable(np.zeros(1), name="b", dtype="float64")
    loss = P.mean(P.square(x @ w + b - y))
    dw, db = G.gradients(loss, [w, b])
    train = G.group(w.assign_sub(dw * 0.1), b.assign_sub(db * 0.1))
    s = G.Session(graph)
    s.run(G.global_variables_initializer())
    feed = {x: xs, y: ys}
    first = s.run(loss, feed)
    for _ in range(150):
        s.run(train, feed)
    last = s.run(loss, feed)
    assert last < 1e-6 < first
    np.testing.assert_allclose(s.run(w).ravel(), [2.0, -3.0], atol=1e-3)
    np.testing.assert_allclose(s.run(b), [0.5], atol=1e-3)
    assert len(s._plans) == 5  # init, loss, train, and one per variable read: 150 steps, one plan


def test_make_callable_runs_the_compiled_plan_with_positional_feeds():
    graph = G.Graph()
    with graph.as_default():
        x = G.placeholder("float32", (None, 2), name="x")
        w = G.Variable([[1.0], [2.0]], name="w")
        y = P.matmul(x, w)
        total = P.sum(y)
        init = G.global_variables_initializer()
    session = G.Session(graph)
    session.run(init)
    call = session.make_callable([y, total], [x])
    out, s = call([[1, 1], [2, 0]])
    np.testing.assert_array_equal(out, [[3.0], [2.0]])
    assert s == 5.0
    with pytest.raises(ValueError, match="placeholder 'x' has shape"):
        call([1, 2, 3])


def test_graph_second_derivatives_are_refused_clearly_not_none():
    """d/dx of a gradient node has no vjp yet: a clear error, never a silent None."""
    graph = G.Graph()
    with graph.as_default():
        x = G.placeholder("float64", (3,), name="x")
        (dx,) = G.gradients(P.sum(x * x * x), [x])
        with pytest.raises(NotImplementedError, match=r"^gradients: the path to the inputs goes "
                           r"through the gradient node '.*' \(.*\); graph-mode second "
                           r"derivatives are not supported yet"):
            G.gradients(P.sum(dx), [x])
        # a gradient node as the variable itself is fine: d(sum(dx))/d(dx) = 1
        (ones,) = G.gradients(P.sum(dx), [dx])
    with G.Session(graph) as session:
        np.testing.assert_array_equal(session.run(ones, {x: [1.0, 2.0, 3.0]}), np.ones(3))
