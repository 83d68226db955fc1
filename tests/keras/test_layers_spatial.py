"""Spatial Keras layers: convolution, pooling, global pooling, cropping, padding and upsampling.

Each layer is checked for output shape (eager and in a Sequential), weights,
config round trip, channels_first, values against NumPy or PyTorch (layouts
converted at the edges), float64 finite-difference gradients, and its errors.
"""
import json
import math

import numpy as np
import pytest

import passos as P
from passos.core.shapes import ShapeError
from passos.keras import layers as L
from passos.keras import optimizers
from passos.keras.models import Sequential

RNG = np.random.default_rng(2024)


def arr(*shape, dtype=np.float32):
    return RNG.normal(size=shape).astype(dtype)


def summary_lines(model):
    lines = []
    model.summary(print_fn=lines.append)
    return "\n".join(lines)


def input_shape(spatial, channels, data_format):
    """A per-sample shape (no batch axis) in `data_format`."""
    spatial = tuple(spatial)
    return (channels,) + spatial if data_format == "channels_first" else spatial + (channels,)


def with_batch(batch, spatial, channels, data_format):
    return (batch,) + input_shape(spatial, channels, data_format)


def tf_same_pads(i, k, s, d=1):
    """TensorFlow's documented "same" rule: output ceil(i / s), any odd cell padded at the end."""
    total = max((math.ceil(i / s) - 1) * s + d * (k - 1) + 1 - i, 0)
    return total // 2, total - total // 2


def window_out(i, k, s, padding, d=1):
    """Keras' output length of one spatial axis."""
    if padding == "same":
        return math.ceil(i / s)
    return (i - d * (k - 1) - 1) // s + 1


def as_tuple(v, rank):
    return (v,) * rank if isinstance(v, int) else tuple(v)


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def to_channels_first(x, data_format):
    return np.moveaxis(x, -1, 1) if data_format == "channels_last" else x


def from_channels_first(y, data_format):
    return np.moveaxis(y, 1, -1) if data_format == "channels_last" else y


def torch_pad(torch, xt, pads, value=0.0):
    """F.pad takes (before, after) pairs from the last axis backwards."""
    flat = [p for pair in reversed(pads) for p in pair]
    return torch.nn.functional.pad(xt, flat, value=value)


# -- Conv1D / Conv2D / Conv3D ---------------------------------------------------------------------
CONV = {1: L.Conv1D, 2: L.Conv2D, 3: L.Conv3D}

# (rank, filters, kernel_size, strides, padding, dilation, data_format, spatial, channels)
CONV_CASES = [
    (1, 4, 3, 1, "valid", 1, "channels_last", (9,), 2),
    (1, 3, 4, 2, "same", 1, "channels_first", (9,), 3),
    (1, 2, 3, 1, "same", 2, "channels_last", (8,), 1),
    (2, 5, (3, 3), 1, "valid", 1, "channels_last", (7, 6), 2),
    (2, 4, (3, 2), (2, 1), "same", 1, "channels_last", (8, 7), 3),
    (2, 3, 3, 1, "valid", (2, 1), "channels_first", (9, 8), 2),
    (2, 2, (2, 4), 2, "same", 1, "channels_first", (6, 9), 1),  # TF's asymmetric "same"
    (3, 3, 2, 1, "valid", 1, "channels_last", (4, 5, 4), 2),
    (3, 2, (3, 2, 2), (1, 2, 2), "same", 1, "channels_first", (4, 5, 6), 2),
    (3, 2, 3, 1, "same", 2, "channels_last", (5, 5, 5), 1),
]
CONV_IDS = [f"conv{c[0]}d-{c[4]}-s{c[3]}-d{c[5]}-{c[6][9:]}-{i}" for i, c in enumerate(CONV_CASES)]


def conv_case(case, **kwargs):
    rank, filters, k, s, padding, d, fmt, spatial, channels = case
    layer = CONV[rank](filters, k, strides=s, padding=padding, dilation_rate=d, data_format=fmt,
                       **kwargs)
    ks, ss, ds = as_tuple(k, rank), as_tuple(s, rank), as_tuple(d, rank)
    out = tuple(window_out(i, kk, st, padding, dd) for i, kk, st, dd in zip(spatial, ks, ss, ds))
    return layer, ks, ss, ds, out


