"""conv1d/2d/3d: the course's numbers, gradients (eager and graph), PyTorch parity, memory, errors."""
import tracemalloc
from dataclasses import dataclass

import numpy as np
import pytest

import passos as P
import passos.graph as G
from passos.kernels import windows as kernel_windows
from passos.ops import windows

IMAGE = np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3],
                  [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]], np.float32)
KERNEL = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]], np.float32)
COURSE = [[12, 12, 17], [10, 17, 19], [9, 6, 14]]
CONV = {1: P.conv1d, 2: P.conv2d, 3: P.conv3d}


@dataclass
class Config:
    """One convolution: sizes, strides, padding, dilation and layout (channels-last shapes)."""

    x: tuple          # (N, *spatial, C_in), channels-last
    k: tuple          # kernel size
    c_out: int
    strides: tuple
    padding: object
    dilation: tuple
    data_format: str

    def __repr__(self):
        return (f"{len(self.k)}d-x{self.x}-k{self.k}-s{self.strides}-p{self.padding}"
                f"-d{self.dilation}-{self.data_format[9:]}")

    def fn(self, x, W):
        return CONV[len(self.k)](x, W, self.strides, self.padding, self.dilation, self.data_format)

    def arrays(self, rng):
        """float64 x in the config's layout, and the kernel."""
        x = rng.normal(size=self.x)
        if self.data_format == "channels_first":
            x = np.ascontiguousarray(np.moveaxis(x, -1, 1))
        return x, rng.normal(size=(*self.k, self.x[-1], self.c_out))

    def pads(self):
        """(before, after) per spatial axis, as TensorFlow pads: worked out here, not by passos."""
        if self.padding == "valid":
            return ((0, 0),) * len(self.k)
        if self.padding == "same":  # output ceil(i / s); the odd cell goes after
            totals = [max((-(-i // s) - 1) * s + d * (k - 1) + 1 - i, 0) for i, k, s, d in
                      zip(self.x[1:-1], self.k, self.strides, self.dilation)]
            return tuple((t // 2, t - t // 2) for t in totals)
        if isinstance(self.padding, int):
            return ((self.padding, self.padding),) * len(self.k)
        return self.padding


def configs(seed, count):
    """Random small convolutions covering ranks 1-3, strides, dilations, paddings and layouts."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        rank = 1 + i % 3
        k = tuple(int(v) for v in rng.integers(1, 4, rank))
        s = tuple(int(v) for v in rng.integers(1, 3, rank))
        d = tuple(int(v) for v in rng.integers(1, 3, rank))
        padding = ["valid", "same", 1, "pairs"][int(rng.integers(4))]
        if padding == "pairs":
            padding = tuple((int(rng.integers(0, 3)), int(rng.integers(0, 3))) for _ in range(rank))
        extra = 3 if rank < 3 else 1
        spatial = tuple(dd * (kk - 1) + 1 + int(rng.integers(0, extra + 1)) for kk, dd in zip(k, d))
        x = (int(rng.integers(1, 3)), *spatial, int(rng.integers(1, 3)))
        fmt = ["channels_last", "channels_first"][i % 2]
        out.append(Config(x, k, int(rng.integers(1, 3)), s, padding, d, fmt))
    return out


CONFIGS = configs(0, 18)


# -- the course's worked numbers --------------------------------------------------------
def test_course_grid_valid():
    y = P.conv2d(IMAGE[None, :, :, None], KERNEL[:, :, None, None])
    np.testing.assert_array_equal(y.numpy()[0, :, :, 0], COURSE)


def test_course_grid_channels_first_and_integers():
    y = P.conv2d(IMAGE.astype(np.int64)[None, None], KERNEL.astype(np.int64)[:, :, None, None],
                 data_format="channels_first")
    assert y.shape == (1, 1, 3, 3) and y.dtype == np.int64
    np.testing.assert_array_equal(y.numpy()[0, 0], COURSE)


def test_course_grid_same_keeps_size():
    y = P.conv2d(IMAGE[None, :, :, None], KERNEL[:, :, None, None], padding="same").numpy()[0, :, :, 0]
    assert y.shape == (5, 5)
    np.testing.assert_array_equal(y[1:4, 1:4], COURSE)
    assert y[0, 0] == 0 * 0 + 1 * 0 + 2 * 0 + 2 * 0 + 2 * 3 + 0 * 3 + 0 * 0 + 1 * 0 + 2 * 0


@pytest.mark.parametrize("args, expected", [
    ((28, 3), 26), ((28, 3, 1, 1), 28), ((5, 2, 2), 2), ((7, 3, 2, 1), 4), ((9, 3, 1, 0, 2), 5),
    ((32, 5, 1, 2), 32), ((6, 3, 3), 2)])
def test_conv_output_size(args, expected):
    assert P.conv_output_size(*args) == expected


@pytest.mark.parametrize("i, k, s, d, expected", [
    (5, 3, 1, 1, (1, 1)), (5, 2, 1, 1, (0, 1)), (6, 3, 2, 1, (0, 1)), (5, 3, 2, 1, (1, 1)),
    (7, 3, 1, 2, (2, 2)), (4, 1, 3, 1, (0, 0))])
def test_same_pads_as_tensorflow(i, k, s, d, expected):
    assert windows.same_pads(i, k, s, d) == expected


# -- gradients -----------------------------------------------------------------------------
@pytest.mark.parametrize("config", CONFIGS, ids=repr)
def test_eager_gradcheck(config):
    x, W = config.arrays(np.random.default_rng(1))
    assert P.gradcheck(config.fn, x, W)


def eager_grads(config, x, W, weights):
    xt, Wt = P.tensor(x, requires_grad=True), P.tensor(W, requires_grad=True)
    y = config.fn(xt, Wt)
    (y * weights).sum().backward()
    return y.numpy(), xt.grad, Wt.grad


def graph_grads(config, x, W, weights):
    """Static output shape, and y, dx, dW through a Session (batch left None)."""
    graph = G.Graph()
    with graph.as_default():
        xs = G.placeholder("float64", (None, *x.shape[1:]), name="x")
        Wv = G.Variable(W, name="W", dtype="float64")
        y = config.fn(xs, Wv)
        gx, gW = G.gradients(P.sum(y * weights), [xs, Wv])
        init = G.global_variables_initializer()
    with G.Session(graph) as session:
        session.run(init)
        return y.shape, session.run([y, gx, gW], {xs: x})


@pytest.mark.parametrize("config", CONFIGS, ids=repr)
def test_graph_matches_eager(config):
    rng = np.random.default_rng(2)
    x, W = config.arrays(rng)
    weights = rng.normal(size=config.fn(x, W).shape)
    eager = eager_grads(config, x, W, weights)
    shape, graph = graph_grads(config, x, W, weights)
    assert shape == (None, *eager[0].shape[1:])
    for a, b in zip(graph, eager):  # y, dx, dW
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


# -- explicit (before, after) padding, by hand ------------------------------------------------
def by_hand_conv2d(x, W, pads):
    """y and its input gradient for an all-ones upstream gradient: np.pad, then loops."""
    xp = np.pad(x, ((0, 0), *pads, (0, 0)))
    kh, kw = W.shape[:2]
    out = (xp.shape[1] - kh + 1, xp.shape[2] - kw + 1)
    y = np.zeros((len(x), *out, W.shape[-1]))
    gxp = np.zeros_like(xp)
    for i in range(out[0]):
        for j in range(out[1]):
            y[:, i, j] = np.einsum("nabc,abcd->nd", xp[:, i:i + kh, j:j + kw], W)
            gxp[:, i:i + kh, j:j + kw] += W.sum(-1)
    (top, _), (left, _) = pads
    return y, gxp[:, top:top + x.shape[1], left:left + x.shape[2]]


@pytest.mark.parametrize("pads", [((0, 2), (1, 0)), ((2, 1), (0, 3)), ((1, 1), (2, 0))])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_explicit_padding_pads_before_then_after(pads, data_format):
    rng = np.random.default_rng(11)
    x, W = rng.normal(size=(2, 5, 4, 2)), rng.normal(size=(3, 2, 2, 3))
    expected_y, expected_gx = by_hand_conv2d(x, W, pads)
    first = data_format == "channels_first"
    xt = P.tensor(np.moveaxis(x, -1, 1) if first else x, requires_grad=True)
    y = P.conv2d(xt, W, padding=pads, data_format=data_format)
    y.sum().backward()
    y, gx = (np.moveaxis(a, 1, -1) if first else a for a in (y.numpy(), xt.grad))
    np.testing.assert_allclose(y, expected_y, atol=1e-12)
    np.testing.assert_allclose(gx, expected_gx, atol=1e-12)


def test_explicit_padding_in_one_and_three_dimensions():
    rng = np.random.default_rng(12)
    x1, W1 = rng.normal(size=(1, 4, 1)), rng.normal(size=(2, 1, 1))
    y1 = P.conv1d(x1, W1, padding=[(0, 2)]).numpy()[0, :, 0]
    xp = np.pad(x1[0, :, 0], (0, 2))
    np.testing.assert_allclose(y1, [xp[i] * W1[0, 0, 0] + xp[i + 1] * W1[1, 0, 0]
                                    for i in range(5)], atol=1e-12)
    x3 = rng.normal(size=(1, 2, 2, 2, 1))
    y3 = P.conv3d(x3, np.ones((1, 1, 1, 1, 1)), padding=[(1, 0), (0, 1), (0, 0)]).numpy()
    np.testing.assert_array_equal(y3[..., 0], np.pad(x3[..., 0], ((0, 0), (1, 0), (0, 1), (0, 0))))


# -- PyTorch parity ----------------------------------------------------------------------
def torch_conv(torch, config, x, W):
    """The config in PyTorch: channels-first, TensorFlow's padding applied explicitly."""
    F = torch.nn.functional
    rank = len(config.k)
    xt = x if config.data_format == "channels_first" else x.movedim(-1, 1)
    flat = [v for pair in reversed(config.pads()) for v in pair]
    Wt = W.permute(rank + 1, rank, *range(rank))
    conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[rank]
    y = conv(F.pad(xt, flat), Wt, stride=config.strides, dilation=config.dilation)
    return y if config.data_format == "channels_first" else y.movedim(1, -1)


@pytest.mark.parametrize("config", configs(7, 24), ids=repr)
def test_torch_parity(config):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x, W = config.arrays(rng)
    xt, Wt = torch.tensor(x, requires_grad=True), torch.tensor(W, requires_grad=True)
    yt = torch_conv(torch, config, xt, Wt)
    weights = rng.normal(size=tuple(yt.shape))
    (yt * torch.tensor(weights)).sum().backward()
    y, gx, gW = eager_grads(config, x, W, weights)
    np.testing.assert_allclose(y, yt.detach().numpy(), atol=1e-10)
    np.testing.assert_allclose(gx, xt.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(gW, Wt.grad.numpy(), atol=1e-10)


def test_torch_parity_float32_fashion_mnist_shapes():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    config = Config((16, 14, 14, 32), (3, 3), 32, (1, 1), "same", (1, 1), "channels_last")
    x, W = (a.astype(np.float32) for a in config.arrays(rng))
    xt, Wt = torch.tensor(x, requires_grad=True), torch.tensor(W, requires_grad=True)
    yt = torch_conv(torch, config, xt, Wt)
    yt.sum().backward()
    y, gx, gW = eager_grads(config, x, W, 1.0)
    assert y.dtype == gx.dtype == gW.dtype == np.float32
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(gW, Wt.grad.numpy(), rtol=1e-4, atol=1e-2)


# -- memory: im2col goes a few items at a time --------------------------------------------
def test_chunks_change_nothing(monkeypatch):
    config = Config((5, 6, 6, 2), (3, 3), 3, (2, 1), "same", (1, 1), "channels_last")
    rng = np.random.default_rng(6)
    x, W = config.arrays(rng)
    weights = rng.normal(size=config.fn(x, W).shape)
    whole = eager_grads(config, x, W, weights)
    monkeypatch.setattr(kernel_windows, "CHUNK_BYTES", 1)  # one item per chunk
    for a, b in zip(whole, eager_grads(config, x, W, weights)):
        np.testing.assert_allclose(a, b, atol=1e-12)


def test_memory_stays_bounded():
    """A batch whose whole im2col would take 58 MB needs far less than that."""
    rng = np.random.default_rng(7)
    x = P.tensor(rng.normal(size=(512, 28, 28, 4)).astype(np.float32), requires_grad=True)
    W = P.tensor(rng.normal(size=(3, 3, 4, 8)).astype(np.float32), requires_grad=True)
    im2col = 512 * 28 * 28 * 9 * 4 * 4
    tracemalloc.start()
    try:
        y = P.conv2d(x, W, padding="same")
        forward_peak = tracemalloc.get_traced_memory()[1]
        y.backward(np.ones(y.shape, np.float32))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # forward: the output (13 MB) and chunk buffers; backward adds gy, dx and dW
    assert forward_peak < y.numpy().nbytes + 3 * kernel_windows.CHUNK_BYTES < im2col / 2
    assert peak < 3 * y.numpy().nbytes + 3 * kernel_windows.CHUNK_BYTES < im2col


# -- errors ---------------------------------------------------------------------------------
@pytest.mark.parametrize("call, message", [
    (lambda: P.conv2d(np.zeros((1, 2, 2, 1)), np.zeros((3, 3, 1, 1))),
     r"conv2d: the kernel of shape \(3, 3, 1, 1\) spans 3 cells .* padded input of shape \(1, 2, 2, 1\)"),
    (lambda: P.conv1d(np.zeros((1, 5, 1)), np.zeros((3, 1, 1)), dilation_rate=3),
     r"conv1d: .* spans 7 cells \(dilation 3\)"),
    (lambda: P.conv2d(np.zeros((1, 5, 5, 3)), np.zeros((3, 3, 2, 4))),
     r"conv2d: input of shape \(1, 5, 5, 3\) has 3 channels .* kernel of shape \(3, 3, 2, 4\) expects C_in = 2"),
    (lambda: P.conv2d(np.zeros((1, 3, 5, 5)), np.zeros((3, 3, 2, 4)), data_format="channels_first"),
     r"has 3 channels \(channels_first\)"),
    (lambda: P.conv2d(np.zeros((5, 5, 3)), np.zeros((3, 3, 3, 4))),
     r"conv2d: expects an input of rank 4 \(N, H, W, C\) .* got shape \(5, 5, 3\) with the kernel "
     r"of shape \(3, 3, 3, 4\); add a batch axis"),
    (lambda: P.conv3d(np.zeros((1, 5, 5, 3)), np.zeros((3, 3, 3, 4))),
     r"conv3d: expects an input of rank 5 \(N, D, H, W, C\)"),
    (lambda: P.conv2d(np.zeros((1, 5, 5, 3)), np.zeros((3, 3, 4))),
     r"conv2d: expects a kernel of rank 4 .* got shape \(3, 3, 4\) for input shape \(1, 5, 5, 3\)"),
])
def test_shape_errors(call, message):
    with pytest.raises(P.ShapeError, match=message):
        call()


@pytest.mark.parametrize("kwargs, message", [
    (dict(padding="full"), r"conv2d: padding must be 'valid', 'same' or non-negative integers, got 'full'"),
    (dict(padding=-1), "padding must be"),
    (dict(strides=0), r"conv2d: strides must be a positive integer or 2 positive integers, got 0"),
    (dict(dilation_rate=(1, 2, 3)), "dilation_rate must be"),
    (dict(data_format="NHWC"), r"conv2d: data_format must be 'channels_last' or 'channels_first'"),
])
def test_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        P.conv2d(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 1)), **kwargs)


def test_graph_reports_shape_errors_when_built():
    with G.Graph().as_default():
        x = G.placeholder("float32", (None, 28, 28, 3), name="images")
        with pytest.raises(P.ShapeError, match=r"conv2d: input of shape \(\?, 28, 28, 3\) has 3 "
                                               r"channels .* \(building node 'conv2d' from 'images'"):
            P.conv2d(x, np.zeros((3, 3, 1, 8), np.float32))
        y = P.conv2d(x, np.zeros((5, 5, 3, 8), np.float32), strides=2, padding="same")
        assert y.shape == (None, 14, 14, 8)
        z = P.conv2d(G.placeholder("float32", (None, None, None, 3)), np.zeros((3, 3, 3, 2)))
        assert z.shape == (None, None, None, 2) and z.dtype == np.float64


def test_name_labels_results_and_nodes():
    x, W = np.ones((1, 4, 4, 1), np.float32), np.ones((3, 3, 1, 2), np.float32)
    assert P.conv2d(x, W, name="z1").name == "z1"
    with G.Graph().as_default():
        y = P.conv2d(G.placeholder("float32", (None, 4, 4, 1)), W, name="z1")
        assert y.name == "z1" and P.max_pool2d(y, 2, name="pool1").name == "pool1"


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("strides", [1, 2])
def test_broadcast_output_gradient(data_format, strides):
    """sum() hands back a read-only broadcast gradient (stride 0): the same as explicit ones."""
    config = Config((2, 5, 5, 3), (3, 3), 2, (strides,) * 2, "same", (1, 1), data_format)
    x, W = config.arrays(np.random.default_rng(8))
    pool = lambda t: P.max_pool2d(t, 2, 1, data_format=data_format)  # noqa: E731
    for fn in (config.fn, lambda a, b: pool(a)):
        grads = []
        for backward in (lambda y: y.sum().backward(), lambda y: y.backward(np.ones(y.shape))):
            xt, Wt = P.tensor(x, requires_grad=True), P.tensor(W, requires_grad=True)
            backward(fn(xt, Wt))
            grads.append(xt.grad)
        np.testing.assert_allclose(grads[0], grads[1], atol=1e-12)


# -- the bias and ReLU that Keras layers fuse into the convolution ------------------------
def fused(config, activation):
    """The config's convolution with a bias input and `activation`, through one Conv op."""
    op = P.ops.conv.Conv(len(config.k), config.strides, config.padding, config.dilation,
                         config.data_format, activation=activation)
    return lambda x, W, b: P.core.apply.apply(op, x, W, b)


@pytest.mark.parametrize("activation", [None, "relu"])
@pytest.mark.parametrize("config", CONFIGS[:6], ids=repr)
def test_fused_bias_and_relu_gradcheck(config, activation):
    rng = np.random.default_rng(9)
    x, W = config.arrays(rng)
    assert P.gradcheck(fused(config, activation), x, W, rng.normal(size=config.c_out))


@pytest.mark.parametrize("config", CONFIGS[:6], ids=repr)
def test_fused_bias_and_relu_equal_the_separate_ops(config):
    rng = np.random.default_rng(10)
    x, W = config.arrays(rng)
    b = rng.normal(size=config.c_out)
    shape = (config.c_out,) + (1,) * len(config.k) if config.data_format == "channels_first" \
        else (config.c_out,)
    weights = rng.normal(size=config.fn(x, W).shape)
    results = []
    for fn in (fused(config, "relu"), lambda x, W, b: P.relu(config.fn(x, W) + P.reshape(b, shape))):
        ts = [P.tensor(v, requires_grad=True) for v in (x, W, b)]
        y = fn(*ts)
        (y * weights).sum().backward()
        results.append([y.numpy()] + [t.grad for t in ts])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_bias_argument_matches_torch():
    torch = pytest.importorskip("torch")
    config = Config((2, 6, 6, 3), (3, 3), 4, (1, 1), "same", (1, 1), "channels_last")
    rng = np.random.default_rng(11)
    x, W = config.arrays(rng)
    b = rng.normal(size=4)
    F = torch.nn.functional
    expected = F.conv2d(torch.tensor(x).movedim(-1, 1), torch.tensor(W).permute(3, 2, 0, 1),
                        torch.tensor(b), padding=1).movedim(1, -1)
    np.testing.assert_allclose(P.conv2d(x, W, padding="same", bias=b).numpy(),
                               expected.numpy(), atol=1e-12)


def test_bias_and_activation_errors():
    with pytest.raises(P.ShapeError, match=r"conv2d: the bias must hold one value per output "
                                           r"channel, shape \(4,\) .* got shape \(3,\)"):
        P.conv2d(np.zeros((1, 5, 5, 2)), np.zeros((3, 3, 2, 4)), bias=np.zeros(3))
    with pytest.raises(ValueError, match=r"conv2d: activation must be None or 'relu', got 'tanh'"):
        P.ops.conv.Conv(2, activation="tanh")


def test_one_conv_op_gives_each_input_shape_its_own_geometry():
    """Geometry is remembered by shapes (ops/windows.by_shapes): one op instance, as a plan
    keeps it, run on two image sizes must give each its own output size and padding."""
    from passos.core.shapes import ShapeError
    from passos.ops.conv import Conv
    op = Conv(2, 1, "same")
    W = np.ones((3, 3, 1, 2), np.float32)
    for size in (5, 8, 5):
        y = op.forward(np.ones((1, size, size, 1), np.float32), W)
        assert y.shape == (1, size, size, 2)
    with pytest.raises(ShapeError, match="C_in"):
        op.shape((1, 5, 5, 3), (3, 3, 1, 2))
    with pytest.raises(ShapeError, match="C_in"):  # an error is raised again, not remembered away
        op.shape((1, 5, 5, 3), (3, 3, 1, 2))
