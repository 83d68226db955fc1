"""Pooling, global pooling, upsampling and cropping: course numbers, ties, gradients, parity, errors."""
from dataclasses import dataclass

import numpy as np
import pytest

import passos as P
import passos.graph as G
from passos.kernels import windows as kernel_windows
from passos.ops import windows

IMAGE = np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3],
                  [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]], np.float32)
MAX = {1: P.max_pool1d, 2: P.max_pool2d, 3: P.max_pool3d}
AVG = {1: P.avg_pool1d, 2: P.avg_pool2d, 3: P.avg_pool3d}


def distinct(rng, shape):
    """Values at least 0.1 apart, so that every window has one clear maximum."""
    n = int(np.prod(shape))
    return ((rng.permutation(n) - n / 2) * 0.3 + rng.uniform(-0.1, 0.1, n)).reshape(shape)


@dataclass
class Config:
    kind: str         # "max" or "avg"
    x: tuple          # channels-last shape
    pool_size: tuple
    strides: object   # None: pool_size
    padding: str
    data_format: str

    def __repr__(self):
        return (f"{self.kind}{len(self.pool_size)}d-x{self.x}-k{self.pool_size}-s{self.strides}"
                f"-{self.padding}-{self.data_format[9:]}")

    def fn(self, x):
        pool = (MAX if self.kind == "max" else AVG)[len(self.pool_size)]
        return pool(x, self.pool_size, self.strides, self.padding, self.data_format)

    def array(self, rng):
        x = distinct(rng, self.x)
        return np.ascontiguousarray(np.moveaxis(x, -1, 1)) if self.data_format == "channels_first" else x


def configs(seed, count):
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        rank = 1 + i % 3
        k = tuple(int(v) for v in rng.integers(1, 4, rank))
        strides = None if rng.random() < 0.3 else tuple(int(v) for v in rng.integers(1, 3, rank))
        padding = ["valid", "same"][int(rng.integers(2))]
        extra = 3 if rank < 3 else 1
        spatial = tuple(kk + int(rng.integers(-1 if padding == "same" else 0, extra + 1))
                        for kk in k)
        spatial = tuple(max(1, d) for d in spatial)
        x = (int(rng.integers(1, 3)), *spatial, int(rng.integers(1, 3)))
        out.append(Config(["max", "avg"][i // 3 % 2], x, k, strides, padding,
                          ["channels_last", "channels_first"][i % 2]))
    return out


CONFIGS = configs(0, 24)


# -- the course's numbers and the rules ---------------------------------------------------
def test_course_max_pool():
    y = P.max_pool2d(IMAGE[None, :, :, None], 3, strides=1)
    np.testing.assert_array_equal(y.numpy()[0, :, :, 0], [[3, 3, 3], [3, 3, 3], [3, 2, 3]])


def test_course_max_pool_same_keeps_size():
    y = P.max_pool2d(IMAGE[None, :, :, None], 3, strides=1, padding="same").numpy()[0, :, :, 0]
    assert y.shape == (5, 5)
    np.testing.assert_array_equal(y[1:4, 1:4], [[3, 3, 3], [3, 3, 3], [3, 2, 3]])
    np.testing.assert_array_equal(y[0], [3, 3, 3, 3, 3])


def test_strides_default_to_pool_size():
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    np.testing.assert_array_equal(P.max_pool2d(x, 2).numpy()[0, :, :, 0], [[5, 7], [13, 15]])
    np.testing.assert_array_equal(P.avg_pool2d(x, 2).numpy()[0, :, :, 0], [[2.5, 4.5], [10.5, 12.5]])


def test_max_pool_same_never_picks_padding():
    x = -np.arange(1.0, 10.0).reshape(1, 3, 3, 1)
    y = P.max_pool2d(x, 2, strides=1, padding="same").numpy()[0, :, :, 0]
    np.testing.assert_array_equal(y, [[-1, -2, -3], [-4, -5, -6], [-7, -8, -9]])


def test_avg_pool_same_averages_valid_cells_like_tensorflow():
    x = np.arange(1.0, 10.0).reshape(1, 3, 3, 1)
    y = P.avg_pool2d(x, 2, strides=1, padding="same").numpy()[0, :, :, 0]
    # TF pads at the end: the last row and column average 2 cells, the corner 1
    np.testing.assert_allclose(y, [[3, 4, 4.5], [6, 7, 7.5], [7.5, 8.5, 9]])


def test_avg_pool_of_integers_is_float():
    y = P.avg_pool1d(np.array([[[1], [2], [4], [7]]]), 2)
    assert y.dtype == np.float64 and y.numpy().ravel().tolist() == [1.5, 5.5]


def test_max_pool_ties_go_to_the_first_cell_in_row_major_order():
    x = P.tensor(np.array([[0., 0.], [0., 0.]]).reshape(1, 2, 2, 1), requires_grad=True)
    P.max_pool2d(x, 2).backward(np.ones((1, 1, 1, 1), np.float32))
    np.testing.assert_array_equal(x.grad[0, :, :, 0], [[1, 0], [0, 0]])
    x = P.tensor(np.array([[1., 5.], [5., 2.]]).reshape(1, 2, 2, 1), requires_grad=True)
    P.max_pool2d(x, 2).backward(np.ones((1, 1, 1, 1), np.float32))
    np.testing.assert_array_equal(x.grad[0, :, :, 0], [[0, 1], [0, 0]])


def test_overlapping_windows_share_their_maximum():
    x = P.tensor(np.array([1., 9., 2., 3.]).reshape(1, 4, 1), requires_grad=True)
    P.max_pool1d(x, 2, strides=1).backward(np.array([1., 10., 100.]).reshape(1, 3, 1))
    np.testing.assert_array_equal(x.grad.ravel(), [0, 11, 0, 100])


def test_max_pool_ties_like_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).integers(0, 3, size=(2, 6, 6, 3)).astype(np.float64)
    xt = torch.tensor(np.moveaxis(x, -1, 1), requires_grad=True)
    torch.nn.functional.max_pool2d(xt, 3, stride=1).sum().backward()
    xp = P.tensor(x, requires_grad=True)
    P.max_pool2d(xp, 3, strides=1).sum().backward()
    np.testing.assert_array_equal(xp.grad, np.moveaxis(xt.grad.numpy(), 1, -1))


