"""kernels.pooling and kernels.conv_pool against plain NumPy: values, first-maximum gradients."""
import numpy as np
import pytest

from passos.kernels import conv_pool, im2col, pooling


def test_max_pool_grad_gives_each_window_to_its_first_maximum():
    x = np.array([[[1], [3], [3], [0], [2], [2]]], np.float64)  # ties inside windows
    y = pooling.max_pool(x, ((0, 0),), (2,), (2,), (3,))
    np.testing.assert_array_equal(y[0, :, 0], [3, 3, 2])
    gx = pooling.max_pool_grad(x, ((0, 0),), (2,), (2,), (3,), y, np.ones_like(y))
    np.testing.assert_array_equal(gx[0, :, 0], [0, 1, 1, 0, 1, 0])


def test_overlapping_windows_gather_every_gradient_and_padding_never_wins():
    x = -np.ones((1, 3, 1))
    x[0, 1] = 5
    pads = ((1, 1),)
    y = pooling.max_pool(x, pads, (3,), (1,), (3,))
    np.testing.assert_array_equal(y[0, :, 0], [5, 5, 5])
    gx = pooling.max_pool_grad(x, pads, (3,), (1,), (3,), y, np.ones_like(y))
    np.testing.assert_array_equal(gx[0, :, 0], [0, 3, 0])
    assert pooling.max_pool(-np.ones((1, 1, 1)), pads, (3,), (1,), (1,))[0, 0, 0] == -1


def test_avg_pool_counts_only_cells_inside_and_its_gradient_spreads_back():
    x = np.array([[[2.0], [4.0], [6.0]]])
    pads = ((1, 1),)
    y = pooling.avg_pool(x, pads, (3,), (1,), (3,))
    np.testing.assert_allclose(y[0, :, 0], [3, 4, 5])
    gx = pooling.avg_pool_grad(np.ones_like(y), (3,), pads, (3,), (1,), (3,))
    np.testing.assert_allclose(gx[0, :, 0], [1 / 2 + 1 / 3, 1 / 2 + 1 / 3 + 1 / 2, 1 / 3 + 1 / 2])


@pytest.mark.parametrize("channels", [1, 3])
def test_conv_pool_block_matches_conv_then_pool_then_relu(channels):
    rng = np.random.default_rng(0)
    x = rng.integers(-2, 3, size=(3, 6, 4, channels)).astype(np.float64)  # ties in the windows
    W = rng.integers(-1, 2, size=(3, 3, channels, 2)).astype(np.float64)
    b = np.array([0.5, -1.0])
    pads, out = ((1, 1), (1, 1)), (6, 4)
    W2 = np.concatenate([W.reshape(-1, 2), b[None]])
    cells, peak, y = conv_pool.forward_block(x, pads, (3, 3), out, W2, True)
    conv = im2col.correlate(x, pads, W.reshape(-1, 2), (3, 3), (1, 1), (1, 1), out, b)
    pooled = pooling.max_pool(conv, ((0, 0), (0, 0)), (2, 2), (2, 2), (3, 2))
    np.testing.assert_allclose(y, np.maximum(pooled, 0))
    gy = rng.normal(size=y.shape)
    gx = np.empty_like(x)
    gW, gb = conv_pool.block_vjp(gy, x, W, pads, out, cells, peak, True, True, gx)
    # the same gradients, step by step: ReLU, then pooling's first maxima, then the convolution
    gconv = pooling.max_pool_grad(conv, ((0, 0), (0, 0)), (2, 2), (2, 2), (3, 2), pooled,
                                  gy * (pooled > 0))
    np.testing.assert_allclose(gb, gconv.sum(axis=(0, 1, 2)))
    gW2 = im2col.kernel_grad(x, pads, gconv, (3, 3), (1, 1), (1, 1), out, np.dtype(np.float64))
    np.testing.assert_allclose(gW, gW2)
    np.testing.assert_allclose(gx, im2col.transposed(gconv, W, (1, 1), pads, (6, 4)))