def torch_conv(torch, x, kernel, bias, strides, padding, dilation, data_format):
    """The Keras convolution computed by PyTorch in float64, layouts converted."""
    rank = kernel.ndim - 2
    xt = torch.from_numpy(to_channels_first(x, data_format).astype(np.float64))
    if padding == "same":
        pads = [tf_same_pads(i, k, s, d) for i, k, s, d in
                zip(xt.shape[2:], kernel.shape[:rank], strides, dilation)]
        xt = torch_pad(torch, xt, pads)
    # TF kernel (*k, in, out) -> torch (out, in, *k)
    w = np.transpose(kernel, (rank + 1, rank) + tuple(range(rank))).astype(np.float64)
    conv = {1: torch.nn.functional.conv1d, 2: torch.nn.functional.conv2d,
            3: torch.nn.functional.conv3d}[rank]
    y = conv(xt, torch.from_numpy(w), torch.from_numpy(bias.astype(np.float64)),
             stride=strides, dilation=dilation).numpy()
    return from_channels_first(y, data_format)


@pytest.mark.parametrize("case", CONV_CASES, ids=CONV_IDS)
def test_conv_output_shape_and_weights(case):
    rank, filters, _, _, _, _, fmt, spatial, channels = case
    layer, ks, _, _, out = conv_case(case)
    y = layer(P.tensor(arr(*with_batch(2, spatial, channels, fmt))))
    expected = with_batch(2, out, filters, fmt)
    assert isinstance(y, P.Tensor) and y.shape == expected and y.dtype == np.float32
    assert [w.shape for w in layer.weights] == [ks + (channels, filters), (filters,)]
    assert layer.count_params() == math.prod(ks) * channels * filters + filters
    assert len(layer.trainable_weights) == 2 and layer.non_trainable_weights == []
    np.testing.assert_array_equal(layer.get_weights()[1], 0)  # zeros bias, Keras' default
    # the same shape found symbolically, in a Sequential
    model_layer, *_ = conv_case(case, input_shape=input_shape(spatial, channels, fmt))
    model = Sequential([model_layer])
    assert model.output_shape == (None,) + expected[1:]
    assert model_layer.output_shape_built == (None,) + expected[1:]


@pytest.mark.parametrize("case", CONV_CASES, ids=CONV_IDS)
def test_conv_values_vs_torch(case, torch):
    rank, filters, _, _, padding, _, fmt, spatial, channels = case
    layer, ks, ss, ds, _ = conv_case(case, input_shape=input_shape(spatial, channels, fmt))
    model = Sequential([layer])
    kernel, bias = arr(*ks, channels, filters), arr(filters)
    layer.set_weights([kernel, bias])
    x = arr(*with_batch(3, spatial, channels, fmt))
    expected = torch_conv(torch, x, kernel, bias, ss, padding, ds, fmt)
    np.testing.assert_allclose(layer(P.tensor(x)).numpy(), expected, rtol=1e-4, atol=1e-5)
    # the compiled plan (graph mode) computes the same
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-4, atol=1e-5)


def test_conv2d_mnist_layer_has_keras_param_count_and_summary():
    layer = L.Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1))
    model = Sequential([layer])
    assert model.output_shape == (None, 26, 26, 32)
    assert [w.shape for w in layer.weights] == [(3, 3, 1, 32), (32,)]
    assert layer.count_params() == 320
    text = summary_lines(model)
    assert "(None, 26, 26, 32)" in text and "320" in text
    assert "Total params: 320" in text and "Non-trainable params: 0" in text


def test_small_cnn_summary_shapes_and_counts():
    model = Sequential([L.Conv2D(32, 3, activation="relu", input_shape=(28, 28, 1)),
                        L.MaxPooling2D(),
                        L.Conv2D(64, 3, padding="same", activation="relu"),
                        L.GlobalMaxPooling2D(),
                        L.Dense(10, activation="softmax")])
    shapes = [layer.output_shape_built for layer in model.layers]
    assert shapes == [(None, 26, 26, 32), (None, 13, 13, 32), (None, 13, 13, 64), (None, 64),
                      (None, 10)]
    counts = [layer.count_params() for layer in model.layers]
    assert counts == [320, 0, 3 * 3 * 32 * 64 + 64, 0, 650]
    text = summary_lines(model)
    assert f"Total params: {sum(counts):,}" in text
    for shape in shapes:
        assert str(shape) in text
    assert model.predict(arr(2, 28, 28, 1)).shape == (2, 10)


@pytest.mark.parametrize("rank,channels,filters,k", [(1, 8, 16, 5), (3, 2, 4, 3)])
def test_conv1d_and_conv3d_param_counts(rank, channels, filters, k):
    spatial = (7,) * rank
    layer = CONV[rank](filters, k, input_shape=spatial + (channels,))
    Sequential([layer])
    assert layer.count_params() == k ** rank * channels * filters + filters
    assert layer.weights[0].shape == (k,) * rank + (channels, filters)


