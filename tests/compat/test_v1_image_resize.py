"""tf.image bicubic and area resizing against NumPy transcriptions of TF1.15's kernels (pixel
by pixel, TF's float32 weight table) and PyTorch where the conventions coincide, with
finite-difference gradients and the errors."""
import numpy as np
import pytest

import passos.compat.v1 as tf
from passos.gradcheck import numeric_gradient

from tf1_graphs import fresh_graph, run  # noqa: F401 - fresh_graph: an autouse fixture

rng = np.random.default_rng(0)


def coefficient_table(a):
    """TF's InitCoeffsTable: near and far kernel values at 1025 steps, in float32."""
    x = np.arange(1025, dtype=np.float32) / np.float32(1024)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    x = x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return near.astype(np.float32), far.astype(np.float32)


def taps(out, n_in, n_out, align_corners, half_pixel):
    """TF's GetWeightsAndIndices for one output index: four (index, weight) pairs."""
    scale = np.float32((n_in - 1) / (n_out - 1) if align_corners and n_out > 1 else n_in / n_out)
    src = (out + 0.5) * scale - 0.5 if half_pixel else out * scale
    base = int(np.floor(src))
    offset = int(np.rint((src - base) * 1024))
    near, far = coefficient_table(-0.5 if half_pixel else -0.75)
    weights = [far[offset], near[offset], near[1024 - offset], far[1024 - offset]]
    indices = [base - 1, base, base + 1, base + 2]
    bound = [min(max(i, 0), n_in - 1) for i in indices]
    if half_pixel:  # Keys: samples outside the image dropped, the rest renormalised
        weights = [w if b == i else 0.0 for w, b, i in zip(weights, bound, indices)]
        weights = [w / sum(weights) for w in weights]
    return list(zip(bound, weights))


def tf1_bicubic(x, out_h, out_w, align_corners=False, half_pixel=False):
    n, h, w, c = x.shape
    y = np.zeros((n, out_h, out_w, c))
    for i in range(out_h):
        for j in range(out_w):
            for r, wr in taps(i, h, out_h, align_corners, half_pixel):
                for s, ws in taps(j, w, out_w, align_corners, half_pixel):
                    y[:, i, j] += wr * ws * x[:, r, s]
    return y


def tf1_area(x, out_h, out_w, align_corners=False):
    """TF's ResizeAreaOp: each output the overlap-weighted sum of the cells it covers."""
    n, h, w, c = x.shape
    hs = (h - 1) / (out_h - 1) if align_corners and out_h > 1 else h / out_h
    ws = (w - 1) / (out_w - 1) if align_corners and out_w > 1 else w / out_w
    y = np.zeros((n, out_h, out_w, c))
    for i in range(out_h):
        y0, y1 = i * hs, (i + 1) * hs
        for j in range(out_w):
            x0, x1 = j * ws, (j + 1) * ws
            for r in range(int(np.floor(y0)), int(np.ceil(y1))):
                sy = (hs if r + 1 > y1 else r + 1 - y0) if r < y0 else (y1 - r if r + 1 > y1 else 1)
                for s in range(int(np.floor(x0)), int(np.ceil(x1))):
                    sx = (ws if s + 1 > x1 else s + 1 - x0) if s < x0 else \
                        (x1 - s if s + 1 > x1 else 1)
                    y[:, i, j] += sy * sx * x[:, min(r, h - 1), min(s, w - 1)]
    return y / (hs * ws)


SIZES = [(7, 9), (3, 2), (4, 6), (10, 5)]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("align_corners", [False, True])
def test_bicubic_matches_tf1s_kernel(size, align_corners):
    data = rng.normal(size=(2, 4, 6, 3))
    y = run(tf.image.resize_bicubic(tf.constant(data), size, align_corners=align_corners))
    # TF's weights are float32 table entries: agreement to float32 precision
    np.testing.assert_allclose(y, tf1_bicubic(data, *size, align_corners), rtol=1e-5, atol=1e-5)
    same = tf.image.resize_images(tf.constant(data[0]), size, tf.image.ResizeMethod.BICUBIC,
                                  align_corners)
    np.testing.assert_allclose(run(same), y[0], rtol=1e-12)


@pytest.mark.parametrize("size", SIZES)
def test_bicubic_half_pixel_centers_matches_tf1s_keys_kernel(size):
    data = rng.normal(size=(1, 5, 4, 2))
    y = run(tf.image.resize_bicubic(tf.constant(data), size, half_pixel_centers=True))
    np.testing.assert_allclose(y, tf1_bicubic(data, *size, half_pixel=True), rtol=1e-5,
                               atol=1e-5)


