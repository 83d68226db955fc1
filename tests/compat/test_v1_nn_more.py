"""tf.nn.conv1d, conv2d_transpose, conv3d, atrous_conv2d, max_pool3d and avg_pool3d against PyTorch;
tf.einsum against torch.einsum; tf.multinomial and tf.random.categorical draws; gradients by
finite differences and the error messages."""
import numpy as np
import pytest

import passos
import passos.compat.v1 as tf
from passos.gradcheck import numeric_gradient

from tf1_graphs import fresh_graph, run  # noqa: F401 - fresh_graph: an autouse fixture

torch = pytest.importorskip("torch")
F = torch.nn.functional
rng = np.random.default_rng(0)


def first(x):
    """channels_last -> channels_first, as a float64 torch tensor."""
    return torch.tensor(np.moveaxis(x, -1, 1))


def last(t):
    return np.moveaxis(t.detach().numpy(), 1, -1)


def check_gradients(build, *arrays):
    """tf.gradients of sum(build(*inputs) * w) against finite differences, in float64."""
    arrays = [a.copy() for a in arrays]  # perturbed in place
    xs = [tf.placeholder(tf.float64, a.shape) for a in arrays]
    y = build(*xs)
    feed = dict(zip(xs, arrays))
    w = rng.normal(size=run(y, feed).shape)
    loss = tf.reduce_sum(y * w)
    grads = run(tf.gradients(loss, xs), feed)
    for i, (a, g) in enumerate(zip(arrays, grads)):
        np.testing.assert_allclose(g, numeric_gradient(lambda: run(loss, feed), a), rtol=1e-5,
                                   atol=1e-6, err_msg=f"input {i}")


def test_conv1d_matches_torch_and_has_gradients():
    x, W = rng.normal(size=(2, 9, 3)), rng.normal(size=(3, 3, 4))
    for padding, stride in (("VALID", 1), ("SAME", 2)):
        y = run(tf.nn.conv1d(tf.constant(x), tf.constant(W), stride, padding))
        pad = (1, 1) if padding == "SAME" else (0, 0)
        want = F.conv1d(F.pad(first(x), pad), torch.tensor(W.transpose(2, 1, 0)), stride=stride)
        np.testing.assert_allclose(y, last(want), rtol=1e-10)
    y = run(tf.nn.conv1d(value=tf.constant(x), filters=tf.constant(W), stride=[1, 1, 1],
                         padding="VALID", use_cudnn_on_gpu=True, name="c"))
    assert y.shape == (2, 7, 4)
    check_gradients(lambda a, b: tf.nn.conv1d(a, b, 2, "SAME"), x, W)


def test_conv3d_and_3d_pooling_match_torch():
    x, W = rng.normal(size=(2, 5, 4, 6, 2)), rng.normal(size=(2, 3, 2, 2, 3))
    y = run(tf.nn.conv3d(tf.constant(x), tf.constant(W), [1, 1, 1, 2, 1], "VALID"))
    want = F.conv3d(first(x), torch.tensor(W.transpose(4, 3, 0, 1, 2)), stride=(1, 1, 2))
    np.testing.assert_allclose(y, last(want), rtol=1e-10)
    k, s = [1, 2, 2, 2, 1], [1, 2, 2, 2, 1]
    mx, av = run([tf.nn.max_pool3d(tf.constant(x), k, s, "VALID"),
                  tf.nn.avg_pool3d(tf.constant(x), k, s, "VALID")])
    np.testing.assert_allclose(mx, last(F.max_pool3d(first(x), 2)), rtol=1e-12)
    np.testing.assert_allclose(av, last(F.avg_pool3d(first(x), 2)), rtol=1e-12)
    check_gradients(lambda a, b: tf.nn.conv3d(a, b, [1, 1, 2, 1, 1], "SAME"), x[:1, :3], W)
    check_gradients(lambda a: tf.nn.avg_pool3d(a, k, [1, 1, 1, 1, 1], "SAME"), x[:1, :3])


