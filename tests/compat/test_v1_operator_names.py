"""Nodes made by Python operators on TF1 graph tensors are named as TF 1.15 names them
(`a * b` is 'mul', `tf.multiply(a, b)` 'Mul'); eager tensors and passos graphs keep theirs."""
import numpy as np

import passos
import passos.compat.v1 as tf
import passos.graph as g
from tf1_graphs import fresh_graph, run  # noqa: F401


def _names(*tensors):
    return [t.name for t in tensors]


def test_arithmetic_operators_name_their_nodes_as_tf1():
    x = tf.placeholder(tf.float32, [2, 3], name="x")
    assert _names(x * 2.0, 2.0 * x, x + x, x - 1.0, 1.0 - x, x / 2.0, 2.0 / x, x ** 2.0) == \
        ["mul:0", "mul_1:0", "add:0", "sub:0", "sub_1:0", "truediv:0", "truediv_1:0", "pow:0"]
    assert _names(x @ tf.ones([3, 2]), x[0], x[:, 1:]) == \
        ["matmul:0", "strided_slice:0", "strided_slice_1:0"]
    assert [(t.op.type, t.op.name) for t in (x * x, x[0])] == \
        [("Mul", "mul_2"), ("StridedSlice", "strided_slice_2")]


def test_operators_tf1_names_by_op_type_keep_it():
    x = tf.placeholder(tf.float32, [2], name="x")
    assert _names(-x, abs(x), x < 1.0, x <= 1.0, x > 1.0, x >= 1.0) == \
        ["Neg:0", "Abs:0", "Less:0", "LessEqual:0", "Greater:0", "GreaterEqual:0"]


def test_integer_and_logical_operators_name_their_nodes_as_tf1():
    i = tf.placeholder(tf.int32, [2], name="i")
    b = tf.placeholder(tf.bool, [2], name="b")
    assert _names(i // 2, 7 // i, i % 3, 7 % i) == \
        ["floordiv:0", "floordiv_1:0", "mod:0", "mod_1:0"]
    assert _names(b & b, b | b, b ^ b, b & True, ~b) == \
        ["and:0", "or:0", "xor:0", "and_1:0", "LogicalNot:0"]
    out = run([i // 2, i % 3, b ^ True], {i: [7, -7], b: [True, False]})
    np.testing.assert_array_equal(out[0], [3, -4])
    np.testing.assert_array_equal(out[1], [1, 2])
    np.testing.assert_array_equal(out[2], [False, True])


def test_functions_keep_op_type_names_and_explicit_names_win():
    a = tf.placeholder(tf.float32, [2], name="a")
    assert _names(tf.multiply(a, a), a * a, tf.add(a, a), a + a, tf.matmul([[1.0]], [[2.0]])) == \
        ["Mul:0", "mul:0", "Add:0", "add:0", "MatMul:0"]
    assert tf.multiply(a, a, name="mul").name == "mul_1:0"  # one name space for both


def test_operator_nodes_take_the_name_scope_and_are_found_by_name():
    W1 = tf.Variable([[2.0, 0.0], [0.0, 3.0]], name="W1")
    x = tf.placeholder(tf.float32, [2, 1], name="x")
    with tf.name_scope("layer"):
        h = W1 @ x
        y = W1 * x
    graph = tf.get_default_graph()
    assert _names(h, y) == ["layer/matmul:0", "layer/mul:0"]
    assert graph.get_tensor_by_name("layer/mul:0") is y
    assert graph.get_operation_by_name("layer/matmul").outputs == [h]
    np.testing.assert_allclose(run(graph.get_tensor_by_name("layer/mul:0"), {x: [[1.0], [2.0]]}),
                               [[2.0, 0.0], [0.0, 6.0]])


def test_tensor_lookups_by_operator_names():
    x = tf.placeholder(tf.float32, [3], name="x")
    loss = tf.reduce_mean(x * x)
    assert loss.op.inputs[0].name == "mul:0"
    assert tf.get_default_graph().get_tensor_by_name("mul:0") is loss.op.inputs[0]


def test_eager_tensors_and_passos_graphs_keep_their_names():
    t = passos.tensor([1.0, 2.0])
    assert (t * 2.0).name is None and (t[0] + t).name is None and (-t).name is None
    with g.Graph().as_default():
        p = g.placeholder("float32", (2,), name="p")
        assert [(p * 2.0).name, (p + p).name, p[0].name, (p @ p).name] == \
            ["multiply", "add", "getitem", "matmul"]
