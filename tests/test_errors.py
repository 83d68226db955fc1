"""The messages of the clear errors, pinned: who failed, what, both shapes, and the fix."""
import numpy as np
import pytest

import passos as P
import passos.graph as G


def t(*shape):
    return P.tensor(np.ones(shape), requires_grad=True)


@pytest.fixture
def graph():
    graph = G.Graph()
    with graph.as_default():
        yield graph


# -- backward ---------------------------------------------------------------------------
def test_non_scalar_backward():
    with pytest.raises(RuntimeError, match=r"^backward\(\): the tensor has shape \(2, 3\), not a single "
                       r"value; reduce it first \(e\.g\. \.sum\(\) or \.mean\(\)\) or pass grad= "
                       r"with the same shape$"):
        (t(2, 3) * 2).backward()


def test_backward_twice():
    y = (t(2) * t(2)).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"^backward: the graph through 'sum' was already used by "
                       r"an earlier backward\(\) and its saved values were freed; call "
                       r"backward\(retain_graph=True\) the first time"):
        y.backward()


def test_backward_without_requires_grad():
    with pytest.raises(RuntimeError, match=r"does not require grad; create the inputs with "
                       r"passos\.tensor\(\.\.\., requires_grad=True\)"):
        P.tensor([1.0, 2.0]).sum().backward()


def test_backward_grad_shape():
    with pytest.raises(ValueError, match=r"^backward\(\): grad has shape \(3,\) but the tensor "
                       r"has shape \(2,\)$"):
        (t(2) * 2).backward(grad=np.ones(3))


# -- shapes, eager --------------------------------------------------------------------------
def test_matmul_shape_mismatch_eager():
    with pytest.raises(P.ShapeError, match=r"^matmul: shapes \(2, 3\) and \(4, 5\) are not aligned: "
                       r"the last dimension of the first \(3\) must equal the second-to-last "
                       r"dimension of the second \(4\)$"):
        t(2, 3) @ t(4, 5)


def test_matmul_vector_mismatch_eager():
    with pytest.raises(P.ShapeError, match=r"matmul: shapes \(2, 3\) and \(4,\) are not aligned: .*"
                       r"must equal the only dimension of the second \(4\)"):
        P.matmul(t(2, 3), t(4))


def test_matmul_scalar_input():
    with pytest.raises(P.ShapeError, match=r"matmul: inputs must be at least 1-D, got shapes "
                       r"\(\) and \(2, 3\)"):
        P.matmul(P.tensor(2.0), t(2, 3))


def test_broadcast_mismatch():
    with pytest.raises(P.ShapeError, match=r"^add: shapes \(2, 3\) and \(4,\) cannot be broadcast "
                       r"together \(axis -1: \[3, 4\]\)$"):
        t(2, 3) + t(4)


def test_broadcast_mismatch_is_a_value_error():
    with pytest.raises(ValueError, match="multiply: shapes"):
        t(2, 3) * t(3, 3)


def test_broadcast_to_mismatch():
    with pytest.raises(P.ShapeError, match=r"broadcast_to: .*\(2, 3\).*\(3, 3\)"):
        P.broadcast_to(t(2, 3), (3, 3))


def test_reshape_wrong_size():
    with pytest.raises(P.ShapeError, match=r"^reshape: cannot reshape a tensor of shape \(2, 3\) "
                       r"\(6 values\) into \(4, 2\) \(8 values\)$"):
        P.reshape(t(2, 3), (4, 2))
    with pytest.raises(P.ShapeError, match=r"reshape: cannot reshape a tensor of shape \(2, 3\) "
                       r"\(6 values\) into \(-1, 4\)"):
        t(2, 3).reshape(-1, 4)


def test_reshape_two_unknowns():
    with pytest.raises(P.ShapeError, match=r"reshape: only one dimension of \(-1, -1\) may be -1"):
        P.reshape(t(2, 3), (-1, -1))