def test_conv2d_transpose_matches_torch_with_a_tensor_output_shape():
    x, W = rng.normal(size=(2, 7, 7, 4)), rng.normal(size=(4, 4, 3, 4))  # (h, w, out, in)
    value = tf.placeholder(tf.float64, [None, 7, 7, 4])
    shape = tf.stack([tf.shape(value)[0], 14, 14, 3])
    y = tf.nn.conv2d_transpose(value, tf.constant(W), shape, [1, 2, 2, 1], "SAME")
    assert y.shape == (None, 14, 14, 3)
    got = run(y, {value: x})
    # TF's SAME: 2 cells of padding in all, 1 before; torch crops padding=1 from each side
    want = F.conv_transpose2d(first(x), torch.tensor(W.transpose(3, 2, 0, 1)), stride=2,
                              padding=1)
    np.testing.assert_allclose(got, last(want), rtol=1e-10)
    valid = run(tf.nn.conv2d_transpose(tf.constant(x), tf.constant(W), [2, 17, 16, 3],
                                       [1, 2, 2, 1], "VALID"))
    want = F.conv_transpose2d(first(x), torch.tensor(W.transpose(3, 2, 0, 1)), stride=2,
                              output_padding=(1, 0))
    np.testing.assert_allclose(valid, last(want), rtol=1e-10)
    check_gradients(lambda a, b: tf.nn.conv2d_transpose(a, b, [1, 13, 14, 3], [1, 2, 2, 1]),
                    x[:1], W)


def test_atrous_conv2d_is_a_dilated_convolution():
    x, W = rng.normal(size=(1, 8, 8, 2)), rng.normal(size=(3, 3, 2, 3))
    y = run(tf.nn.atrous_conv2d(tf.constant(x), tf.constant(W), 2, "SAME"))
    want = F.conv2d(first(x), torch.tensor(W.transpose(3, 2, 0, 1)), padding=2, dilation=2)
    np.testing.assert_allclose(y, last(want), rtol=1e-10)
    check_gradients(lambda a, b: tf.nn.atrous_conv2d(a, b, 2, "VALID"), x, W)


