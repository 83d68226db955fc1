"""tf.image against NumPy references of TF1.15's formulas and PyTorch (align_corners=True),
with finite-difference gradient checks of the differentiable ones."""
import numpy as np
import pytest

import passos.compat.v1 as tf
from passos.gradcheck import numeric_gradient

from tf1_graphs import fresh_graph, run  # noqa: F401 - fresh_graph: an autouse fixture

try:
    import torch
except ImportError:  # the parity check below is skipped
    torch = None

rng = np.random.default_rng(0)


def tf1_bilinear(x, out_h, out_w, align_corners):
    """TF1's resize_bilinear kernel (legacy coordinates), pixel by pixel, on (N, H, W, C)."""
    n, h, w, c = x.shape
    sh = (h - 1) / (out_h - 1) if align_corners and out_h > 1 else h / out_h
    sw = (w - 1) / (out_w - 1) if align_corners and out_w > 1 else w / out_w
    y = np.zeros((n, out_h, out_w, c))
    for i in range(out_h):
        fy = i * sh
        y0, y1, ly = int(np.floor(fy)), min(int(np.floor(fy)) + 1, h - 1), fy - np.floor(fy)
        for j in range(out_w):
            fx = j * sw
            x0, x1, lx = int(np.floor(fx)), min(int(np.floor(fx)) + 1, w - 1), fx - np.floor(fx)
            top = x[:, y0, x0] * (1 - lx) + x[:, y0, x1] * lx
            bottom = x[:, y1, x0] * (1 - lx) + x[:, y1, x1] * lx
            y[:, i, j] = top * (1 - ly) + bottom * ly
    return y


@pytest.mark.parametrize("size", [(7, 5), (2, 3), (4, 6)])
@pytest.mark.parametrize("align_corners", [False, True])
def test_resize_bilinear_matches_tf1_formula(size, align_corners):
    data = rng.normal(size=(2, 4, 6, 3)).astype(np.float32)
    y = tf.image.resize_images(tf.constant(data), size, align_corners=align_corners)
    value = run(y)
    assert y.shape == (2, *size, 3) and value.dtype == np.float32
    np.testing.assert_allclose(value, tf1_bilinear(data, *size, align_corners), rtol=1e-5,
                               atol=1e-6)
    single = run(tf.image.resize_images(tf.constant(data[0]), size, align_corners=align_corners))
    np.testing.assert_allclose(single, value[0], rtol=1e-6)


@pytest.mark.skipif(torch is None, reason="PyTorch not installed")
def test_resize_bilinear_align_corners_matches_torch():
    data = rng.normal(size=(2, 5, 4, 3)).astype(np.float32)
    value = run(tf.image.resize_images(tf.constant(data), [9, 7], align_corners=True))
    expected = torch.nn.functional.interpolate(torch.tensor(data).permute(0, 3, 1, 2), (9, 7),
                                               mode="bilinear", align_corners=True)
    np.testing.assert_allclose(value, expected.permute(0, 2, 3, 1).numpy(), rtol=1e-5, atol=1e-6)


def test_resize_nearest_keeps_dtype_and_uses_tf1_indices():
    data = np.arange(12, dtype=np.uint8).reshape(3, 4, 1)
    y = tf.image.resize_images(data, [5, 2], method=tf.image.ResizeMethod.NEAREST_NEIGHBOR)
    value = run(y)
    rows = np.minimum(np.floor(np.arange(5) * 3 / 5), 2).astype(int)
    cols = np.floor(np.arange(2) * 2).astype(int)
    assert value.dtype == np.uint8
    np.testing.assert_array_equal(value, data[rows][:, cols])
    aligned = run(tf.image.resize_images(data, [5, 2], tf.image.ResizeMethod.NEAREST_NEIGHBOR,
                                         align_corners=True))
    # TF's roundf: halves away from zero (rows 0, 0.5, 1, 1.5, 2 -> 0, 1, 1, 2, 2)
    np.testing.assert_array_equal(aligned, data[[0, 1, 1, 2, 2]][:, [0, 3]])