@pytest.mark.parametrize("call, message", [
    (lambda x: P.sum(x, axis=2), r"^sum: axis 2 is out of range for a tensor of rank 2$"),
    (lambda x: P.mean(x, axis=-3), r"^mean: axis -3 is out of range for a tensor of rank 2$"),
    (lambda x: P.max(x, axis=(0, 5)), r"^max: axis 5 is out of range for a tensor of rank 2$"),
    (lambda x: P.sum(x, axis=(1, -1)), r"^sum: repeated axis in \(1, -1\)$"),
    (lambda x: P.softmax(x, axis=2), r"^softmax: axis 2 is out of range for a tensor of rank 2$"),
    (lambda x: P.log_softmax(x, axis=-3), r"^log_softmax: axis -3 is out of range"),
    (lambda x: P.concatenate([x, x], axis=2), r"^concatenate: axis 2 is out of range"),
    (lambda x: P.stack([x, x], axis=4), r"^stack: axis 4 is out of range for a tensor of rank 3$"),
])
def test_bad_axis(call, message):
    with pytest.raises(P.ShapeError, match=message):
        call(t(2, 3))


def test_transpose_bad_axes():
    with pytest.raises(P.ShapeError, match=r"transpose: axes \(0, 0\) are not a permutation of the 2 "
                       r"axes of shape \(2, 3\)"):
        P.transpose(t(2, 3), (0, 0))


def test_concatenate_and_stack_mismatch():
    with pytest.raises(P.ShapeError, match=r"concatenate: shapes \(2, 3\) and \(2, 4\) differ in "
                       r"dimension 1; only axis 0 may differ"):
        P.concatenate([t(2, 3), t(2, 4)])
    with pytest.raises(P.ShapeError, match=r"concatenate: inputs must have the same rank, got "
                       r"shapes \(2, 3\), \(3,\)"):
        P.concatenate([t(2, 3), t(3)])
    with pytest.raises(P.ShapeError, match=r"stack: all inputs need the same shape, got \(2, 3\) "
                       r"and \(3, 2\)"):
        P.stack([t(2, 3), t(3, 2)])


def test_pad_needs_one_pair_per_axis_in_eager_mode_too():
    with pytest.raises(P.ShapeError, match=r"pad: 1 \(before, after\) pairs given for a tensor of "
                       r"shape \(2, 3\); give one pair per axis"):
        P.pad(t(2, 3), ((1, 1),))
    with pytest.raises(P.ShapeError, match=r"pad: paddings must be non-negative"):
        P.pad(t(2, 3), ((1, 1), (-1, 0)))


def test_index_out_of_range():
    with pytest.raises(P.ShapeError, match=r"getitem: index 5 does not fit shape \(2, 3\)"):
        t(2, 3)[5]


def test_sparse_labels():
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\), got values from 0 to 3"):
        P.sparse_softmax_cross_entropy(t(2, 3), np.array([0, 3]))
    with pytest.raises(P.ShapeError, match=r"sparse_softmax_cross_entropy: labels of shape \(3,\) do "
                       r"not match logits of shape \(2, 3\); labels need the logits' shape "
                       r"without its last axis"):
        P.sparse_softmax_cross_entropy(t(2, 3), np.array([0, 1, 1]))


# -- values and dtypes -------------------------------------------------------------------------
def test_clip_without_bounds():
    with pytest.raises(ValueError, match=r"^clip: give min_value, max_value or both$"):
        P.clip(t(2), None, None)


def test_item_of_many_values():
    with pytest.raises(ValueError, match=r"item\(\): tensor has 6 elements \(shape \(2, 3\)\); only "
                       r"one-element tensors convert to a number"):
        t(2, 3).item()


def test_unknown_dtype():
    with pytest.raises(TypeError, match=r"unknown dtype 'flot32'; use e\.g\. 'float32'"):
        P.tensor([1.0], dtype="flot32")


def test_requires_grad_on_integers():
    with pytest.raises(TypeError, match=r"only floating-point tensors can require grad, got dtype "
                       r"int64; pass dtype='float32'"):
        P.tensor([1, 2], dtype="int64", requires_grad=True)


def test_tensor_from_objects():
    with pytest.raises(TypeError, match=r"cannot make a tensor from dict data"):
        P.tensor({"a": 1})


# -- graph ----------------------------------------------------------------------------------
def test_matmul_shape_mismatch_graph(graph):
    x = G.placeholder("float32", (None, 784), name="images")
    w = G.Variable(np.zeros((128, 10)), name="dense/kernel")
    with pytest.raises(P.ShapeError, match=r"^matmul: shapes \(\?, 784\) and \(128, 10\) are not "
                       r"aligned: the last dimension of the first \(784\) must equal the "
                       r"second-to-last dimension of the second \(128\) \(building node 'matmul' "
                       r"from 'images' \(\?, 784\), 'dense/kernel' \(128, 10\)\)$"):
        P.matmul(x, w)