@pytest.mark.parametrize("build, message", [
    (lambda x, W: tf.nn.conv2d_transpose(x, W, [2, 15, 14, 3], [1, 2, 2, 1]),
     r"conv2d_transpose: output_shape \(2, 15, 14, 3\) does not fit value of shape "
     r"\(2, 7, 7, 4\) and filter \(4, 4, 3, 4\): a 'SAME' convolution with strides \(2, 2\) "
     r"maps spatial size \(15, 14\) to \(8, 7\)"),
    (lambda x, W: tf.nn.conv2d_transpose(x, W, [2, 14, 14, 5], [1, 2, 2, 1]),
     r"output_shape \(2, 14, 14, 5\) has 5 channels but the filter of shape \(4, 4, 3, 4\) "
     r"makes 3"),
    (lambda x, W: tf.nn.conv2d_transpose(x, W, [14, 14, 3], [1, 2, 2, 1]),
     "output_shape must have 4 entries"),
    (lambda x, W: tf.nn.conv2d_transpose(x, W, [3, 14, 14, 3], [1, 2, 2, 1]),
     r"output_shape \(3, 14, 14, 3\) has batch 3 but value has shape \(2, 7, 7, 4\)"),
    (lambda x, W: tf.nn.conv2d_transpose(x, W, [2, 14, 14, 3], [2, 2, 2, 1]),
     "conv2d_transpose: strides .* does not support strides in the batch"),
    (lambda x, W: tf.nn.conv3d(x, W, [1, 1, 1, 1], "VALID"),
     r"Conv3D: strides must have 5 entries \(\[1, d, h, w, 1\] for NDHWC\)"),
    (lambda x, W: tf.nn.conv1d(x, W, 1, "VALID", data_format="NHWC"),
     "conv1d: data_format must be 'NWC' or 'NCW'"),
    (lambda x, W: tf.nn.max_pool3d(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"),
     "MaxPool3D: ksize must have 5 entries"),
])
def test_errors_name_the_op_and_the_shapes(build, message):
    x = tf.constant(np.ones((2, 7, 7, 4)))
    W = tf.constant(np.ones((4, 4, 3, 4)))
    with pytest.raises(ValueError, match=message):
        build(x, W)


def test_conv2d_transpose_needs_known_spatial_sizes():
    x = tf.placeholder(tf.float32, [None, 7, 7, 4])
    n = tf.placeholder(tf.int32, [])
    with pytest.raises(ValueError, match="height and width of output_shape known"):
        tf.nn.conv2d_transpose(x, tf.ones([4, 4, 3, 4]), tf.stack([2, n, 14, 3]), [1, 2, 2, 1])


@pytest.mark.parametrize("equation, shapes", [
    ("ij,jk->ik", [(3, 4), (4, 2)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ii->", [(3, 3)]), ("ij->j", [(2, 3)]), ("i,j", [(3,), (2,)]),
    ("...ij,jk->...ik", [(2, 3, 4), (4, 5)]), ("ij,jk,kl->li", [(2, 3), (3, 4), (4, 2)]),
])
def test_einsum_matches_torch_and_has_gradients(equation, shapes):
    arrays = [rng.normal(size=s) for s in shapes]
    y = run(tf.einsum(equation, *map(tf.constant, arrays)))
    np.testing.assert_allclose(y, torch.einsum(equation, *map(torch.tensor, arrays)).numpy(),
                               rtol=1e-10, atol=1e-12)
    check_gradients(lambda *xs: tf.einsum(equation, *xs), *arrays)
    assert tf.math.einsum is tf.einsum
    np.testing.assert_allclose(passos.einsum(equation, *arrays).numpy(), y, rtol=1e-12)


@pytest.mark.parametrize("equation, shapes, message", [
    ("ij,jk->ik", [(3, 4), (5, 2)], r"einsum: equation 'ij,jk->ik': letter 'j' has size 5 in "
                                    r"operand 1 \(shape \(5, 2\)\) but 4"),
    ("ij,jk->ik", [(3, 4)], r"einsum: equation 'ij,jk->ik' has 2 operand\(s\) but 1"),
    ("ijk->i", [(3, 4)], r"operand 0 subscripts 'ijk' but its shape is \(3, 4\)"),
    ("ij->z", [(3, 4)], "output letter 'z' appears in no operand"),
])
def test_einsum_errors(equation, shapes, message):
    with pytest.raises(ValueError, match=message):
        tf.einsum(equation, *[tf.placeholder(tf.float32, s) for s in shapes])


def test_multinomial_draws_per_run_with_softmax_frequencies():
    p = np.array([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]])
    logits = tf.placeholder(tf.float32, [None, 3])
    draws = tf.multinomial(logits, 20000)
    assert draws.shape == (None, 20000) and draws.dtype == tf.int64
    with tf.Session() as s:
        a, b = (s.run(draws, {logits: np.log(p + 1e-30)}) for _ in range(2))
    assert a.shape == (2, 20000) and a.dtype == np.int64 and not np.array_equal(a, b)
    for row, probs in zip(a, p):  # 5 standard deviations of a binomial count
        counts = np.bincount(row, minlength=3)
        assert np.all(np.abs(counts - 20000 * probs) <= 5 * np.sqrt(20000 * probs * (1 - probs)))
    assert not np.any(a[1] == 2)  # a zero-probability class never comes


def test_categorical_dtype_and_seeds_restart_with_each_session():
    draws = tf.random.categorical(tf.zeros([4, 10]), 7, dtype=tf.int32, seed=3)
    assert draws.dtype == tf.int32
    first_run = run(draws)
    assert first_run.shape == (4, 7) and first_run.dtype == np.int32
    np.testing.assert_array_equal(run(draws), first_run)
    with pytest.raises(TypeError, match="categorical: the samples are class indices"):
        tf.random.categorical(tf.zeros([4, 10]), 7, dtype=tf.float32)
    with pytest.raises(ValueError, match=r"multinomial: logits must be 2-D \(batch, classes\)"):
        tf.multinomial(tf.zeros([10]), 3)
