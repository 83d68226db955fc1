"""tf.gather_nd, scatter_nd, the segment reductions, cumsum, cumprod, boolean_mask,
reverse_sequence and sequence_mask: values against NumPy with TF1's rules, gradients by finite
differences, errors; shape and maxlen given as tensors."""
import numpy as np
import pytest

import passos.compat.v1 as tf
from passos.gradcheck import numeric_gradient

from tf1_graphs import fresh_graph, run  # noqa: F401 - fresh_graph: an autouse fixture

rng = np.random.default_rng(0)


def check_gradient(build, value):
    """tf.gradients of sum(w * build(x)) against central differences, in float64."""
    x = tf.placeholder(tf.float64, value.shape)
    y = build(x)
    w = rng.normal(size=run(tf.shape(y), {x: value}))
    loss = tf.reduce_sum(y * w)
    (g,) = run(tf.gradients(loss, [x]), {x: value})
    with tf.Session() as s:
        numeric = numeric_gradient(lambda: float(s.run(loss, {x: value})), value)
    np.testing.assert_allclose(g, numeric, atol=1e-6)


def test_gather_nd_and_scatter_nd_values():
    p = rng.normal(size=(3, 4, 2)).astype(np.float32)
    i = np.array([[0, 1], [2, 3], [0, 1]])
    out = run(tf.gather_nd(p, i))
    np.testing.assert_allclose(out, p[i[:, 0], i[:, 1]])
    assert run(tf.gather_nd(p, [[1, 2, 0]])).tolist() == [p[1, 2, 0]]
    scattered = run(tf.scatter_nd([[4], [3], [1], [7], [1]], tf.constant([9., 10, 11, 12, 1]), [8]))
    assert scattered.tolist() == [0, 12, 0, 10, 9, 0, 0, 12]  # index 1 twice: added


def test_segment_values_follow_tf1():
    data = np.array([[1., 2], [3, 4], [5, 6], [7, -8]], np.float32)
    assert run(tf.segment_sum(data, [0, 0, 2, 2])).tolist() == [[4, 6], [0, 0], [12, -2]]
    assert run(tf.segment_max(data, [0, 0, 2, 2])).tolist() == [[3, 4], [0, 0], [7, 6]]
    assert run(tf.segment_mean(data, [0, 0, 2, 2])).tolist() == [[2, 3], [0, 0], [6, -1]]
    assert run(tf.unsorted_segment_sum(data, [1, -1, 1, 0], 3)).tolist() == [[7, -8], [6, 8], [0, 0]]
    maxima = run(tf.unsorted_segment_max(data, [1, 0, 1, 0], 3))
    assert maxima[:2].tolist() == [[7, 4], [5, 6]] and (maxima[2] == np.finfo(np.float32).min).all()
    assert run(tf.math.unsorted_segment_mean(data, [1, 0, 1, 0], 2)).tolist() == [[5, -2], [3, 4]]


def test_min_prod_and_sqrt_n_segments_follow_tf1():
    data = np.array([[1., 2], [3, 0], [5, 6], [7, -8]], np.float32)
    assert run(tf.segment_min(data, [0, 0, 2, 2])).tolist() == [[1, 0], [0, 0], [5, -8]]
    assert run(tf.segment_prod(data, [0, 0, 2, 2])).tolist() == [[3, 0], [1, 1], [35, -48]]
    minima = run(tf.unsorted_segment_min(data, [1, 0, 1, -1], 3))
    assert minima[:2].tolist() == [[3, 0], [1, 2]] and (minima[2] == np.finfo(np.float32).max).all()
    assert run(tf.math.unsorted_segment_prod(data, [1, 0, 1, 0], 3)).tolist() == \
        [[21, 0], [5, 12], [1, 1]]
    roots = run(tf.unsorted_segment_sqrt_n(data, [1, 1, 1, 0], 3))
    np.testing.assert_allclose(roots, [[7, -8], [9 / np.sqrt(3), 8 / np.sqrt(3)], [0, 0]], rtol=1e-6)
    ints = run(tf.segment_min(np.array([4, 2, 9], np.int32), [0, 0, 1]))
    assert ints.dtype == np.int32 and ints.tolist() == [2, 9]


