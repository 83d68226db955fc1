"""Every op of the op table, with its gradient nodes, gives the same values after a meta graph."""
import numpy as np
import pytest

import passos as P
import passos.compat.v1 as tf
from passos.graph import gradients

from op_table import CASES, case_inputs, is_float
from tf1_graphs import fresh_graph  # noqa: F401 - an autouse fixture


def build(case, arrays):
    """The case on placeholders 'x0', 'x1' ..., and the gradients of a weighted sum of it."""
    xs = [tf.placeholder(x.dtype, x.shape, name=f"x{i}") for i, x in enumerate(arrays)]
    y = case.fn(*xs)
    floats = [x for x, a in zip(xs, arrays) if is_float(a)]
    eager = case.fn(*[P.tensor(a) for a in arrays]).data  # the shape, known even where y's is not
    weights = np.random.default_rng(1).normal(size=eager.shape) + 1.0
    grads = gradients(P.sum(y * weights), floats) if floats else []
    tf.add_to_collection("fetches", y)
    for g in grads:
        tf.add_to_collection("fetches", g)
    return [y, *grads]


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_op_and_gradient_round_trip(case, tmp_path):
    arrays = case_inputs(case)
    fetches = build(case, arrays)
    feed = {f"x{i}:0": x for i, x in enumerate(arrays)}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        expected = sess.run(fetches, feed)
    path = str(tmp_path / "op.meta")
    tf.train.export_meta_graph(path)
    with tf.Graph().as_default():
        tf.train.import_meta_graph(path)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got = sess.run(tf.get_collection("fetches"), feed)
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)
