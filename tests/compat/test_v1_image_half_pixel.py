"""tf.image bilinear and nearest resizing with half_pixel_centers, against NumPy transcriptions
of TF1.15's kernels (float32 coordinates) and PyTorch where the conventions coincide; and
resize_images' preserve_aspect_ratio. Their gradient checks are in test_v1_image_resize.py."""
import numpy as np
import pytest

import passos.compat.v1 as tf

from tf1_graphs import fresh_graph, run  # noqa: F401 - fresh_graph: an autouse fixture

rng = np.random.default_rng(1)
SIZES = [(7, 9), (3, 2), (4, 6), (10, 5), (1, 1)]


def half_pixel_source(out, n_in, n_out):
    """TF's HalfPixelScaler, in float32."""
    return (np.float32(out) + np.float32(0.5)) * (np.float32(n_in) / np.float32(n_out)) \
        - np.float32(0.5)


def tf1_bilinear_half_pixel(x, out_h, out_w):
    """TF's compute_interpolation_weights and the lerps, pixel by pixel."""
    n, h, w, c = x.shape

    def taps(out, n_in, n_out):
        src = float(half_pixel_source(out, n_in, n_out))
        low, high = max(int(np.floor(src)), 0), min(int(np.ceil(src)), n_in - 1)
        lerp = src - np.floor(src)
        return low, high, lerp
    y = np.zeros((n, out_h, out_w, c))
    for i in range(out_h):
        top, bottom, dy = taps(i, h, out_h)
        for j in range(out_w):
            left, right, dx = taps(j, w, out_w)
            upper = x[:, top, left] + (x[:, top, right] - x[:, top, left]) * dx
            lower = x[:, bottom, left] + (x[:, bottom, right] - x[:, bottom, left]) * dx
            y[:, i, j] = upper + (lower - upper) * dy
    return y


def tf1_nearest_half_pixel_index(out, n_in, n_out):
    """TF's ResizeNearestNeighbor index with HalfPixelScalerForNN: floor, clamped."""
    src = (np.float32(out) + np.float32(0.5)) * (np.float32(n_in) / np.float32(n_out))
    return max(0, min(int(np.floor(src)), n_in - 1))


@pytest.mark.parametrize("size", SIZES)
def test_bilinear_half_pixel_centers_matches_tf1s_kernel(size):
    data = rng.normal(size=(2, 4, 6, 3))
    y = run(tf.image.resize_bilinear(tf.constant(data), size, half_pixel_centers=True))
    np.testing.assert_allclose(y, tf1_bilinear_half_pixel(data, *size), rtol=1e-12, atol=1e-12)
    legacy = run(tf.image.resize_bilinear(tf.constant(data), size))
    assert size == (4, 6) or not np.allclose(y, legacy)  # the same size: both copy


@pytest.mark.parametrize("size", SIZES + [(23, 23)])
def test_nearest_half_pixel_centers_matches_tf1s_kernel(size):
    data = rng.integers(0, 255, size=(1, 14, 6, 2)).astype(np.uint8)
    y = run(tf.image.resize_nearest_neighbor(data, size, half_pixel_centers=True))
    rows = [tf1_nearest_half_pixel_index(i, 14, size[0]) for i in range(size[0])]
    cols = [tf1_nearest_half_pixel_index(j, 6, size[1]) for j in range(size[1])]
    assert y.dtype == np.uint8
    np.testing.assert_array_equal(y, data[:, rows][:, :, cols])


def test_nearest_half_pixel_coordinates_are_float32_as_tf1s():
    # 14 -> 23 rows: row 11 is 11.5 * 14/23 = 7 exactly, but 6.9999995 in TF's float32 (row 6)
    y = run(tf.image.resize_nearest_neighbor(np.arange(14.0).reshape(1, 14, 1, 1), [23, 1],
                                             half_pixel_centers=True))
    want = [tf1_nearest_half_pixel_index(i, 14, 23) for i in range(23)]
    in_float64 = [min(int(np.floor((i + 0.5) * 14 / 23)), 13) for i in range(23)]
    assert want != in_float64
    np.testing.assert_array_equal(y[0, :, 0, 0], want)


def test_half_pixel_centers_match_torch_where_conventions_coincide():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    data = rng.normal(size=(2, 5, 4, 3))
    first = torch.tensor(data).movedim(-1, 1)
    for size in [(9, 7), (3, 2), (10, 8)]:
        y = run(tf.image.resize_bilinear(tf.constant(data), size, half_pixel_centers=True))
        want = F.interpolate(first, size=size, mode="bilinear", align_corners=False)
        np.testing.assert_allclose(y, want.movedim(1, -1).numpy(), rtol=1e-6, atol=1e-6)
        y = run(tf.image.resize_nearest_neighbor(tf.constant(data), size,
                                                 half_pixel_centers=True))
        want = F.interpolate(first, size=size, mode="nearest-exact")
        np.testing.assert_array_equal(y, want.movedim(1, -1).numpy())
        legacy = run(tf.image.resize_nearest_neighbor(tf.constant(data), size))
        want = F.interpolate(first, size=size, mode="nearest")
        np.testing.assert_array_equal(legacy, want.movedim(1, -1).numpy())


@pytest.mark.parametrize("image, size, kept", [
    ((4, 6), [8, 8], (5, 8)),      # min(2, 4/3): width bounds, 4 * 4/3 = 5.33 -> 5
    ((3, 5), [10, 10], (6, 10)),
    ((2, 5), [1, 100], (1, 2)),    # 2.5 rounds half to even, as tf.round
    ((6, 4), [3, 3], (3, 2)),
])
def test_preserve_aspect_ratio_resizes_within_size_as_tf1(image, size, kept):
    data = rng.normal(size=image + (2,))
    y = tf.image.resize_images(tf.constant(data), size, preserve_aspect_ratio=True)
    assert tuple(y.shape) == kept + (2,)
    np.testing.assert_allclose(run(y), run(tf.image.resize_images(tf.constant(data), kept)))


def test_errors_name_the_function_and_values():
    x = tf.zeros([4, 4, 1])
    with pytest.raises(ValueError, match=r"tf.image.resize_bilinear: if half_pixel_centers is "
                                         r"True, align_corners must be False"):
        tf.image.resize_bilinear(x, [2, 2], align_corners=True, half_pixel_centers=True)
    with pytest.raises(ValueError, match=r"tf.image.resize_nearest_neighbor: if "
                                         r"half_pixel_centers is True, align_corners must"):
        tf.image.resize_nearest_neighbor(x, [2, 2], align_corners=True, half_pixel_centers=True)
    with pytest.raises(ValueError, match=r"tf.image.resize_images: size must be two positive "
                                         r"ints .* got \[2\]"):
        tf.image.resize_images(x, [2], preserve_aspect_ratio=True)