# -- gradients, eager and graph -------------------------------------------------------------
@pytest.mark.parametrize("config", CONFIGS, ids=repr)
def test_eager_gradcheck(config):
    assert P.gradcheck(config.fn, config.array(np.random.default_rng(1)))


def graph_matches_eager(fn, x, free=(0,)):
    """fn on a placeholder (axes in `free` left None): the same values and gradients as eager."""
    xt = P.tensor(x, requires_grad=True)
    y = fn(xt)
    weights = np.random.default_rng(3).normal(size=y.shape)
    (y * weights).sum().backward()
    graph = G.Graph()
    with graph.as_default():
        xs = G.placeholder("float64", tuple(None if i in free else d for i, d in enumerate(x.shape)))
        ys = fn(xs)
        (gx,) = G.gradients(P.sum(ys * weights), [xs])
    assert len(ys.shape) == y.ndim and all(a is None or a == b for a, b in zip(ys.shape, y.shape))
    value, grad = G.Session(graph).run([ys, gx], {xs: x})
    np.testing.assert_allclose(value, y.numpy(), atol=1e-12)
    np.testing.assert_allclose(grad, xt.grad, atol=1e-12)


@pytest.mark.parametrize("config", CONFIGS, ids=repr)
def test_graph_matches_eager(config):
    graph_matches_eager(config.fn, config.array(np.random.default_rng(2)))


# -- PyTorch parity ---------------------------------------------------------------------------
def torch_pool(torch, config, x):
    """The config in PyTorch: TensorFlow's "same" padding applied explicitly."""
    F = torch.nn.functional
    rank = len(config.pool_size)
    xt = x if config.data_format == "channels_first" else x.movedim(-1, 1)
    strides = config.strides or config.pool_size
    padding = windows.pad_pairs(config.padding, config.x[1:-1], config.pool_size, strides,
                                (1,) * rank)
    flat = [v for pair in reversed(padding) for v in pair]
    if config.kind == "max":
        pool = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}[rank]
        y = pool(F.pad(xt, flat, value=-np.inf), config.pool_size, strides)
    else:  # mean over the cells inside the input: padded sums over padded counts
        pool = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}[rank]
        y = (pool(F.pad(xt, flat), config.pool_size, strides)
             / pool(F.pad(torch.ones_like(xt), flat), config.pool_size, strides))
    return y if config.data_format == "channels_first" else y.movedim(1, -1)


