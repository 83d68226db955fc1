"""TF1 names: tensors read '<op name>:<output index>', looked up, fed and fetched by name, and
summary tags and checkpoint keys made from them as TF 1.15 makes them."""
import numpy as np
import pytest

import passos.compat.v1 as tf
import passos.graph as g

from tf1_graphs import fresh_graph  # noqa: F401 - an autouse fixture


def test_tensors_are_named_after_their_node_and_output():
    x = tf.placeholder(tf.float32, name="x")
    assert (x.name, x.node_name, x.value_index) == ("x:0", "x", 0)
    assert x.graph is tf.get_default_graph() and isinstance(x.graph, tf.Graph)
    with tf.variable_scope("scope"):
        W = tf.get_variable("W", [2], initializer=tf.zeros_initializer())
    assert (W.name, W.node_name) == ("scope/W:0", "scope/W")
    assert tf.Variable(1.0, name="v").name == "v:0"


def test_fresh_graphs_are_tf1_graphs_and_the_core_keeps_plain_names():
    with tf.Graph().as_default():
        assert tf.constant(1.0, name="c").name == "c:0"
    with g.Graph().as_default():
        assert g.placeholder("float32", (), name="p").name == "p"


def test_the_outputs_of_an_iterator_are_outputs_of_one_op():
    dataset = tf.data.Dataset.from_tensor_slices((np.zeros([4, 2], np.float32),
                                                  np.arange(4, dtype=np.int32)))
    features, labels = tf.data.make_one_shot_iterator(dataset).get_next()
    assert (features.name, labels.name) == ("IteratorGetNext:0", "IteratorGetNext:1")
    assert (features.value_index, labels.value_index) == (0, 1)
    assert tf.get_default_graph().get_tensor_by_name("IteratorGetNext:1") is labels


def test_graph_lookups_by_tensor_and_operation_name():
    x = tf.placeholder(tf.float32, name="x")
    graph = tf.get_default_graph()
    assert graph.get_tensor_by_name("x:0") is x
    assert graph.get_operation_by_name("x") == x.op and graph.get_operation_by_name("x").outputs == [x]
    with pytest.raises(KeyError, match="no node named 'y'"):
        graph.get_tensor_by_name("y:0")


def test_session_run_takes_names_as_fetches_and_feed_keys():
    x = tf.placeholder(tf.float32, [2], name="x")
    loss = tf.reduce_sum(x * 2.0, name="loss")
    with tf.Session() as sess:
        assert sess.run("loss:0", feed_dict={"x:0": [1.0, 2.0]}) == 6.0
        assert sess.run(loss.name, feed_dict={"x": [1.0, 1.0]}) == 4.0
        assert sess.run(["loss:0"], {x.name: [0.0, 1.0]}) == [2.0]


def test_summary_tags_follow_tf1_from_tensor_names(tmp_path):
    event_accumulator = pytest.importorskip(
        "tensorboard.backend.event_processing.event_accumulator")
    W1 = tf.Variable(np.ones([3], np.float32), name="W1")
    with tf.name_scope("layer"):
        b = tf.Variable(0.5, name="b")
    histogram = tf.summary.histogram(W1.name, W1)
    scalar = tf.summary.scalar(b.name, b)
    assert (histogram.name, scalar.name) == ("W1_0:0", "layer/b_0:0")
    merged = tf.summary.merge_all()
    writer = tf.summary.FileWriter(str(tmp_path))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        writer.add_summary(sess.run(merged), global_step=1)
    writer.close()
    events = event_accumulator.EventAccumulator(str(tmp_path))
    events.Reload()
    assert events.Tags()["histograms"] == ["W1_0"]
    assert events.Tags()["scalars"] == ["layer/b_0"]
    assert events.Scalars("layer/b_0")[0].value == 0.5


def test_checkpoint_keys_are_op_names(tmp_path):
    with tf.variable_scope("scope"):
        W = tf.get_variable("W", initializer=np.arange(3, dtype=np.float32))
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, str(tmp_path / "model"))
    with np.load(path if path.endswith(".npz") else path + ".npz") as stored:
        assert list(stored.keys()) == ["scope/W"]
    tf.reset_default_graph()
    with tf.variable_scope("scope"):
        W = tf.get_variable("W", [3], initializer=tf.zeros_initializer())
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, path)
        np.testing.assert_array_equal(sess.run("scope/W:0"), [0.0, 1.0, 2.0])
        assert W.name == "scope/W:0"
