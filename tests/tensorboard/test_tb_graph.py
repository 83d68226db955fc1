"""add_graph: GraphDefs from passos graphs, Keras models and eager results, read back by
TensorBoard."""
import numpy as np
import pytest

pytest.importorskip("tensorboard")

import passos  # noqa: E402
import passos.graph as g  # noqa: E402
from passos.keras.layers import BatchNormalization, Dense, Input  # noqa: E402
from passos.keras.models import Model, Sequential  # noqa: E402
from passos.tensorboard import SummaryWriter, graph_def, trace_model  # noqa: E402


def by_name(graph):
    return {node.name: node for node in graph.node}


def shapes(node):
    return [[d.size for d in s.dim] for s in node.attr["_output_shapes"].list.shape]


def check_well_formed(graph):
    """Names are unique and every input names a node of the graph (TensorBoard draws edges)."""
    names = [node.name for node in graph.node]
    assert len(names) == len(set(names))
    for node in graph.node:
        assert set(node.input) <= set(names), node.name


def scoped_graph():
    graph = g.Graph()
    with graph.as_default():
        x = g.placeholder("float32", (None, 3), name="x")
        with graph.name_scope("layer1"):
            w = g.Variable(np.ones((3, 4), np.float32), name="w")
            h = passos.relu(passos.matmul(x, w) + 1.0)
        with graph.name_scope("loss"):
            loss = passos.mean(h)
    return graph, loss


def test_passos_graph_nodes_ops_inputs_and_scopes(tmp_path, accumulate):
    graph, _ = scoped_graph()
    with SummaryWriter(tmp_path) as writer:
        writer.add_graph(graph)
    events = accumulate(tmp_path)
    assert events.Tags()["graph"]
    written = events.Graph()
    check_well_formed(written)
    nodes = by_name(written)
    assert nodes["x"].op == "Placeholder" and shapes(nodes["x"]) == [[-1, 3]]
    assert nodes["layer1/w"].op == "VariableV2" and shapes(nodes["layer1/w"]) == [[3, 4]]
    (initializer,) = [n for n in written.node if n.name.endswith("w/initializer")]
    assert initializer.op == "Assign" and nodes[initializer.input[0]].op == "Const"
    matmul = nodes["layer1/matmul"]
    assert matmul.op == "MatMul" and list(matmul.input) == ["x", "layer1/w"]
    assert shapes(matmul) == [[-1, 4]]
    from tensorboard.compat.proto import types_pb2
    assert matmul.attr["dtype"].type == types_pb2.DT_FLOAT
    add = nodes["layer1/add"]
    assert add.input[0] == "layer1/matmul"
    const = nodes[add.input[1]]  # the Python 1.0 became a Const in the same scope
    assert const.op == "Const" and const.name.startswith("layer1/")
    assert const.attr["dtype"].type == types_pb2.DT_FLOAT  # weakly typed, as in NumPy
    assert np.frombuffer(const.attr["value"].tensor.tensor_content, np.float32).tolist() == [1.0]
    assert nodes["layer1/relu"].op == "Relu"
    assert list(nodes["loss/mean"].input) == ["layer1/relu"] and shapes(nodes["loss/mean"]) == [[]]
    scopes = {name.split("/")[0] for name in nodes if "/" in name}
    assert scopes == {"layer1", "loss"}


def test_graph_from_a_symbol_or_a_session_is_the_whole_graph():
    graph, loss = scoped_graph()
    expected = [n.name for n in graph_def(graph).node]
    assert [n.name for n in graph_def(loss).node] == expected
    with g.Session(graph) as session:
        assert [n.name for n in graph_def(session).node] == expected


def test_unknown_rank_and_gradient_nodes_are_written():
    graph = g.Graph()
    with graph.as_default():
        x = g.placeholder("float32", None, name="x")
        w = g.Variable(np.ones(3, np.float32), name="w")
        (dw,) = g.gradients(passos.sum(w * w), [w])
    written = graph_def(graph)
    check_well_formed(written)
    assert by_name(written)["x"].attr["_output_shapes"].list.shape[0].unknown_rank
    assert dw.name in by_name(written)


def test_keras_sequential_is_traced_in_model_and_layer_scopes(tmp_path, accumulate):
    model = Sequential([Dense(4, activation="relu", input_shape=(3,), name="hidden"),
                        Dense(2, activation="softmax", name="out")], name="tiny")
    with SummaryWriter(tmp_path) as writer:
        writer.add_graph(model)
    written = accumulate(tmp_path).Graph()
    check_well_formed(written)
    nodes = by_name(written)
    inputs = [n for n in written.node if n.op == "Placeholder"]
    assert len(inputs) == 1 and shapes(inputs[0]) == [[-1, 3]]
    scoped = [name for name in nodes if name != inputs[0].name]
    assert all(name.startswith("tiny/") for name in scoped)
    assert {name.split("/")[1] for name in scoped} == {"hidden", "out"}
    assert list(nodes["tiny/hidden/matmul"].input) == [inputs[0].name, "tiny/hidden/kernel"]
    assert shapes(nodes["tiny/hidden/kernel"]) == [[3, 4]]
    assert list(nodes["tiny/out/matmul"].input) == ["tiny/hidden/relu", "tiny/out/kernel"]
    assert shapes(nodes["tiny/out/softmax"]) == [[-1, 2]]


