"""K.image_data_format() is honoured: layers and image tools made with data_format=None follow it.

As in Keras 2.2.4, a layer resolves the setting when it is made and records the result in
its config; 1-D (temporal) layers stay channels_last unless told otherwise.
"""
import contextlib

import numpy as np
import pytest

from passos.keras import backend as K
from passos.keras import layers as L
from passos.keras.models import Sequential, load_model
from passos.keras.preprocessing import image

RNG = np.random.default_rng(7)


@contextlib.contextmanager
def image_data_format(data_format):
    """K.set_image_data_format(data_format) inside the block; the previous setting after."""
    before = K.image_data_format()
    K.set_image_data_format(data_format)
    try:
        yield
    finally:
        K.set_image_data_format(before)


@pytest.fixture
def channels_first():
    with image_data_format("channels_first"):
        yield


def to_first(x):
    """A channels_last batch in channels_first layout."""
    return np.moveaxis(x, -1, 1)


# -- the setting reaches the layers -------------------------------------------------------------------
def small_cnn(input_shape):
    return Sequential([L.Conv2D(4, 3, input_shape=input_shape), L.MaxPooling2D(), L.Flatten(),
                       L.Dense(2)])


def test_channels_first_cnn_builds_with_channels_first_shapes(channels_first):
    model = small_cnn((1, 8, 8))
    assert [layer.output_shape_built for layer in model.layers] == [
        (None, 4, 6, 6), (None, 4, 3, 3), (None, 36), (None, 2)]
    assert [layer.get_config().get("data_format") for layer in model.layers] == \
        ["channels_first"] * 3 + [None]


RANK_2_AND_3 = [
    lambda: L.Conv2D(2, 3), lambda: L.Conv3D(2, 3), lambda: L.Conv2DTranspose(2, 3),
    lambda: L.Conv3DTranspose(2, 3), lambda: L.SeparableConv2D(2, 3), lambda: L.DepthwiseConv2D(3),
    lambda: L.MaxPooling2D(), lambda: L.AveragePooling3D(), lambda: L.GlobalAveragePooling2D(),
    lambda: L.GlobalMaxPooling3D(), lambda: L.ZeroPadding2D(), lambda: L.Cropping3D(),
    lambda: L.UpSampling2D(), lambda: L.SpatialDropout2D(0.5), lambda: L.Flatten()]
RANK_1 = [lambda: L.Conv1D(2, 3), lambda: L.SeparableConv1D(2, 3), lambda: L.MaxPooling1D(),
          lambda: L.GlobalAveragePooling1D(), lambda: L.ZeroPadding1D(), lambda: L.Cropping1D(),
          lambda: L.UpSampling1D(), lambda: L.SpatialDropout1D(0.5)]


@pytest.mark.parametrize("make", RANK_2_AND_3)
def test_layers_resolve_none_to_the_setting_and_record_it(make, channels_first):
    layer = make()
    assert layer.data_format == layer.get_config()["data_format"] == "channels_first"
    with image_data_format("channels_last"):  # the config keeps the layout the layer was made in
        assert type(layer).from_config(layer.get_config()).data_format == "channels_first"
        assert make().data_format == "channels_last"


@pytest.mark.parametrize("make", RANK_1)
def test_one_dimensional_layers_stay_channels_last_as_in_keras(make, channels_first):
    assert make().get_config()["data_format"] == "channels_last"


def test_an_explicit_data_format_wins_over_the_setting(channels_first):
    assert L.Conv2D(2, 3, data_format="channels_last").data_format == "channels_last"
    assert L.Conv1D(2, 3, data_format="channels_first").data_format == "channels_first"


def test_normalize_data_format_reads_the_setting_and_names_the_caller(channels_first):
    assert K.normalize_data_format(None) == "channels_first"
    assert K.normalize_data_format("channels_last") == "channels_last"
    with pytest.raises(ValueError, match=r"^normalize_data_format: data_format must be "
                                         r"'channels_last' or 'channels_first', got 'NCHW'$"):
        K.normalize_data_format("NCHW")


# -- channels_first computes what channels_last does -----------------------------------------------
def same_weights(source, target):
    """Copy every layer's weights: kernels do not depend on the layout."""
    for a, b in zip(source.layers, target.layers):
        b.set_weights(a.get_weights())


def convolutions_2d(input_shape):
    return Sequential([
        L.ZeroPadding2D(1, input_shape=input_shape), L.Conv2D(4, 3, strides=2, activation="relu"),
        L.UpSampling2D(), L.Cropping2D(((1, 0), (0, 1))), L.DepthwiseConv2D(2, depth_multiplier=2),
        L.SeparableConv2D(3, 2, padding="same"), L.Conv2DTranspose(2, 3, strides=2),
        L.AveragePooling2D(), L.SpatialDropout2D(0.5), L.Flatten(), L.Dense(3)])


def convolutions_3d(input_shape):
    return Sequential([
        L.Conv3D(3, 2, input_shape=input_shape), L.MaxPooling3D(), L.UpSampling3D(),
        L.ZeroPadding3D(1), L.Cropping3D(1), L.GlobalMaxPooling3D()])


@pytest.mark.parametrize("make, shape", [(small_cnn, (5, 8, 8, 1)), (convolutions_2d, (4, 6, 6, 3)),
                                         (convolutions_3d, (3, 5, 5, 5, 2))])
def test_channels_first_model_matches_channels_last_on_transposed_inputs(make, shape):
    """Same weights, inputs transposed: the same outputs (Flatten flattens in Keras' order)."""
    x = RNG.normal(size=shape).astype(np.float32)
    with image_data_format("channels_first"):
        first = make(to_first(x).shape[1:])
    with image_data_format("channels_last"):
        last = make(x.shape[1:])
    for a, b in zip(last.layers, first.layers):  # kernels do not depend on the layout
        b.set_weights(a.get_weights())
    y = last.predict(x)
    np.testing.assert_allclose(first.predict(to_first(x)), y, rtol=1e-5, atol=1e-5)
    assert np.abs(y).max() > 1e-3  # a real check, not of zeros


def test_saved_channels_first_model_loads_channels_first_under_channels_last(tmp_path):
    x = RNG.normal(size=(2, 1, 8, 8)).astype(np.float32)
    with image_data_format("channels_first"):
        model = small_cnn(x.shape[1:])
        model.compile("sgd", "mse")
        model.save(str(tmp_path / "cnn.passos"))
    loaded = load_model(str(tmp_path / "cnn.passos"))
    assert [layer.data_format for layer in loaded.layers[:3]] == ["channels_first"] * 3
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), rtol=1e-6)


# -- image tools ----------------------------------------------------------------------------------------
def test_image_tools_follow_the_setting(channels_first):
    gen = image.ImageDataGenerator(horizontal_flip=True)
    assert gen.data_format == "channels_first" and gen.channel_axis == 1
    x = RNG.normal(size=(3, 1, 4, 5))
    batch = next(gen.flow(x, batch_size=3, shuffle=False, seed=0))
    assert batch.shape == (3, 1, 4, 5)
    assert image.img_to_array(np.zeros((4, 5, 3), np.uint8)).shape == (3, 4, 5)
    assert image.NumpyArrayIterator(x, None, gen).data_format == "channels_first"