def check_gradient(build, shape):
    data = rng.normal(size=shape)
    x = tf.placeholder(tf.float64, shape)
    y = build(x)
    weights = rng.normal(size=run(y, {x: data}).shape)
    loss = tf.reduce_sum(y * weights)
    grad = run(tf.gradients(loss, x)[0], {x: data})
    np.testing.assert_allclose(grad, numeric_gradient(lambda: run(loss, {x: data}), data),
                               rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("align_corners", [False, True])
def test_resize_bilinear_gradient(align_corners):
    check_gradient(lambda x: tf.image.resize_images(x, [5, 3], align_corners=align_corners),
                   (2, 3, 4, 3))


@pytest.mark.parametrize("build", [
    lambda x: tf.image.resize_image_with_crop_or_pad(x, 5, 2),
    lambda x: tf.image.flip_left_right(x),
    lambda x: tf.image.flip_up_down(x),
    lambda x: tf.image.per_image_standardization(x),
    lambda x: tf.image.rgb_to_grayscale(x),
], ids=["crop_or_pad", "flip_lr", "flip_ud", "standardize",
        "grayscale"])
def test_gradients_match_finite_differences(build):
    check_gradient(build, (2, 3, 4, 3))


def test_crop_or_pad_flips_and_standardization_values():
    data = rng.normal(size=(3, 4, 2)).astype(np.float32)
    x = tf.constant(data)
    padded, cropped, lr, ud, std = run([
        tf.image.resize_image_with_crop_or_pad(x, 6, 2),
        tf.image.resize_image_with_crop_or_pad(x, 1, 3),
        tf.image.flip_left_right(x), tf.image.flip_up_down(x),
        tf.image.per_image_standardization(x)])
    expected = np.zeros((6, 2, 2), np.float32)
    expected[1:4] = data[:, 1:3]
    np.testing.assert_array_equal(padded, expected)
    np.testing.assert_array_equal(cropped, data[1:2, 0:3])
    np.testing.assert_array_equal(lr, data[:, ::-1])
    np.testing.assert_array_equal(ud, data[::-1])
    reference = (data - data.mean()) / max(data.std(), 1 / np.sqrt(data.size))
    np.testing.assert_allclose(std, reference, rtol=1e-5, atol=1e-6)
    flat = run(tf.image.per_image_standardization(np.full((2, 2, 1), 7, np.uint8)))
    assert flat.dtype == np.float32 and not flat.any()  # std 0: divided by 1/sqrt(N)


def test_random_flip_left_right_flips_about_half():
    data = rng.normal(size=(64, 2, 3, 1)).astype(np.float32)
    value = run(tf.image.random_flip_left_right(tf.constant(data), seed=1))
    flipped = [np.array_equal(v, d[:, ::-1]) for v, d in zip(value, data)]
    kept = [np.array_equal(v, d) for v, d in zip(value, data)]
    assert all(f or k for f, k in zip(flipped, kept)) and 16 < sum(flipped) < 48
    single = run(tf.image.random_flip_left_right(tf.constant(data[0])))
    assert np.array_equal(single, data[0]) or np.array_equal(single, data[0][:, ::-1])


def test_convert_image_dtype_and_grayscale():
    pixels = np.array([[[0, 128, 255]]], np.uint8)
    as_float = run(tf.image.convert_image_dtype(pixels, tf.float32))
    np.testing.assert_allclose(as_float, pixels / 255.0, rtol=1e-6)
    back = run(tf.image.convert_image_dtype(tf.constant([[[0.0, 0.5, 1.0]]]), tf.uint8))
    np.testing.assert_array_equal(back, [[[0, 127, 255]]])
    assert run(tf.image.convert_image_dtype(pixels, tf.int32)).tolist() == \
        [[[0, 128 << 23, 255 << 23]]]
    gray = run(tf.image.rgb_to_grayscale(tf.constant(pixels)))
    assert gray.dtype == np.uint8 and gray.shape == (1, 1, 1)
    assert gray[0, 0, 0] == int((0.5870 * 128 / 255 + 0.1140) * 255.5)


def test_errors_name_the_function_and_shape():
    with pytest.raises(ValueError, match=r"tf.image.resize_images: expects an image \(H, W, C\) "
                                         r"or a batch \(N, H, W, C\).*\(4, 5\)"):
        tf.image.resize_images(tf.zeros([4, 5]), [2, 2])
    with pytest.raises(ValueError, match=r"rgb_to_grayscale: expects 3 channels last, got "
                                         r"shape \(2, 2, 4\)"):
        tf.image.rgb_to_grayscale(tf.zeros([2, 2, 4]))