@pytest.mark.parametrize("config", configs(5, 30), ids=repr)
def test_torch_parity(config):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x = config.array(rng)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch_pool(torch, config, xt)
    weights = rng.normal(size=tuple(yt.shape))
    (yt * torch.tensor(weights)).sum().backward()
    xp = P.tensor(x, requires_grad=True)
    y = config.fn(xp)
    (y * weights).sum().backward()
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(xp.grad, xt.grad.numpy(), atol=1e-12)


def test_chunks_change_nothing(monkeypatch):
    rng = np.random.default_rng(6)
    x = rng.integers(0, 3, size=(5, 6, 6, 2)).astype(np.float64)  # many ties
    for fn in (lambda t: P.max_pool2d(t, 2), lambda t: P.max_pool2d(t, 3, 1, "same")):
        grads = []
        for budget in (kernel_windows.CACHE_BYTES, 1):
            monkeypatch.setattr(kernel_windows, "CACHE_BYTES", budget)
            xt = P.tensor(x, requires_grad=True)
            fn(xt).sum().backward()
            grads.append(xt.grad)
        np.testing.assert_array_equal(*grads)


# -- global pooling ------------------------------------------------------------------------
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("shape", [(2, 5, 3), (2, 3, 4, 3), (1, 2, 3, 2, 3)])
def test_global_pools(shape, data_format):
    x = distinct(np.random.default_rng(7), shape)
    axes = tuple(range(2, len(shape))) if data_format == "channels_first" else tuple(
        range(1, len(shape) - 1))
    for fn, reference in ((P.global_avg_pool, np.mean), (P.global_max_pool, np.max)):
        y = fn(x, data_format)
        np.testing.assert_allclose(y.numpy(), reference(x, axis=axes))
        assert y.shape == (shape[0], shape[-1] if data_format == "channels_last" else shape[1])
        assert P.gradcheck(lambda t: fn(t, data_format), x)
        graph_matches_eager(lambda t: fn(t, data_format), x)


# -- upsampling and cropping -----------------------------------------------------------------
@pytest.mark.parametrize("shape, size, data_format", [
    ((2, 3, 2), 2, "channels_last"), ((1, 2, 3, 2), (2, 3), "channels_last"),
    ((1, 2, 2, 3), (3, 1), "channels_first"), ((1, 2, 1, 2, 2), (1, 2, 2), "channels_last")])
def test_upsample(shape, size, data_format):
    x = np.random.default_rng(8).normal(size=shape)
    y = P.upsample(x, size, data_format).numpy()
    sizes = (size,) * (len(shape) - 2) if isinstance(size, int) else size
    expected = x
    for axis, f in zip(windows.spatial_axes("test", x, data_format), sizes):
        expected = np.repeat(expected, f, axis=axis)
    np.testing.assert_array_equal(y, expected)
    assert P.gradcheck(lambda t: P.upsample(t, size, data_format), x)
    graph_matches_eager(lambda t: P.upsample(t, size, data_format), x)


@pytest.mark.parametrize("shape, cropping, data_format, index", [
    ((2, 6, 2), (1, 2), "channels_last", np.s_[:, 1:4]),
    ((2, 6, 2), 1, "channels_last", np.s_[:, 1:5]),
    ((1, 5, 6, 2), ((1, 2), (0, 3)), "channels_last", np.s_[:, 1:3, 0:3]),
    ((1, 5, 6, 2), (1, 2), "channels_last", np.s_[:, 1:4, 2:4]),
    ((1, 2, 5, 6), 1, "channels_first", np.s_[:, :, 1:4, 1:5]),
    ((1, 4, 4, 5, 1), ((0, 1), 1, (2, 0)), "channels_last", np.s_[:, 0:3, 1:3, 2:5])])
def test_crop(shape, cropping, data_format, index):
    x = np.random.default_rng(9).normal(size=shape)
    np.testing.assert_array_equal(P.crop(x, cropping, data_format).numpy(), x[index])
    assert P.gradcheck(lambda t: P.crop(t, cropping, data_format), x)
    graph_matches_eager(lambda t: P.crop(t, cropping, data_format), x, free=(0, 1))