@pytest.mark.parametrize("size", SIZES + [(2, 3), (8, 12)])
@pytest.mark.parametrize("align_corners", [False, True])
def test_area_matches_tf1s_kernel(size, align_corners):
    data = rng.normal(size=(2, 4, 6, 3))
    y = run(tf.image.resize_area(tf.constant(data), size, align_corners=align_corners))
    np.testing.assert_allclose(y, tf1_area(data, *size, align_corners), rtol=1e-10, atol=1e-12)
    same = tf.image.resize_images(tf.constant(data), size, tf.image.ResizeMethod.AREA,
                                  align_corners)
    np.testing.assert_allclose(run(same), y, rtol=1e-12)


def test_bicubic_and_area_match_torch_where_conventions_coincide():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    data = rng.normal(size=(2, 5, 4, 3))
    first = torch.tensor(data).movedim(-1, 1)
    # align_corners: the same coordinates and a = -0.75; steps of half a pixel (exact in the table)
    y = run(tf.image.resize_bicubic(tf.constant(data), [9, 7], align_corners=True))
    want = F.interpolate(first, size=(9, 7), mode="bicubic", align_corners=True)
    np.testing.assert_allclose(y, want.movedim(1, -1).numpy(), rtol=1e-6, atol=1e-6)
    # whole-number shrink factors: area resizing is average pooling
    big = rng.normal(size=(2, 6, 8, 3))
    y = run(tf.image.resize_area(tf.constant(big), [3, 2]))
    want = F.interpolate(torch.tensor(big).movedim(-1, 1), size=(3, 2), mode="area")
    np.testing.assert_allclose(y, want.movedim(1, -1).numpy(), rtol=1e-12)


def test_outputs_are_float32_for_integer_images():
    pixels = tf.constant(rng.integers(0, 255, size=(4, 4, 3)).astype(np.uint8))
    bicubic = tf.image.resize_bicubic(pixels[None], [2, 2])
    area = tf.image.resize_area(pixels, [2, 3])
    assert bicubic.dtype == area.dtype == tf.float32 and bicubic.name == "ResizeBicubic:0"
    assert tuple(area.shape) == (2, 3, 3) and tuple(bicubic.shape) == (1, 2, 2, 3)


@pytest.mark.parametrize("build", [
    lambda x: tf.image.resize_bicubic(x, [5, 3]),
    lambda x: tf.image.resize_bicubic(x, [2, 7], align_corners=True),
    lambda x: tf.image.resize_bicubic(x, [6, 2], half_pixel_centers=True),
    lambda x: tf.image.resize_area(x, [2, 3]),
    lambda x: tf.image.resize_area(x, [5, 4], align_corners=True),
    lambda x: tf.image.resize_bilinear(x, [7, 3], half_pixel_centers=True),
    lambda x: tf.image.resize_bilinear(x, [2, 8], half_pixel_centers=True),
    lambda x: tf.image.resize_nearest_neighbor(x, [7, 3], half_pixel_centers=True),
    lambda x: tf.image.resize_images(x, [9, 10], preserve_aspect_ratio=True),
], ids=["bicubic", "bicubic_aligned", "bicubic_half_pixel", "area", "area_aligned",
        "bilinear_half_pixel_up", "bilinear_half_pixel_mixed", "nearest_half_pixel", "aspect"])
def test_gradients_match_finite_differences(build):
    value = rng.normal(size=(1, 4, 5, 2))
    x = tf.placeholder(tf.float64, value.shape)
    y = build(x)
    loss = tf.reduce_sum(y * rng.normal(size=run(tf.shape(y), {x: value})))
    (g,) = run(tf.gradients(loss, [x]), {x: value})
    with tf.Session() as s:
        numeric = numeric_gradient(lambda: float(s.run(loss, {x: value})), value)
    np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-8)


def test_errors_name_the_function_and_values():
    x = tf.zeros([4, 4, 1])
    with pytest.raises(ValueError, match=r"tf.image.resize_images: method must be one of "
                                         r"tf.image.ResizeMethod .* got 7"):
        tf.image.resize_images(x, [2, 2], method=7)
    with pytest.raises(ValueError, match=r"tf.image.resize_bicubic: if half_pixel_centers is "
                                         r"True, align_corners must be False"):
        tf.image.resize_bicubic(x, [2, 2], align_corners=True, half_pixel_centers=True)
    with pytest.raises(ValueError, match=r"tf.image.resize_area: size must be two positive ints "
                                         r"\(new_height, new_width\) .* got \[0, 2\]"):
        tf.image.resize_area(x, [0, 2])
