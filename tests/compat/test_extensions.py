"""TF1's methods on graph nodes come through the graph layer's declared extension point."""
import numpy as np
import pytest

import passos.compat.v1 as tf
import passos.graph as g
from passos.graph.graph import extend


@pytest.mark.parametrize("make", [tf.Graph, g.Graph, None], ids=["tf.Graph", "passos Graph",
                                                                 "default graph"])
def test_tf1_methods_work_on_every_graph(make):
    if make is None:  # a fresh default graph, as a TF1 program starts with (other tests use it)
        tf.reset_default_graph()
    graph = make() if make else tf.get_default_graph()
    with graph.as_default():
        x = tf.constant([7, -3], name="x")
        v = tf.Variable([1.0, 2.0], name="v")
        flags = tf.constant([True, False])
        tf.add_to_collection("mine", x)
        with tf.Session() as sess:
            sess.run(v.initializer)
            v.load([5.0, 6.0], sess)
            assert (x // 2).eval().tolist() == [3, -2] and (x % 2).eval().tolist() == [1, 1]
            assert (7 // x).eval().tolist() == [1, -3]
            assert (~flags).eval().tolist() == [False, True]
            assert (flags & flags).eval().tolist() == [True, False]
            assert (flags | ~flags).eval().tolist() == [True, True]
            assert v.value().eval().tolist() == v.read_value().eval().tolist() == [5.0, 6.0]
            assert [r.eval() for r in x] == [7, -3]
            assert x.get_shape().as_list() == [2]
            assert tf.global_variables_initializer().run() is None
    assert graph.get_operation_by_name("x") == x.op and graph.get_operation_by_name("x").outputs == [x]
    assert graph.get_collection("mine") == [x]
    if make is None:
        tf.reset_default_graph()


def test_extend_adds_names_and_never_replaces_the_core():
    with pytest.raises(ValueError, match=r"\['name'\] belong to the core"):
        extend(g.Symbol, name=lambda self: "mine")
    with pytest.raises(ValueError, match=r"\['__add__'\] belong to the core"):
        extend(g.Symbol, __add__=lambda a, b: 0)
    with pytest.raises(TypeError, match="not Symbol"):
        extend(np.ndarray, eval=lambda self: 0)


def test_operators_without_a_front_end_method_stay_unsupported():
    with g.Graph().as_default():
        x = g.placeholder("float32", (2,), name="x")
    with pytest.raises(TypeError, match="unsupported operand"):
        [1, 2] ^ x  # noqa: B018 - tf registers __xor__, not the reflected __rxor__
    assert g.Symbol.__xor__.__name__ == "__xor__" and "__xor__" in vars(g.Symbol)