# -- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize("call, error, message", [
    (lambda: P.max_pool2d(np.zeros((1, 2, 5, 1)), 3), P.ShapeError,
     r"max_pool2d: the pool_size \(3, 3\) spans 3 cells along spatial axis 0, more than the 2 "
     r"of the padded input of shape \(1, 2, 5, 1\)"),
    (lambda: P.avg_pool1d(np.zeros((1, 2, 1)), 3, padding="valid"), P.ShapeError, "avg_pool1d"),
    (lambda: P.max_pool2d(np.zeros((5, 5, 1)), 2), P.ShapeError,
     r"max_pool2d: expects an input of rank 4 \(N, H, W, C\) \(channels_last\), got shape "
     r"\(5, 5, 1\); add a batch axis"),
    (lambda: P.avg_pool3d(np.zeros((1, 5, 5, 1)), 2, data_format="channels_first"), P.ShapeError,
     r"avg_pool3d: expects an input of rank 5 \(N, C, D, H, W\)"),
    (lambda: P.max_pool2d(np.zeros((1, 4, 4, 1)), 2, padding=1), ValueError,
     r"max_pool2d: padding must be 'valid' or 'same', got 1"),
    (lambda: P.max_pool2d(np.zeros((1, 4, 4, 1)), (2, 2, 2)), ValueError,
     r"max_pool2d: pool_size must be a positive integer or 2 positive integers, got \(2, 2, 2\)"),
    (lambda: P.global_avg_pool(np.zeros((4, 3))), P.ShapeError,
     r"global_avg_pool: expects an input \(N, \*spatial, C\) .* got shape \(4, 3\)"),
    (lambda: P.global_max_pool(np.zeros((4, 3, 3)), "NCHW"), ValueError, "data_format must be"),
    (lambda: P.crop(np.zeros((1, 4, 4, 1)), ((2, 2), (0, 0))), P.ShapeError,
     r"crop: cropping 2 \+ 2 cells leaves nothing of spatial axis 1 \(size 4\) of input shape "
     r"\(1, 4, 4, 1\)"),
    (lambda: P.crop(np.zeros((1, 4, 4, 1)), (1, 1, 1)), ValueError,
     r"crop: cropping must be a non-negative integer, 2 of them or 2 \(before, after\) pairs, "
     r"got \(1, 1, 1\)"),
    (lambda: P.crop(np.zeros((1, 4, 4, 1)), -1), ValueError, "non-negative"),
    (lambda: P.upsample(np.zeros((1, 4, 4, 1)), (2, 2, 2)), ValueError,
     "upsample: size must be a positive integer or 2 positive integers"),
])
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_graph_shapes_and_errors():
    with G.Graph().as_default():
        x = G.placeholder("float32", (None, 28, 28, 32), name="features")
        assert P.max_pool2d(x, 2).shape == (None, 14, 14, 32)
        assert P.avg_pool2d(x, 3, strides=2, padding="same").shape == (None, 14, 14, 32)
        assert P.global_max_pool(x).shape == (None, 32)
        assert P.upsample(x, 2).shape == (None, 56, 56, 32)
        assert P.crop(x, ((1, 2), (3, 4))).shape == (None, 25, 21, 32)
        with pytest.raises(P.ShapeError, match=r"max_pool2d: .* input of shape \(\?, 28, 28, 32\); "
                                               r".* \(building node 'max_pool2d' from 'features'"):
            P.max_pool2d(x, 29)


@pytest.mark.parametrize("fn", [
    lambda t: P.max_pool2d(t, 3, 2, "same"), lambda t: P.avg_pool2d(t, 3, 2, "same"),
    lambda t: P.avg_pool2d(t, 2), lambda t: P.global_avg_pool(t),
    lambda t: P.global_max_pool(t),
    lambda t: P.upsample(t, 2), lambda t: P.crop(t, 1),
    lambda t: P.conv2d(t, np.ones((3, 3, 2, 2), np.float32), 2, "same")])
def test_float32_stays_float32(fn):
    x = P.tensor(np.random.default_rng(10).normal(size=(2, 5, 5, 2)).astype(np.float32),
                 requires_grad=True)
    y = fn(x)
    y.backward(np.ones(y.shape, np.float32))
    assert y.dtype == x.grad.dtype == np.float32