def test_shape_error_names_the_node_inside_a_scope(graph):
    x = G.placeholder("float32", (None, 3), name="x")
    with graph.name_scope("layer"):
        with pytest.raises(P.ShapeError, match=r"building node 'layer/add' from 'x' \(\?, 3\), a "
                           r"constant \(4,\)"):
            x + np.ones(4, np.float32)


def test_broadcast_mismatch_graph(graph):
    a = G.placeholder("float32", (None, 3), name="a")
    b = G.placeholder("float32", (2, 4), name="b")
    with pytest.raises(P.ShapeError, match=r"^add: shapes \(\?, 3\) and \(2, 4\) cannot be broadcast "
                       r"together \(axis -1: \[3, 4\]\) \(building node 'add' from 'a' \(\?, 3\), "
                       r"'b' \(2, 4\)\)$"):
        a + b


def test_bad_axis_graph(graph):
    a = G.placeholder("float32", (None, 3), name="a")
    with pytest.raises(P.ShapeError, match=r"^sum: axis 3 is out of range for a tensor of rank 2 "
                       r"\(building node 'sum' from 'a' \(\?, 3\)\)$"):
        P.sum(a, axis=3)


def test_reshape_wrong_size_graph(graph):
    a = G.placeholder("float32", (2, 3), name="a")
    with pytest.raises(P.ShapeError, match=r"reshape: cannot reshape a tensor of shape \(2, 3\) "
                       r"\(6 values\) into \(4, 2\) \(8 values\) \(building node 'reshape' from 'a'"):
        P.reshape(a, (4, 2))


def test_runtime_shape_error_names_the_node(graph):
    a = G.placeholder("float32", (None, 3), name="a")
    b = G.placeholder("float32", (None, 3), name="b")
    c = a + b
    with pytest.raises(P.ShapeError, match=r"^while running node 'add': add: shapes \(2, 3\) and "
                       r"\(4, 3\) cannot be broadcast together"):
        G.Session(graph).run(c, {a: np.ones((2, 3)), b: np.ones((4, 3))})


def test_wrong_feed_shape(graph):
    x = G.placeholder("float32", (None, 784), name="images")
    with pytest.raises(ValueError, match=r"^feed_dict: placeholder 'images' has shape \(\?, 784\); "
                       r"cannot feed a value of shape \(32, 28, 28\)$"):
        G.Session(graph).run(x * 2, {x: np.zeros((32, 28, 28))})


def test_wrong_feed_dtype(graph):
    labels = G.placeholder("int64", (None,), name="labels")
    with pytest.raises(TypeError, match=r"^feed_dict: placeholder 'labels' has dtype int64; cannot "
                       r"feed values of dtype float64$"):
        G.Session(graph).run(labels * 2, {labels: np.array([0.5])})


def test_missing_feed(graph):
    x = G.placeholder("float32", (None, 784), name="images")
    with pytest.raises(ValueError, match=r"^placeholder 'images' \(dtype float32, shape \(\?, 784\)\) "
                       r"needs a value: pass it in feed_dict=\{images: \.\.\.\}$"):
        G.Session(graph).run(x * 2)


def test_uninitialised_variable(graph):
    w = G.Variable(np.zeros(3), name="dense/bias")
    with pytest.raises(RuntimeError, match=r"^variable 'dense/bias' is not initialised in this "
                       r"Session: run global_variables_initializer\(\) \(or the variable's "
                       r"initializer\) first$"):
        G.Session(graph).run(w + 1)


def test_symbol_has_no_truth_value(graph):
    x = G.placeholder("float32", (None,), name="x")
    with pytest.raises(TypeError, match=r"'greater' is symbolic and has no truth value until a Session "
                       r"runs it; use passos\.where\(\)"):
        if x > 0:
            pass


def test_fetch_of_a_non_symbol(graph):
    with pytest.raises(TypeError, match=r"Session\.run\(\): cannot fetch int 3; fetch graph symbols"):
        G.Session(graph).run(3)


def test_unknown_node_name(graph):
    with pytest.raises(KeyError, match="no node named 'missing' in this graph"):
        graph.get_tensor_by_name("missing:0")


def test_reset_default_graph_inside_a_block(graph):
    with pytest.raises(RuntimeError, match=r"reset_default_graph\(\): not allowed inside"):
        G.reset_default_graph()
