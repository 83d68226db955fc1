"""The ops behind Keras' newer layers, beyond the op table's generic checks: the transposed
convolution as the adjoint of the convolution, PyTorch's own padding where it matches
Keras', the errors, and the noise op's draws.
"""
import numpy as np
import pytest

import passos as P
from passos.core.shapes import ShapeError
from passos.ops.noise import RandomLike, random_like

RNG = np.random.default_rng(7)


@pytest.mark.parametrize("x_shape, k, strides, padding, dilation, fmt, output_padding", [
    ((2, 6, 4, 3), (3, 3), 2, "same", 1, "channels_last", None),
    ((2, 5, 4, 3), (3, 3), 2, "same", 1, "channels_last", (0, 1)),
    ((1, 2, 6, 5), (2, 3), (1, 2), "valid", 1, "channels_first", None),
    ((1, 5, 5, 2), (3, 2), 1, "same", 2, "channels_last", None),
    ((1, 4, 4, 4, 2), (2, 2, 2), 2, "valid", 1, "channels_last", None),
])
def test_transpose_is_the_adjoint_of_the_convolution(x_shape, k, strides, padding, dilation, fmt,
                                                     output_padding):
    """<conv(y, W), x> == <y, conv_transpose(x, W)> for every y and x: the definition
    (output_padding picks the y size a strided convolution forgot)."""
    rank = len(x_shape) - 2
    conv = {2: P.conv2d, 3: P.conv3d}[rank]
    transpose = {2: P.conv2d_transpose, 3: P.conv3d_transpose}[rank]
    y = RNG.normal(size=x_shape)
    c = x_shape[1] if fmt == "channels_first" else x_shape[-1]
    W = RNG.normal(size=k + (c, 4))
    x = RNG.normal(size=conv(y, W, strides, padding, dilation, fmt).shape)
    back = transpose(x, W, strides, padding, output_padding, dilation, fmt).numpy()
    assert back.shape == y.shape
    assert np.sum(conv(y, W, strides, padding, dilation, fmt).numpy() * x) == \
        pytest.approx(np.sum(y * back), rel=1e-10)


def test_matches_torch_conv_transpose2d_where_its_padding_is_keras():
    torch = pytest.importorskip("torch", reason="PyTorch parity needs torch")
    F = torch.nn.functional
    x, W = RNG.normal(size=(2, 4, 3, 2)), RNG.normal(size=(3, 3, 5, 2))
    weight = torch.tensor(W).permute(3, 2, 0, 1).contiguous()
    xt = torch.tensor(x).permute(0, 3, 1, 2)
    for kwargs, torch_kwargs in [({"padding": "same"}, {"padding": 1}),
                                 ({"strides": 2}, {"stride": 2}),
                                 ({"strides": 2, "padding": "valid", "output_padding": 1},
                                  {"stride": 2, "output_padding": 1})]:
        ours = P.conv2d_transpose(x, W, **kwargs).numpy()
        theirs = F.conv_transpose2d(xt, weight, **torch_kwargs).permute(0, 2, 3, 1).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_errors_name_the_op_and_the_shapes():
    with pytest.raises(ShapeError, match=r"conv2d_transpose: input of shape \(1, 3, 3, 2\) has 2 "
                                         r"channels .* expects C_in = 4"):
        P.conv2d_transpose(np.ones((1, 3, 3, 2)), np.ones((3, 3, 5, 4)))
    with pytest.raises(ValueError, match="output_padding must be less than its stride"):
        P.conv2d_transpose(np.ones((1, 3, 3, 2)), np.ones((3, 3, 5, 2)), strides=2,
                           output_padding=2)
    with pytest.raises(ShapeError, match=r"depthwise_conv2d: input of shape \(1, 4, 4, 3\) has "
                                         r"3 channels"):
        P.depthwise_conv2d(np.ones((1, 4, 4, 3)), np.ones((2, 2, 2, 1)))
    with pytest.raises(ValueError, match=r"gather: index 5 is out of range for axis 0 of size 5"):
        P.gather(np.ones((5, 2)), [0, 5])
    with pytest.raises(ValueError, match="gather: indices must be whole numbers"):
        P.gather(np.ones((5, 2)), np.array([0.5]))


def test_gather_takes_float_ids_and_adds_gradients_of_repeats():
    table = P.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    y = P.gather(table, np.array([[2.0, 0.0], [2.0, 2.0]]))
    np.testing.assert_array_equal(y.numpy()[0], [[4, 5], [0, 1]])
    y.sum().backward()
    np.testing.assert_array_equal(table.grad, [[1, 1], [0, 0], [3, 3]])


def test_random_like_draws_fresh_values_shaped_like_x_and_seeded_streams_repeat():
    x = np.zeros((400, 50), np.float32)
    a, b = random_like(x).numpy(), random_like(x).numpy()
    assert a.shape == x.shape and a.dtype == np.float32 and not np.array_equal(a, b)
    assert abs(a.mean()) < 0.02 and abs(a.std() - 1) < 0.02
    u = random_like(x, "uniform", noise_shape=(None, 1)).numpy()
    assert u.shape == (400, 1) and 0 <= u.min() and u.max() < 1
    first, second = RandomLike("normal", seed=3), RandomLike("normal", seed=3)
    np.testing.assert_array_equal(P.core.apply.apply(first, x).numpy(),
                                  P.core.apply.apply(second, x).numpy())
    with pytest.raises(ShapeError, match=r"noise_shape \(2, 1\) does not fit"):
        random_like(x, noise_shape=(2, 1))
    with pytest.raises(ValueError, match="distribution must be one of"):
        RandomLike("cauchy")