def functional(seed):
    passos.random.seed(seed)
    inputs = Input(shape=(5,))
    hidden = BatchNormalization(name="norm")(Dense(3, activation="tanh", name="body")(inputs))
    model = Model(inputs, Dense(1, name="head")(hidden), name="functional")
    model.compile("sgd", "mse")
    return model


def test_functional_model_and_tracing_leaves_the_model_untouched():
    """Tracing, even in training mode, changes no weight, recorded update or later training step."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 5)).astype(np.float32), rng.normal(size=(8, 1)).astype(np.float32)
    model, twin = functional(0), functional(0)  # twin: never traced
    for m in (model, twin):
        m.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    weights, predicted = model.get_weights(), model.predict(x)
    updates = {layer.name: list(layer._updates) for layer in model.layers}
    graph = trace_model(model, training=True)
    names = {n.name for n in graph.nodes}
    assert {"functional/body/matmul", "functional/body/tanh", "functional/head/add"} <= names
    assert {layer.name: list(layer._updates) for layer in model.layers} == updates
    for before, after in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(after, before)
    np.testing.assert_array_equal(model.predict(x), predicted)
    for m in (model, twin):
        m.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_unbuilt_model_gives_a_clear_error():
    with pytest.raises(ValueError, match="not built yet"):
        graph_def(Sequential([Dense(2)]))


def test_eager_result_walks_the_recorded_nodes():
    x = passos.tensor(np.ones((2, 3)), requires_grad=True, name="x")
    w = passos.tensor(np.ones((3, 1)), requires_grad=True, name="dense/kernel")
    y = passos.sum(passos.relu(passos.matmul(x, w) * 2.0))
    written = graph_def(y)
    check_well_formed(written)
    nodes = by_name(written)
    assert nodes["x"].op == "Variable" and shapes(nodes["x"]) == [[2, 3]]
    assert nodes["dense/kernel"].op == "Variable"
    assert list(nodes["matmul"].input) == ["x", "dense/kernel"]
    assert nodes["multiply"].input[0] == "matmul"
    assert nodes[nodes["multiply"].input[1]].op == "Const"
    assert list(nodes["sum"].input) == ["relu"] and shapes(nodes["sum"]) == [[]]
    with pytest.raises(ValueError, match="recorded no ops"):
        graph_def(passos.tensor([1.0]))


def test_add_graph_rejects_other_things(tmp_path):
    with SummaryWriter(tmp_path) as writer, pytest.raises(TypeError, match="expected a passos"):
        writer.add_graph("not a graph")


def test_a_compiled_plan_shows_the_graph_as_run_with_its_fused_ops():
    graph = g.Graph()
    with graph.as_default():
        x = g.placeholder("float32", (None, 3), name="x")
        w = g.Variable(np.ones((3, 4), np.float32), name="w")
        b = g.Variable(np.zeros(4, np.float32), name="b")
        loss = passos.mean(passos.relu(passos.matmul(x, w) + b))
        grads = g.gradients(loss, [w, b])
    session = g.Session(graph)
    plan = session.make_callable([loss, *grads], [x]).plan
    as_written, as_run = graph_def(graph), graph_def(plan)
    check_well_formed(as_run)
    written_ops = {n.op for n in as_written.node}
    run_ops = {n.op for n in as_run.node}
    # matmul -> add -> relu runs as one Dense node, and so does its gradient
    assert {"MatMul", "Add", "Relu"} <= written_ops and "Dense" not in written_ops
    assert "Dense" in run_ops and "MatMul" not in run_ops
    assert sum(n.op == "Dense" for n in as_run.node) == 1
    assert len(as_run.node) < len(as_written.node)


def test_the_keras_callback_writes_the_training_step_as_run(tmp_path, accumulate):
    from passos.keras.callbacks import TensorBoard
    model = Sequential([Dense(4, activation="relu", input_shape=(3,)), Dense(1)])
    model.compile("sgd", "mse")
    x = np.ones((8, 3), np.float32)
    model.fit(x, x[:, :1], epochs=1, verbose=0,
              callbacks=[TensorBoard(log_dir=tmp_path, write_graph="as_run")])
    ops = [n.op for n in accumulate(tmp_path / "train").Graph().node]
    assert "Dense" in ops and "ApplyGradients" in ops and "MatMul" not in ops