def test_gather_nd_with_batch_dims_picks_inside_each_batch_entry():
    p = rng.normal(size=(2, 3, 4, 5)).astype(np.float32)
    i = np.array([[[2, 1], [0, 3]], [[1, 1], [2, 0]]])  # (batch 2, 2 picks, 2 coordinates)
    y = tf.gather_nd(p, i, batch_dims=1)
    assert tuple(y.shape) == (2, 2, 5)
    want = np.stack([p[b][i[b, :, 0], i[b, :, 1]] for b in range(2)])
    np.testing.assert_array_equal(run(y), want)
    rows = tf.gather_nd(p, np.array([[[1], [2], [0]], [[0], [0], [3]]]), batch_dims=2)
    assert tuple(rows.shape) == (2, 3, 5)
    np.testing.assert_array_equal(run(rows)[1, 2], p[1, 2, 3])
    x = tf.placeholder(tf.float32, [None, 3, 4, 5])
    assert tuple(tf.gather_nd(x, i, batch_dims=1).shape) == (2, 2, 5)


def test_scatter_nd_shape_and_sequence_mask_maxlen_as_tensors():
    x = tf.placeholder(tf.float32, [None, 3])
    u = tf.placeholder(tf.float32, [None, 3])
    y = tf.scatter_nd([[2], [0]], u, tf.shape(x))
    assert tuple(y.shape) == (None, 3)
    got = run(y, {x: np.zeros((4, 3)), u: [[1, 2, 3], [4, 5, 6]]})
    assert got.tolist() == [[4, 5, 6], [0, 0, 0], [1, 2, 3], [0, 0, 0]]
    mixed = tf.scatter_nd([[1, 0]], [7.0], [tf.shape(x)[0], 2])
    assert tuple(mixed.shape) == (None, 2)
    assert run(mixed, {x: np.zeros((2, 3))}).tolist() == [[0, 0], [7, 0]]
    g = tf.gradients(tf.reduce_sum(y * [[1.0, 2, 3]]), u)[0]
    assert run(g, {x: np.zeros((4, 3)), u: np.zeros((2, 3))}).tolist() == [[1, 2, 3]] * 2
    lengths = tf.placeholder(tf.int32, [None])
    m = tf.sequence_mask(lengths, tf.shape(x)[0])
    assert tuple(m.shape) == (None, None)
    assert run(m, {lengths: [1, 3], x: np.zeros((4, 3))}).tolist() == \
        [[1, 0, 0, 0], [1, 1, 1, 0]]
    static = tf.sequence_mask(lengths, tf.shape(x)[1], dtype=tf.float32)
    assert tuple(static.shape) == (None, 3)
    assert run(static, {lengths: [2]}).tolist() == [[1, 1, 0]]
    assert run(tf.sequence_mask([2, 1], tf.constant(3))).tolist() == [[1, 1, 0], [1, 0, 0]]


def test_cumprod_options_match_numpy():
    a = rng.normal(size=(3, 4)).astype(np.float32)
    x = tf.constant(a)
    exclusive = np.concatenate([np.ones((3, 1)), np.cumprod(a, 1)[:, :-1]], 1)
    cases = {(1, False, False): np.cumprod(a, 1), (0, False, False): np.cumprod(a, 0),
             (1, True, False): exclusive,
             (-1, False, True): np.cumprod(a[:, ::-1], 1)[:, ::-1],
             (1, True, True): np.concatenate([np.cumprod(a[:, ::-1], 1)[:, ::-1][:, 1:],
                                              np.ones((3, 1))], 1)}
    for (axis, excl, rev), want in cases.items():
        got = run(tf.cumprod(x, axis, exclusive=excl, reverse=rev))
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert tf.math.cumprod is tf.cumprod
    assert run(tf.cumprod([1, 2, 3])).tolist() == [1, 2, 6]