def test_conv_without_bias_and_with_activation(torch):
    layer = L.Conv2D(3, 2, use_bias=False, activation="relu")
    x = arr(2, 5, 4, 2)
    layer(P.tensor(x))
    assert len(layer.weights) == 1 and layer.count_params() == 2 * 2 * 2 * 3
    kernel = layer.get_weights()[0]
    expected = torch_conv(torch, x, kernel, np.zeros(3), (1, 1), "valid", (1, 1), "channels_last")
    y = layer(P.tensor(x)).numpy()
    np.testing.assert_allclose(y, np.maximum(expected, 0), rtol=1e-4, atol=1e-5)
    assert (y == 0).any() and (y > 0).any()


def test_conv2d_channels_first_equals_channels_last_on_transposed_data():
    x = arr(2, 6, 5, 3)
    last = L.Conv2D(4, 3, strides=2, padding="same")
    first = L.Conv2D(4, 3, strides=2, padding="same", data_format="channels_first")
    last(P.tensor(x))
    first(P.tensor(x.transpose(0, 3, 1, 2)))
    weights = [arr(3, 3, 3, 4), arr(4)]  # the kernel layout does not depend on data_format
    last.set_weights(weights)
    first.set_weights(weights)
    y_last = last(P.tensor(x)).numpy()
    y_first = first(P.tensor(x.transpose(0, 3, 1, 2))).numpy()
    assert y_first.shape == (2, 4, 3, 3)
    np.testing.assert_allclose(y_first, y_last.transpose(0, 3, 1, 2), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_conv_config_round_trip(rank):
    layer = CONV[rank](6, 3, strides=2, padding="same", data_format="channels_first",
                       dilation_rate=1, activation="tanh", use_bias=False,
                       kernel_initializer="he_normal", bias_initializer="ones",
                       name=f"my_conv{rank}d", input_shape=(2,) + (8,) * rank)
    config = layer.get_config()
    assert config["filters"] == 6 and config["kernel_size"] == [3] * rank
    assert config["strides"] == [2] * rank and config["padding"] == "same"
    assert config["data_format"] == "channels_first" and config["activation"] == "tanh"
    assert config["use_bias"] is False and config["name"] == f"my_conv{rank}d"
    assert json.loads(json.dumps(config)) == config
    clone = CONV[rank].from_config(config)
    assert clone.get_config() == config
    y = clone(P.tensor(arr(1, 2, *(8,) * rank)))
    assert y.shape == (1, 6) + (4,) * rank
    assert [w.shape for w in clone.weights] == [(3,) * rank + (2, 6)]


# (rank, kernel, strides, padding, data_format, input shape with batch)
CONV_GRAD_CASES = [
    (1, 3, 1, "valid", "channels_last", (2, 5, 2)),
    (1, 2, 2, "same", "channels_first", (1, 2, 5)),
    (2, 2, 1, "valid", "channels_last", (1, 4, 3, 2)),
    (2, 3, 2, "same", "channels_first", (1, 2, 4, 4)),
    (3, 2, 1, "valid", "channels_last", (1, 3, 3, 3, 1)),
    (3, 2, 2, "same", "channels_first", (1, 1, 3, 3, 4)),
]


@pytest.mark.parametrize("rank,k,s,padding,fmt,shape", CONV_GRAD_CASES)
def test_conv_gradients_vs_finite_differences(rank, k, s, padding, fmt, shape,
                                              weight_gradients_match):
    layer = CONV[rank](2, k, strides=s, padding=padding, data_format=fmt, activation="tanh",
                       dtype="float64")
    x = RNG.normal(size=shape)
    layer(P.tensor(x))
    layer.set_weights([RNG.normal(size=w.shape) * 0.5 for w in layer.weights])
    assert layer.kernel.dtype == np.float64
    # the input gradient
    assert P.gradcheck(lambda t: layer(t), x)
    # the kernel and bias gradients
    weight_gradients_match(layer, x, RNG.normal(size=layer(P.tensor(x)).shape))


def test_conv_compiled_sgd_step_uses_the_eager_gradient():
    """Graph-mode gradients of a channels_first conv (kernel and bias) match eager ones."""
    x, t = arr(4, 2, 5, 5), arr(4, 3 * 3 * 3)
    conv = L.Conv2D(3, 3, data_format="channels_first", bias_initializer="ones",
                    input_shape=(2, 5, 5))
    model = Sequential([conv, L.Flatten(data_format="channels_first")])
    model.compile(loss="mse", optimizer=optimizers.SGD(learning_rate=0.1))
    before = [w.copy() for w in conv.get_weights()]
    y = model.layers[1](conv(P.tensor(x)))
    (((y - P.tensor(t)) ** 2).mean()).backward()
    grads = [conv.kernel.grad.copy(), conv.bias.grad.copy()]
    model.train_on_batch(x, t)
    for after, b, g in zip(conv.get_weights(), before, grads):
        np.testing.assert_allclose(after, b - 0.1 * g, rtol=1e-4, atol=1e-6)


def test_conv2d_on_flat_input_says_it_expects_4d_and_hints_reshape():
    with pytest.raises(ValueError, match=r"Conv2D 'conv_a' expects 4-D inputs \(batch, rows, "
                                         r"cols, channels\), got shape \(.*, 784\).*"
                                         r"x\.reshape\(-1, 28, 28, 1\)"):
        L.Conv2D(4, 3, name="conv_a")(P.tensor(arr(5, 784)))
    # forgetting the channel axis of grey images, in a Sequential: caught when it is built
    with pytest.raises(ValueError, match=r"Conv2D .*4-D.*\(\?, 28, 28\).*reshape"):
        Sequential([L.Conv2D(4, 3, input_shape=(28, 28))])


@pytest.mark.parametrize("layer,shape,hint", [
    (lambda: L.Conv1D(2, 3), (4, 10), r"3-D inputs \(batch, steps, channels\).*"
                                      r"x\.reshape\(-1, 100, 1\)"),
    (lambda: L.Conv3D(2, 3), (4, 8, 8, 8), r"5-D inputs \(batch, depth, rows, cols, "
                                           r"channels\).*x\.reshape\(-1, 16, 28, 28, 1\)"),
    (lambda: L.Conv2D(2, 3, data_format="channels_first"), (4, 28, 28),
     r"4-D inputs \(batch, channels, rows, cols\).*x\.reshape\(-1, 1, 28, 28\)"),
    (lambda: L.MaxPooling1D(), (4, 8, 8, 1), r"MaxPooling1D .*3-D inputs"),
    (lambda: L.GlobalAveragePooling2D(), (4, 10), r"GlobalAveragePooling2D .*4-D inputs"),
    (lambda: L.ZeroPadding3D(), (4, 5, 5, 1), r"ZeroPadding3D .*5-D inputs"),
    (lambda: L.UpSampling2D(), (4, 5), r"UpSampling2D .*4-D inputs"),
    (lambda: L.Cropping1D(), (4, 5), r"Cropping1D .*3-D inputs"),
])
def test_wrong_rank_names_the_layer_and_fits_the_hint_to_it(layer, shape, hint):
    with pytest.raises(ValueError, match=hint):
        layer()(P.tensor(arr(*shape)))


def test_conv_wrong_channel_count_names_layer_and_shapes():
    layer = L.Conv2D(4, 3, name="conv_b")
    layer(P.tensor(arr(2, 6, 6, 1)))
    with pytest.raises(ValueError, match=r"Conv2D 'conv_b' expects inputs with 1 channels "
                                         r"\(channels_last\), got shape \(2, 6, 6, 3\)"):
        layer(P.tensor(arr(2, 6, 6, 3)))
    first = L.Conv1D(2, 3, data_format="channels_first", name="conv_c")
    first(P.tensor(arr(1, 4, 9)))
    with pytest.raises(ValueError, match=r"Conv1D 'conv_c' .*4 channels \(channels_first\).*"
                                         r"\(1, 9, 4\)"):
        first(P.tensor(arr(1, 9, 4)))
    # a compiled model refuses data of the wrong shape before running
    model = Sequential([L.Conv2D(4, 3, input_shape=(8, 8, 3))])
    with pytest.raises(ValueError, match=r"\(\?, 8, 8, 3\).*\(2, 8, 8, 1\)"):
        model.predict(arr(2, 8, 8, 1))


def test_conv_kernel_larger_than_input_and_bad_arguments():
    with pytest.raises(ShapeError, match=r"kernel of shape \(5, 5, 1, 2\) spans 5 cells.*"
                                         r"\(1, 3, 3, 1\).*padding='same'"):
        L.Conv2D(2, 5)(P.tensor(arr(1, 3, 3, 1)))
    with pytest.raises(ShapeError, match=r"spans 5 cells"):
        Sequential([L.Conv2D(2, 5, input_shape=(3, 3, 1))])
    assert L.Conv2D(2, 5, padding="same")(P.tensor(arr(1, 3, 3, 1))).shape == (1, 3, 3, 2)
    with pytest.raises(ValueError, match="padding"):
        L.Conv2D(2, 3, padding="full")
    with pytest.raises(ValueError, match="data_format"):
        L.Conv2D(2, 3, data_format="channels_middle")
    with pytest.raises(ValueError, match=r"Conv2D 'conv2d\w*': kernel_size must be a positive integer or 2 "
                                         r"positive integers, got \(3, 3, 3\)"):
        L.Conv2D(2, (3, 3, 3))


# -- MaxPooling / AveragePooling 1D, 2D, 3D ------------------------------------------------------
POOL = {("max", 1): L.MaxPooling1D, ("max", 2): L.MaxPooling2D, ("max", 3): L.MaxPooling3D,
        ("avg", 1): L.AveragePooling1D, ("avg", 2): L.AveragePooling2D,
        ("avg", 3): L.AveragePooling3D}

# (kind, rank, pool_size, strides, padding, data_format, spatial, channels)
POOL_CASES = [
    ("max", 1, 2, None, "valid", "channels_last", (7,), 3),
    ("avg", 1, 3, 1, "same", "channels_first", (6,), 2),
    ("max", 2, 2, None, "valid", "channels_last", (6, 7), 2),
    ("max", 2, (3, 2), (2, 1), "same", "channels_first", (7, 6), 2),
    ("avg", 2, 2, None, "valid", "channels_first", (5, 6), 3),
    ("avg", 2, 3, 2, "same", "channels_last", (7, 8), 2),
    ("max", 3, 2, None, "valid", "channels_last", (4, 5, 4), 2),
    ("avg", 3, (2, 2, 3), (1, 2, 2), "same", "channels_first", (3, 5, 6), 1),
    ("max", 3, 2, 1, "same", "channels_first", (3, 2, 3), 2),
]
POOL_IDS = [f"{c[0]}{c[1]}d-{c[4]}-{c[5][9:]}-{i}" for i, c in enumerate(POOL_CASES)]


def pool_case(case, **kwargs):
    kind, rank, pool, strides, padding, fmt, spatial, _ = case
    layer = POOL[kind, rank](pool, strides=strides, padding=padding, data_format=fmt, **kwargs)
    ps = as_tuple(pool, rank)
    ss = ps if strides is None else as_tuple(strides, rank)
    return layer, ps, ss, tuple(window_out(i, k, s, padding) for i, k, s in zip(spatial, ps, ss))


def torch_pool(torch, x, kind, pool, strides, padding, data_format):
    """Keras pooling by PyTorch: "same" max pads with -inf; "same" average counts inside cells."""
    rank = len(pool)
    F = torch.nn.functional
    xt = torch.from_numpy(to_channels_first(x, data_format).astype(np.float64))
    pads = [tf_same_pads(i, k, s) for i, k, s in zip(xt.shape[2:], pool, strides)] \
        if padding == "same" else [(0, 0)] * rank
    if kind == "max":
        fn = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}[rank]
        y = fn(torch_pad(torch, xt, pads, -np.inf), pool, strides)
    else:
        fn = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}[rank]
        y = fn(torch_pad(torch, xt, pads), pool, strides) / \
            fn(torch_pad(torch, torch.ones_like(xt), pads), pool, strides)
    return from_channels_first(y.numpy(), data_format)


