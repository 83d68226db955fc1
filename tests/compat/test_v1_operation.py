"""tf.Operation: `x.op`, `graph.get_operations()`, and operations run, grouped and waited on."""
import numpy as np
import pytest

import passos.compat.v1 as tf
from tf1_graphs import fresh_graph, run  # noqa: F401


def test_a_tensor_names_its_operation_type_inputs_and_outputs():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(tf.ones([3, 2]), name="w")
    y = tf.matmul(x, w, name="scores")
    z = tf.nn.relu(y * 2.0)
    assert (y.op.name, y.op.type) == ("scores", "MatMul")
    assert [t.name for t in y.op.inputs] == ["x:0", "w:0"] and y.op.outputs == [y]
    assert (x.op.type, w.op.type, z.op.type, z.op.inputs[0].op.type) == \
        ("Placeholder", "VariableV2", "Relu", "Mul")
    assert y.op.graph is tf.get_default_graph() and y.op.device == ""
    assert y.op.values() == (y,) and y.consumers() == [z.op.inputs[0].op]
    assert repr(y.op) == "<tf.Operation 'scores' type=MatMul>"


def test_outputs_of_a_node_with_several_are_its_tensors_in_order():
    a, b = tf.py_func(lambda v: (v + 1, v * 2), [tf.constant([1.0, 2.0])], [tf.float32] * 2,
                      name="pair")
    assert a.op == b.op and [t.name for t in a.op.outputs] == ["pair:0", "pair:1"]
    assert b.op.name == "pair" and b.value_index == 1


def test_operations_of_the_graph_by_list_and_by_name():
    x = tf.placeholder(tf.float32, name="x")
    tf.identity(x, name="copy")
    graph = tf.get_default_graph()
    assert [(op.name, op.type) for op in graph.get_operations()] == \
        [("x", "Placeholder"), ("copy", "Identity")]
    assert graph.get_operation_by_name("copy").inputs == [x]
    assert graph.get_operation_by_name("copy:0") == graph.get_operations()[1]


def test_attributes_of_an_operation():
    s = tf.reduce_sum(tf.ones([2, 3]), axis=1, name="rows")
    assert s.op.get_attr("axis") in (1, (1,))
    with pytest.raises(ValueError, match=r"Operation 'rows' \(Sum\) has no attr named 'strides'"):
        s.op.get_attr("strides")
    assert s.op.node_def.name == "rows" and s.op.node_def.op == "Sum"


def test_running_grouping_and_waiting_on_operations():
    v = tf.Variable(0.0, name="counter")
    step = v.assign_add(1.0)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        assert s.run(step.op) is None and s.run(v) == 1.0
        assert s.run([step.op, v])[0] is None
        s.run(tf.group(step.op, step.op))
        assert s.run(v) == 3.0  # one node, run once per step
        with s.as_default():
            step.op.run()
        with tf.control_dependencies([step.op]):
            read = tf.identity(v)
        assert s.run(read) == 5.0
    assert [op.name for op in read.op.control_inputs] == [step.op.name]


def test_a_train_op_is_run_like_any_operation():
    x = tf.Variable([3.0], name="x")
    train = tf.train.GradientDescentOptimizer(0.5).minimize(tf.reduce_sum(x * x))
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        assert s.run(train.op) is None
        np.testing.assert_allclose(s.run(x), [0.0])


def test_unnamed_nodes_are_named_by_their_op_type_as_in_tf1():
    x = tf.placeholder(tf.float32, [None, 3])
    w = tf.Variable(tf.ones([3, 2]))
    y = tf.nn.relu(tf.matmul(x, w))
    z = tf.matmul(x, w)
    with tf.name_scope("loss"):
        total = tf.reduce_sum(tf.square(y - 1.0))
    assert [t.name for t in (x, w, y, z, total)] == \
        ["Placeholder:0", "Variable:0", "Relu:0", "MatMul_1:0", "loss/Sum:0"]
    assert y.op.inputs[0].name == "MatMul:0" and total.op.inputs[0].op.type == "Square"