def test_segment_sum_size_is_known_at_run_time():
    x, ids = tf.placeholder(tf.float32, [None]), tf.placeholder(tf.int32, [None])
    y = tf.segment_sum(x, ids)
    assert tuple(y.shape) == (None,)
    assert run(y, {x: [1, 2, 3], ids: [0, 1, 1]}).tolist() == [1, 5]


def test_cumsum_options_match_numpy():
    a = rng.normal(size=(3, 4)).astype(np.float32)
    x = tf.constant(a)
    cases = {(1, False, False): np.cumsum(a, 1), (0, False, False): np.cumsum(a, 0),
             (1, True, False): np.cumsum(a, 1) - a,
             (1, False, True): np.cumsum(a[:, ::-1], 1)[:, ::-1],
             (-1, True, True): np.cumsum(a[:, ::-1], 1)[:, ::-1] - a}
    for (axis, exclusive, reverse), want in cases.items():
        got = run(tf.cumsum(x, axis, exclusive=exclusive, reverse=reverse))
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert tf.math.cumsum is tf.cumsum
    assert run(tf.cumsum([1, 2, 3])).tolist() == [1, 3, 6]


def test_boolean_mask_values_and_unknown_first_dimension():
    a = rng.normal(size=(3, 2, 4)).astype(np.float32)
    m = np.array([[True, False], [True, True], [False, False]])
    y = tf.boolean_mask(tf.constant(a), m)
    assert tuple(y.shape) == (None, 4)
    np.testing.assert_allclose(run(y), a[m])
    cols = tf.boolean_mask(tf.constant(a), [True, False, True, True], axis=2)
    assert tuple(cols.shape) == (3, 2, None)
    np.testing.assert_allclose(run(cols), a[:, :, [0, 2, 3]])


def test_reverse_sequence_and_sequence_mask():
    a = np.arange(24, dtype=np.float32).reshape(2, 4, 3)
    y = run(tf.reverse_sequence(a, [3, 1], seq_axis=1, batch_axis=0))
    np.testing.assert_array_equal(y[0], a[0, [2, 1, 0, 3]])
    np.testing.assert_array_equal(y[1], a[1])
    t = run(tf.reverse_sequence(a.transpose(1, 0, 2), [3, 1], seq_axis=0, batch_axis=1))
    np.testing.assert_array_equal(t, y.transpose(1, 0, 2))
    mask = tf.sequence_mask([1, 3, 0], 4)
    assert mask.dtype == tf.bool and tuple(mask.shape) == (3, 4)
    assert run(mask).tolist() == [[1, 0, 0, 0], [1, 1, 1, 0], [0, 0, 0, 0]]
    lengths = tf.placeholder(tf.int32, [None])
    floats = tf.sequence_mask(lengths, dtype=tf.float32)
    assert tuple(floats.shape) == (None, None)
    assert run(floats, {lengths: [2, 1]}).tolist() == [[1, 1], [1, 0]]


@pytest.mark.parametrize("build", [
    lambda x: tf.gather_nd(x, [[1, 0], [2, 2], [1, 0]]),
    lambda x: tf.scatter_nd([[2], [0], [2]], x, [4, 3]),
    lambda x: tf.segment_sum(x, [0, 0, 2]),
    lambda x: tf.unsorted_segment_sum(x, [1, -1, 1], 2),
    lambda x: tf.segment_mean(x, [0, 0, 1]),
    lambda x: tf.unsorted_segment_max(x, [1, 0, 1], 2),
    lambda x: tf.cumsum(x, 1, exclusive=True),
    lambda x: tf.cumsum(x, 0, reverse=True),
    lambda x: tf.boolean_mask(x, [True, False, True]),
    lambda x: tf.reverse_sequence(x, [2, 0, 3], seq_axis=1, batch_axis=0),
    lambda x: tf.segment_min(x, [0, 1, 1]),
    lambda x: tf.unsorted_segment_prod(x, [1, -1, 1], 3),
    lambda x: tf.unsorted_segment_sqrt_n(x, [1, 1, 1], 3),
    lambda x: tf.cumprod(x, 1, exclusive=True, reverse=True),
    lambda x: tf.gather_nd(x, [[2], [0], [0]], batch_dims=1),
    lambda x: tf.scatter_nd([[1], [3], [1]], x, tf.shape(tf.zeros([5, 3]))),
], ids=["gather_nd", "scatter_nd", "segment_sum", "unsorted_segment_sum", "segment_mean",
        "unsorted_segment_max", "cumsum_exclusive", "cumsum_reverse", "boolean_mask",
        "reverse_sequence", "segment_min", "unsorted_segment_prod", "unsorted_segment_sqrt_n",
        "cumprod", "gather_nd_batch_dims", "scatter_nd_shape_tensor"])
