"""Conv2DTranspose, Conv3DTranspose, DepthwiseConv2D, SeparableConv1D and SeparableConv2D:
output shape (eager and in a Sequential), weights, config round trip, values against
PyTorch, float64 gradients through the layer, errors, and a few training steps.
"""
import numpy as np
import pytest

import passos as P
from passos.keras import layers as L
from passos.keras.models import Sequential

RNG = np.random.default_rng(13)


def keras_deconv_length(i, k, s, padding, output_padding=None, d=1):
    """Keras 2.2.4's conv_utils.deconv_length, written out from its documentation."""
    span = d * (k - 1) + 1
    if output_padding is None:
        return i * s + max(span - s, 0) if padding == "valid" else i * s
    return (i - 1) * s + span - 2 * (span // 2 if padding == "same" else 0) + output_padding


# (layer class, kwargs, per-sample input shape, data_format)
TRANSPOSE_CASES = [
    (L.Conv2DTranspose, dict(filters=3, kernel_size=3), (4, 5, 2), "channels_last"),
    (L.Conv2DTranspose, dict(filters=2, kernel_size=(3, 2), strides=2, padding="same"),
     (3, 4, 2), "channels_last"),
    (L.Conv2DTranspose, dict(filters=2, kernel_size=3, strides=(2, 3), padding="same",
                             output_padding=(1, 2)), (3, 3, 1), "channels_last"),
    (L.Conv2DTranspose, dict(filters=2, kernel_size=2, strides=3, padding="valid",
                             data_format="channels_first"), (2, 3, 2), "channels_first"),
    (L.Conv3DTranspose, dict(filters=2, kernel_size=2, strides=2, padding="same"),
     (2, 2, 3, 2), "channels_last"),
]


def _expected_shape(layer, sample, fmt):
    spatial = sample[1:] if fmt == "channels_first" else sample[:-1]
    extra = layer.output_padding or (None,) * layer.rank
    out = tuple(keras_deconv_length(i, k, s, layer.padding, p)
                for i, k, s, p in zip(spatial, layer.kernel_size, layer.strides, extra))
    return (layer.filters,) + out if fmt == "channels_first" else out + (layer.filters,)


@pytest.mark.parametrize("cls, kwargs, sample, fmt", TRANSPOSE_CASES)
def test_transpose_shapes_weights_and_config(cls, kwargs, sample, fmt):
    layer = cls(**kwargs)
    y = layer(P.tensor(RNG.normal(size=(2,) + sample).astype(np.float32)))
    expected = _expected_shape(layer, sample, fmt)
    assert y.shape == (2,) + expected and y.dtype == np.float32
    channels = sample[0] if fmt == "channels_first" else sample[-1]
    assert [w.shape for w in layer.weights] == [layer.kernel_size + (layer.filters, channels),
                                                (layer.filters,)]
    config = layer.get_config()
    assert cls.from_config(config).get_config() == config
    model = Sequential([cls(**kwargs, input_shape=sample)])
    assert model.output_shape == (None,) + expected


def test_conv2d_transpose_layer_matches_torch_with_bias_and_relu():
    torch = pytest.importorskip("torch", reason="PyTorch parity needs torch")
    layer = L.Conv2DTranspose(3, 3, strides=2, padding="same", output_padding=1,
                              activation="relu", bias_initializer="random_normal",
                              dtype="float64")
    x = RNG.normal(size=(2, 3, 4, 2))
    y = layer(P.tensor(x)).numpy()
    kernel, bias = layer.get_weights()
    # TF pads "same" with output_padding 1 by (0, 1): torch's full output, its first rows kept
    full = torch.nn.functional.conv_transpose2d(
        torch.tensor(x).permute(0, 3, 1, 2), torch.tensor(kernel).permute(3, 2, 0, 1).contiguous(),
        torch.tensor(bias), stride=2)
    expected = torch.relu(full[:, :, :6, :8]).permute(0, 2, 3, 1).numpy()
    np.testing.assert_allclose(y, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cls, kwargs, sample, fmt", TRANSPOSE_CASES[1:3] + TRANSPOSE_CASES[4:])
def test_transpose_weight_gradients(cls, kwargs, sample, fmt, weight_gradients_match):
    layer = cls(**kwargs, bias_initializer="random_normal", dtype="float64")
    x = RNG.normal(size=(1,) + sample)
    weight_gradients_match(layer, x, RNG.normal(size=layer(P.tensor(x)).shape))


def test_transpose_errors_name_the_layer():
    with pytest.raises(ValueError, match=r"Conv2DTranspose 'up' needs each output_padding below "
                                         r"its stride"):
        L.Conv2DTranspose(2, 3, strides=2, output_padding=2, name="up")
    layer = L.Conv2DTranspose(2, 3, name="up2")
    layer(P.tensor(np.zeros((1, 4, 4, 3), np.float32)))
    with pytest.raises(ValueError, match=r"Conv2DTranspose 'up2' expects inputs with 3 channels"):
        layer(P.tensor(np.zeros((1, 4, 4, 2), np.float32)))
    with pytest.raises(ValueError, match=r"Conv3DTranspose 'up3' expects 5-D inputs"):
        L.Conv3DTranspose(2, 3, name="up3")(P.tensor(np.zeros((1, 4, 4, 2), np.float32)))


# -- depthwise and separable -------------------------------------------------------------------
DEPTHWISE_CASES = [
    (L.DepthwiseConv2D, dict(kernel_size=3, depth_multiplier=2), (5, 4, 3)),
    (L.DepthwiseConv2D, dict(kernel_size=(2, 3), strides=2, padding="same",
                             data_format="channels_first"), (2, 5, 6)),
    (L.SeparableConv2D, dict(filters=4, kernel_size=3, depth_multiplier=2, padding="same"),
     (4, 5, 2)),
    (L.SeparableConv1D, dict(filters=3, kernel_size=2, strides=2), (7, 2)),
]


def _torch_depthwise_then_pointwise(torch, layer, x):
    """The layer by PyTorch: a grouped convolution (groups = channels), then a 1x1 one."""
    F = torch.nn.functional
    rank = layer.rank
    first = layer.data_format == "channels_first"
    xt = torch.tensor(x if first else np.moveaxis(x, -1, 1))
    weights = layer.get_weights()
    depthwise = weights[0]
    c, m = depthwise.shape[-2:]
    if layer.padding == "same":
        pads = [P.ops.windows.same_pads(i, k, s, 1) for i, k, s in
                zip(xt.shape[2:], layer.kernel_size, layer.strides)]
        xt = F.pad(xt, [p for pair in reversed(pads) for p in pair])
    kernel = torch.tensor(depthwise.reshape(*layer.kernel_size, c * m)).movedim(-1, 0)[:, None]
    conv = getattr(F, f"conv{rank}d")
    y = conv(xt, kernel.contiguous(), stride=layer.strides, groups=c)
    if isinstance(layer, L.DepthwiseConv2D):
        y = y + torch.tensor(weights[1]).reshape(-1, *(1,) * rank)
    else:
        pointwise = torch.tensor(weights[1].reshape(c * m, -1).T.copy())
        y = conv(y, pointwise.reshape(*pointwise.shape, *(1,) * rank), torch.tensor(weights[2]))
    return (y if first else y.movedim(1, -1)).numpy()


@pytest.mark.parametrize("cls, kwargs, sample", DEPTHWISE_CASES)
def test_depthwise_and_separable_match_torch_grouped_convolution(cls, kwargs, sample):
    torch = pytest.importorskip("torch", reason="PyTorch parity needs torch")
    layer = cls(**kwargs, bias_initializer="random_normal", dtype="float64")
    x = RNG.normal(size=(2,) + sample)
    np.testing.assert_allclose(layer(P.tensor(x)).numpy(),
                               _torch_depthwise_then_pointwise(torch, layer, x),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cls, kwargs, sample", DEPTHWISE_CASES)
def test_depthwise_and_separable_shapes_weights_config_gradients(cls, kwargs, sample,
                                                                 weight_gradients_match):
    layer = cls(**kwargs, bias_initializer="random_normal", dtype="float64")
    x = RNG.normal(size=(1,) + sample)
    y = layer(P.tensor(x))
    first = kwargs.get("data_format") == "channels_first"
    c, m = (sample[0] if first else sample[-1]), kwargs.get("depth_multiplier", 1)
    shapes = [w.shape for w in layer.weights]
    assert shapes[0] == layer.kernel_size + (c, m)
    if cls is L.DepthwiseConv2D:
        assert shapes[1:] == [(c * m,)] and y.shape[1 if first else -1] == c * m
    else:
        assert shapes[1:] == [(1,) * layer.rank + (c * m, layer.filters), (layer.filters,)]
    config = layer.get_config()
    assert cls.from_config(config).get_config() == config
    assert Sequential([cls(**kwargs, input_shape=sample)]).output_shape == (None,) + y.shape[1:]
    weight_gradients_match(layer, x, RNG.normal(size=y.shape))


def test_a_compiled_model_of_the_new_convolutions_trains_and_saves(tmp_path):
    from passos.keras.models import load_model
    P.random.seed(0)
    model = Sequential([L.SeparableConv2D(4, 3, padding="same", input_shape=(6, 6, 1)),
                        L.DepthwiseConv2D(3, depth_multiplier=2, activation="relu"),
                        L.Conv2DTranspose(2, 3, strides=2),
                        L.GlobalAveragePooling2D(), L.Dense(2, activation="softmax")])
    x = RNG.normal(size=(16, 6, 6, 1)).astype(np.float32)
    y = np.eye(2)[(x.mean(axis=(1, 2, 3)) > 0).astype(int)]
    model.compile("adam", "categorical_crossentropy")
    history = model.fit(x, y, epochs=5, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    path = str(tmp_path / "convs.keras")
    model.save(path)
    np.testing.assert_allclose(load_model(path).predict(x), model.predict(x), rtol=1e-6)