@pytest.mark.parametrize("case", POOL_CASES, ids=POOL_IDS)
def test_pool_output_shape_no_weights_and_config(case):
    kind, rank, _, _, _, fmt, spatial, channels = case
    layer, ps, ss, out = pool_case(case)
    y = layer(P.tensor(arr(*with_batch(2, spatial, channels, fmt))))
    expected = with_batch(2, out, channels, fmt)
    assert y.shape == expected
    assert layer.weights == [] and layer.count_params() == 0
    model = Sequential([pool_case(case, input_shape=input_shape(spatial, channels, fmt))[0]])
    assert model.output_shape == (None,) + expected[1:]
    config = layer.get_config()
    assert config["pool_size"] == list(ps) and config["strides"] == list(ss)
    assert config["data_format"] == fmt
    assert json.loads(json.dumps(config)) == config
    assert type(layer).from_config(config).get_config() == config


@pytest.mark.parametrize("case", POOL_CASES, ids=POOL_IDS)
def test_pool_values_vs_torch(case, torch):
    kind, rank, _, _, padding, fmt, spatial, channels = case
    layer, ps, ss, _ = pool_case(case, input_shape=input_shape(spatial, channels, fmt))
    model = Sequential([layer])
    x = arr(*with_batch(3, spatial, channels, fmt))
    expected = torch_pool(torch, x, kind, ps, ss, padding, fmt)
    np.testing.assert_allclose(layer(P.tensor(x)).numpy(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-5, atol=1e-6)


def test_max_and_average_pooling2d_default_2x2_worked_numbers():
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    np.testing.assert_array_equal(L.MaxPooling2D()(P.tensor(x)).numpy()[0, :, :, 0],
                                  [[5, 7], [13, 15]])
    np.testing.assert_array_equal(L.AveragePooling2D()(P.tensor(x)).numpy()[0, :, :, 0],
                                  [[2.5, 4.5], [10.5, 12.5]])
    # "same" with 3x3 windows every 3 cells over 4 pads one cell each side (TF), and
    # averages over the cells inside the input only, not over the zero padding
    y = L.AveragePooling2D(3, strides=3, padding="same")(P.tensor(x)).numpy()[0, :, :, 0]
    g = x[0, :, :, 0]
    np.testing.assert_allclose(y, [[g[:2, :2].mean(), g[:2, 2:].mean()],
                                   [g[2:, :2].mean(), g[2:, 2:].mean()]])


def test_max_pooling2d_after_mnist_conv_summary():
    model = Sequential([L.Conv2D(32, 3, input_shape=(28, 28, 1)), L.MaxPooling2D((2, 2))])
    assert model.output_shape == (None, 13, 13, 32)
    text = summary_lines(model)
    assert "(None, 13, 13, 32)" in text and "Total params: 320" in text


# (kind, rank, pool, strides, padding, data_format, input shape with batch)
POOL_GRAD_CASES = [
    ("max", 1, 2, 1, "valid", "channels_last", (2, 5, 2)),
    ("avg", 1, 3, 2, "same", "channels_first", (1, 2, 6)),
    ("max", 2, 2, None, "same", "channels_first", (1, 2, 3, 5)),
    ("avg", 2, 2, 1, "valid", "channels_last", (2, 3, 4, 1)),
    ("max", 3, 2, 1, "valid", "channels_last", (1, 3, 3, 3, 1)),
    ("avg", 3, 2, None, "same", "channels_first", (1, 1, 3, 3, 3)),
]


@pytest.mark.parametrize("kind,rank,pool,strides,padding,fmt,shape", POOL_GRAD_CASES)
def test_pool_gradcheck_float64(kind, rank, pool, strides, padding, fmt, shape):
    layer = POOL[kind, rank](pool, strides=strides, padding=padding, data_format=fmt,
                             dtype="float64")
    x = RNG.permutation(np.prod(shape)).reshape(shape) * 0.1  # distinct values: no tied maxima
    assert P.gradcheck(lambda t: layer(t), x)


def test_pool_size_larger_than_the_input_is_a_clear_error():
    with pytest.raises(ShapeError, match=r"pool_size \(4, 4\) spans 4 cells .* 3 .*"
                                         r"\(1, 3, 3, 1\).*padding='same'"):
        L.MaxPooling2D(4)(P.tensor(arr(1, 3, 3, 1)))
    with pytest.raises(ShapeError, match=r"pool_size \(5,\) spans 5 cells"):
        Sequential([L.AveragePooling1D(5, input_shape=(4, 2))])
    with pytest.raises(ShapeError, match=r"pool_size"):
        Sequential([L.Conv2D(2, 3, input_shape=(5, 5, 1)), L.MaxPooling2D(4)])
    assert L.MaxPooling2D(4, padding="same")(P.tensor(arr(1, 3, 3, 1))).shape == (1, 1, 1, 1)
    with pytest.raises(ValueError, match="padding"):
        L.MaxPooling2D(padding="full")
    with pytest.raises(ValueError, match=r"MaxPooling3D '\w+': pool_size must be a positive integer "
                                         r"or 3 positive integers, got \(2, 2\)"):
        L.MaxPooling3D((2, 2))


# -- GlobalAveragePooling2D / GlobalMaxPooling2D -------------------------------------------------
@pytest.mark.parametrize("cls,reduce", [(L.GlobalAveragePooling2D, np.mean),
                                        (L.GlobalMaxPooling2D, np.max)])
@pytest.mark.parametrize("fmt", ["channels_last", "channels_first"])
def test_global_pooling_values_shapes_config(cls, reduce, fmt):
    x = arr(3, 4, 5, 6)
    layer = cls(data_format=fmt)
    y = layer(P.tensor(x))
    axes = (1, 2) if fmt == "channels_last" else (2, 3)
    channels = 6 if fmt == "channels_last" else 4
    assert y.shape == (3, channels)
    np.testing.assert_allclose(y.numpy(), reduce(x, axis=axes), rtol=1e-6, atol=1e-6)
    assert layer.weights == []
    model = Sequential([cls(data_format=fmt, input_shape=x.shape[1:])])
    assert model.output_shape == (None, channels)
    assert "(None, %d)" % channels in summary_lines(model)
    np.testing.assert_allclose(model.predict(x), reduce(x, axis=axes), rtol=1e-6, atol=1e-6)
    config = layer.get_config()
    assert config["data_format"] == fmt
    assert cls.from_config(config).get_config() == config


@pytest.mark.parametrize("cls", [L.GlobalAveragePooling2D, L.GlobalMaxPooling2D])
@pytest.mark.parametrize("fmt", ["channels_last", "channels_first"])
def test_global_pooling_gradcheck(cls, fmt):
    x = RNG.permutation(24).reshape(2, 3, 2, 2) * 0.1
    assert P.gradcheck(lambda t: cls(data_format=fmt, dtype="float64")(t), x)


def test_global_pooling_after_channels_first_conv():
    model = Sequential([L.Conv2D(5, 3, data_format="channels_first", input_shape=(2, 6, 6)),
                        L.GlobalAveragePooling2D(data_format="channels_first"), L.Dense(3)])
    assert model.layers[1].output_shape_built == (None, 5)
    assert model.layers[2].weights[0].shape == (5, 3)


# -- ZeroPadding / Cropping / UpSampling 1D, 2D, 3D -----------------------------------------------
def np_zero_pad(pairs, fmt):
    def f(x):
        spatial = list(pairs)
        widths = [(0, 0)] + (spatial + [(0, 0)] if fmt == "channels_last" else [(0, 0)] + spatial)
        return np.pad(x, widths)
    return f


def np_crop(pairs, fmt):
    def f(x):
        first = 1 if fmt == "channels_last" else 2
        index = [slice(None)] * x.ndim
        for axis, (b, a) in enumerate(pairs, start=first):
            index[axis] = slice(b, x.shape[axis] - a)
        return x[tuple(index)]
    return f


def np_upsample(size, fmt):
    def f(x):
        first = 1 if fmt == "channels_last" else 2
        for axis, n in enumerate(size, start=first):
            x = np.repeat(x, n, axis=axis)
        return x
    return f


CL, CF = "channels_last", "channels_first"
# (layer class, argument, data_format, input shape with batch, NumPy reference, output shape)
RESIZE_CASES = [
    (L.ZeroPadding1D, 2, CL, (2, 5, 3), np_zero_pad([(2, 2)], CL), (2, 9, 3)),
    (L.ZeroPadding1D, (1, 3), CF, (2, 3, 5), np_zero_pad([(1, 3)], CF), (2, 3, 9)),
    (L.ZeroPadding2D, 1, CL, (2, 4, 5, 3), np_zero_pad([(1, 1)] * 2, CL), (2, 6, 7, 3)),
    (L.ZeroPadding2D, (1, 2), CL, (2, 4, 5, 1), np_zero_pad([(1, 1), (2, 2)], CL), (2, 6, 9, 1)),
    (L.ZeroPadding2D, ((1, 2), (0, 3)), CF, (2, 3, 4, 5), np_zero_pad([(1, 2), (0, 3)], CF),
     (2, 3, 7, 8)),
    (L.ZeroPadding3D, 1, CL, (1, 2, 3, 4, 2), np_zero_pad([(1, 1)] * 3, CL), (1, 4, 5, 6, 2)),
    (L.ZeroPadding3D, ((0, 1), (2, 0), (1, 1)), CF, (1, 2, 2, 3, 4),
     np_zero_pad([(0, 1), (2, 0), (1, 1)], CF), (1, 2, 3, 5, 6)),
    (L.Cropping1D, 1, CL, (2, 6, 3), np_crop([(1, 1)], CL), (2, 4, 3)),
    (L.Cropping1D, (0, 2), CF, (2, 3, 6), np_crop([(0, 2)], CF), (2, 3, 4)),
    (L.Cropping2D, ((1, 0), (1, 2)), CL, (2, 5, 6, 3), np_crop([(1, 0), (1, 2)], CL),
     (2, 4, 3, 3)),
    (L.Cropping2D, (1, 2), CF, (2, 3, 5, 6), np_crop([(1, 1), (2, 2)], CF), (2, 3, 3, 2)),
    (L.Cropping3D, 1, CL, (1, 4, 4, 5, 2), np_crop([(1, 1)] * 3, CL), (1, 2, 2, 3, 2)),
    (L.Cropping3D, ((1, 0), (0, 1), (2, 1)), CF, (1, 2, 3, 4, 5),
     np_crop([(1, 0), (0, 1), (2, 1)], CF), (1, 2, 2, 3, 2)),
    (L.UpSampling1D, 3, CL, (2, 4, 3), np_upsample((3,), CL), (2, 12, 3)),
    (L.UpSampling1D, 2, CF, (2, 3, 4), np_upsample((2,), CF), (2, 3, 8)),
    (L.UpSampling2D, (2, 3), CL, (2, 3, 2, 2), np_upsample((2, 3), CL), (2, 6, 6, 2)),
    (L.UpSampling2D, 2, CF, (2, 3, 2, 3), np_upsample((2, 2), CF), (2, 3, 4, 6)),
    (L.UpSampling3D, (1, 2, 3), CL, (1, 2, 2, 2, 2), np_upsample((1, 2, 3), CL), (1, 2, 4, 6, 2)),
    (L.UpSampling3D, 2, CF, (1, 2, 2, 1, 3), np_upsample((2, 2, 2), CF), (1, 2, 4, 2, 6)),
]
RESIZE_IDS = [f"{c[0].__name__}-{c[2][9:]}-{i}" for i, c in enumerate(RESIZE_CASES)]
ARGUMENT = {"ZeroPadding": "padding", "Cropping": "cropping", "UpSampling": "size"}


def resize_layer(cls, arg, fmt, **kwargs):
    return cls(arg, data_format=fmt, **kwargs)


@pytest.mark.parametrize("cls,arg,fmt,shape,reference,out", RESIZE_CASES, ids=RESIZE_IDS)
def test_resize_layers_shape_values_and_no_weights(cls, arg, fmt, shape, reference, out):
    x = arr(*shape)
    layer = resize_layer(cls, arg, fmt)
    y = layer(P.tensor(x))
    assert y.shape == out
    np.testing.assert_array_equal(y.numpy(), reference(x))
    assert layer.weights == [] and layer.count_params() == 0
    model = Sequential([resize_layer(cls, arg, fmt, input_shape=shape[1:])])
    assert model.output_shape == (None,) + out[1:]
    assert str((None,) + out[1:]) in summary_lines(model)
    np.testing.assert_array_equal(model.predict(x), reference(x))


@pytest.mark.parametrize("cls,arg,fmt,shape,reference,out", RESIZE_CASES, ids=RESIZE_IDS)
def test_resize_layers_config_round_trip(cls, arg, fmt, shape, reference, out):
    layer = resize_layer(cls, arg, fmt, name=f"resize_{cls.__name__.lower()}")
    config = layer.get_config()
    assert config["data_format"] == fmt
    key = next(v for k, v in ARGUMENT.items() if cls.__name__.startswith(k))
    assert key in config
    assert json.loads(json.dumps(config)) == config
    clone = cls.from_config(config)
    assert clone.get_config() == config
    np.testing.assert_array_equal(clone(P.tensor(np.ones(shape, np.float32))).numpy(),
                                  reference(np.ones(shape, np.float32)))


@pytest.mark.parametrize("case", RESIZE_CASES[::2], ids=RESIZE_IDS[::2])
def test_resize_layers_gradcheck(case):
    cls, arg, fmt, shape, _, _ = case
    layer = resize_layer(cls, arg, fmt, dtype="float64")
    assert P.gradcheck(lambda t: layer(t), RNG.normal(size=shape))


def test_upsampling_gradient_sums_each_block():
    x = P.tensor(np.ones((1, 2, 2, 1)), requires_grad=True)
    y = L.UpSampling2D((2, 3), dtype="float64")(x)
    (y * P.tensor(np.arange(24.0).reshape(1, 4, 6, 1))).sum().backward()
    g = np.arange(24.0).reshape(2, 2, 2, 3).transpose(0, 2, 1, 3).reshape(2, 2, 6).sum(-1)
    np.testing.assert_array_equal(x.grad[0, :, :, 0], g)


def test_cropping_everything_and_bad_forms_are_clear_errors():
    with pytest.raises(ShapeError, match=r"cropping 2 \+ 2 cells leaves nothing .*size 3"):
        L.Cropping2D(2)(P.tensor(arr(1, 3, 3, 1)))
    with pytest.raises(ShapeError, match=r"leaves nothing"):
        Sequential([L.Cropping1D((3, 3), input_shape=(6, 2))])
    with pytest.raises(ValueError, match=r"ZeroPadding2D '\w+': padding must be a non-negative "
                                         r"integer, 2 of them or 2 \(before, after\) pairs"):
        L.ZeroPadding2D(((1, 2, 3),))
    with pytest.raises(ValueError, match=r"Cropping3D"):
        L.Cropping3D((1, 2))
    with pytest.raises(ValueError, match=r"UpSampling2D '\w+': size must be a positive integer or 2"):
        L.UpSampling2D((2, 2, 2))
    with pytest.raises(ValueError, match="data_format"):
        L.ZeroPadding1D(data_format="channels_middle")