def test_gradients_match_finite_differences(build):
    value = rng.permutation(9).reshape(3, 3) * 0.3 + rng.uniform(-0.05, 0.05, size=(3, 3))
    check_gradient(build, value)


def test_errors_name_the_op_and_shapes():
    x = tf.placeholder(tf.float32, [3, 4])
    with pytest.raises(ValueError, match=r"gather_nd: .*\(2, 3\).*\(3, 4\)"):
        tf.gather_nd(x, [[0, 1, 2], [0, 0, 0]])
    with pytest.raises(ValueError, match=r"gather_nd: index 5 is out of range for axis 1 of size 4"):
        run(tf.gather_nd(np.zeros((3, 4)), [[0, 5]]))
    with pytest.raises(ValueError, match=r"scatter_nd: updates of shape \(2, 3\).*need shape \(2, 5\)"):
        tf.scatter_nd([[0], [1]], tf.zeros([2, 3]), [4, 5])
    with pytest.raises(ValueError, match=r"unsorted_segment_sum: segment_ids of shape \(4,\) must be "
                                         r"a prefix of data's shape \(3, 4\)"):
        tf.unsorted_segment_sum(x, [0, 1, 0, 1], 2)
    with pytest.raises(ValueError, match="segment_sum: segment_ids must be sorted"):
        run(tf.segment_sum(np.ones(3, np.float32), [1, 0, 1]))
    with pytest.raises(ValueError, match="num_segments = 2"):
        run(tf.unsorted_segment_sum(np.ones(3, np.float32), [0, 2, 1], 2))
    with pytest.raises(ValueError, match=r"boolean_mask: mask of shape \(4,\) must match the axes "
                                         r"0..0 of the tensor of shape \(3, 4\)"):
        tf.boolean_mask(x, [True, False, True, True])
    with pytest.raises(ValueError, match=r"reverse_sequence: .*shape \(3, 4\).*\(2,\)"):
        tf.reverse_sequence(x, [1, 2], seq_axis=1, batch_axis=0)
    with pytest.raises(ValueError, match=r"reverse_sequence: seq_lengths \[5, 1, 1\] must lie in 0..4"):
        run(tf.reverse_sequence(np.zeros((3, 4), np.float32), [5, 1, 1], seq_axis=1))
    with pytest.raises(ValueError, match="cumsum: .*axis"):
        tf.cumsum(x, axis=2)
    with pytest.raises(ValueError, match="cumprod: .*axis"):
        tf.cumprod(x, axis=-3)
    with pytest.raises(ValueError, match=r"gather_nd: with batch_dims=1, indices of shape "
                                         r"\(2, 1\) and params of shape \(3, 4\) must share"):
        tf.gather_nd(x, [[0], [1]], batch_dims=1)
    with pytest.raises(ValueError, match=r"gather_nd: batch_dims must be a non-negative int"):
        tf.gather_nd(x, [[0]], batch_dims=-1)
    dims = tf.placeholder(tf.int32, [2])
    with pytest.raises(ValueError, match=r"scatter_nd: updates of shape \(1, 4\) do not fit "
                                         r"indices of shape \(1, 1\) into shape \(2, 3\)"):
        run(tf.scatter_nd([[0]], tf.zeros([1, 4]), dims), {dims: [2, 3]})
    with pytest.raises(TypeError, match=r"sequence_mask: maxlen must be an integer tensor, but "
                                        r"'Placeholder.*' has dtype float32"):
        tf.sequence_mask([1, 2], tf.placeholder(tf.float32, []))
