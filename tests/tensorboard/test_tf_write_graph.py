"""TF1's graph.as_graph_def(), sess.graph_def and tf.train.write_graph (text and binary protos)."""
import os

import pytest

pytest.importorskip("tensorboard")

import passos.compat.v1 as tf  # noqa: E402
from google.protobuf import text_format  # noqa: E402
from tensorboard.compat.proto import graph_pb2  # noqa: E402


def small_graph():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        w = tf.Variable(tf.ones([3, 2]), name="w")
        with tf.name_scope("dense"):
            tf.nn.relu(tf.matmul(x, w), name="out")
    return graph


def test_as_graph_def_lists_the_nodes_with_their_ops_and_inputs():
    graph = small_graph()
    definition = graph.as_graph_def()
    assert isinstance(definition, graph_pb2.GraphDef)
    nodes = {node.name: node for node in definition.node}
    assert nodes["x"].op == "Placeholder" and nodes["w"].op == "VariableV2"
    assert nodes["dense/MatMul"].op == "MatMul" and list(nodes["dense/MatMul"].input) == ["x", "w"]
    assert nodes["dense/out"].op == "Relu" and list(nodes["dense/out"].input) == ["dense/MatMul"]
    assert all("_output_shapes" not in node.attr for node in definition.node)  # TF1's default
    shaped = {n.name: n for n in graph.as_graph_def(add_shapes=True).node}["x"]
    assert [d.size for d in shaped.attr["_output_shapes"].list.shape[0].dim] == [-1, 3]


def test_the_default_graph_and_a_session_give_the_same_graph_def():
    graph = small_graph()
    with graph.as_default():
        assert tf.get_default_graph().as_graph_def() == graph.as_graph_def()
    with tf.Session(graph=graph) as sess:
        assert sess.graph_def == graph.as_graph_def()


def test_write_graph_as_text_parses_back(tmp_path):
    graph = small_graph()
    path = tf.train.write_graph(graph, str(tmp_path / "new" / "dir"), "graph.pbtxt")
    assert path == os.path.join(str(tmp_path / "new" / "dir"), "graph.pbtxt")
    parsed = text_format.Parse(open(path).read(), graph_pb2.GraphDef())
    assert parsed == graph.as_graph_def()
    assert os.listdir(os.path.dirname(path)) == ["graph.pbtxt"]  # no temporary left


def test_write_graph_binary_round_trip(tmp_path):
    definition = small_graph().as_graph_def()
    path = tf.io.write_graph(definition, str(tmp_path), "graph.pb", as_text=False)
    parsed = graph_pb2.GraphDef.FromString(open(path, "rb").read())
    assert parsed == definition and {"x", "w", "dense/out"} <= {n.name for n in parsed.node}


def test_write_graph_refuses_what_is_not_a_graph(tmp_path):
    with pytest.raises(TypeError, match=r"write_graph: expected a tf\.Graph or a GraphDef, got "
                                        r"Session; for a session pass sess\.graph"):
        tf.train.write_graph(tf.Session(graph=small_graph()), str(tmp_path), "g.pbtxt")
    with pytest.raises(ValueError, match="from_version"):
        small_graph().as_graph_def(from_version=1)
