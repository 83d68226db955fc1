"""kernels.im2col against plain loops: correlation, the kernel gradient, both input-gradient paths."""
import numpy as np
import pytest

from passos.kernels import im2col
from passos.kernels import windows as win


def loops(x, W, pads, s, d):
    """Cross-correlation by nested loops over (N, H, W, C) x (kh, kw, C_in, C_out)."""
    xp = np.pad(x, ((0, 0), *pads, (0, 0)))
    (kh, kw), n = W.shape[:2], len(x)
    oh = (xp.shape[1] - d[0] * (kh - 1) - 1) // s[0] + 1
    ow = (xp.shape[2] - d[1] * (kw - 1) - 1) // s[1] + 1
    y = np.zeros((n, oh, ow, W.shape[-1]))
    for i in range(oh):
        for j in range(ow):
            window = xp[:, i * s[0]:i * s[0] + d[0] * (kh - 1) + 1:d[0],
                        j * s[1]:j * s[1] + d[1] * (kw - 1) + 1:d[1]]
            y[:, i, j] = np.einsum("nhwc,hwco->no", window, W)
    return y


GEOMETRIES = [(((1, 1), (1, 1)), (1, 1), (1, 1)), (((0, 0), (0, 0)), (2, 1), (1, 1)),
              (((2, 1), (0, 2)), (1, 2), (2, 1)), (((1, 1), (1, 1)), (1, 1), (1, 2))]


@pytest.mark.parametrize("pads, s, d", GEOMETRIES)
@pytest.mark.parametrize("channels", [1, 3])
def test_correlate_kernel_grad_and_input_grads_match_loops(pads, s, d, channels):
    rng = np.random.default_rng(0)
    x, W = rng.normal(size=(3, 7, 6, channels)), rng.normal(size=(3, 2, channels, 4))
    bias = rng.normal(size=4)
    expected = loops(x, W, pads, s, d)
    out, k = expected.shape[1:3], W.shape[:2]
    W2 = W.reshape(-1, 4)
    y = im2col.correlate(x, pads, W2, k, s, d, out, bias, relu_after=True)
    np.testing.assert_allclose(y, np.maximum(expected + bias, 0), atol=1e-12)
    # y is linear in W and in x: the gradients of sum(gy * y) are its coefficients
    gy = rng.normal(size=expected.shape)
    gW = im2col.kernel_grad(x, pads, gy, k, s, d, out, np.dtype(np.float64), ones=True)
    np.testing.assert_allclose(gW[-1], gy.sum(axis=(0, 1, 2)), atol=1e-12)  # the bias row
    by_entry = np.zeros(W.shape)
    for index in np.ndindex(*W.shape):
        e = np.zeros_like(W)
        e[index] = 1
        by_entry[index] = (gy * loops(x, e, pads, s, d)).sum()
    np.testing.assert_allclose(gW[:-1], by_entry.reshape(-1, 4), atol=1e-12)
    probe = rng.normal(size=x.shape)  # <gx, probe> = <gy, y(probe)> for any probe
    gx = im2col.col2im(gy, W, s, d, pads, x.shape[1:3])
    np.testing.assert_allclose((gx * probe).sum(), (gy * loops(probe, W, pads, s, d)).sum())
    if im2col.transposable(k, s, d, pads):
        np.testing.assert_allclose(im2col.transposed(gy, W, d, pads, x.shape[1:3]), gx,
                                   atol=1e-12)


def test_work_counts_few_term_products_as_none():
    assert im2col.work(1000, 9, 1, 1) == 0  # a first layer's 3x3 window on 1 channel
    assert im2col.work(1000, 288, 2, 1) > im2col.work(1000, 288, 1, 1) > 0


def test_chunks_change_nothing(monkeypatch):
    rng = np.random.default_rng(1)
    x, W2 = rng.normal(size=(5, 6, 6, 2)), rng.normal(size=(18, 3))
    args = (((1, 1), (1, 1)), W2, (3, 3), (1, 1), (1, 1), (6, 6))
    whole = im2col.correlate(x, *args)
    monkeypatch.setattr(win, "CHUNK_BYTES", 1)  # one item per chunk
    np.testing.assert_array_equal(im2col.correlate(x, *args), whole)
