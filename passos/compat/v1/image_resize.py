"""TF1.15's resize kernels as (out, in) weight matrices, one per spatial axis: every resize
method there is linear and separable, so tf.image applies them as two products (einsum) and
the gradients are those products' (TF1's resize_bicubic_grad and friends).

Coordinates are TF1's, computed in float32 as its kernels compute them: legacy (source =
output index * in / out, or (in - 1) / (out - 1) with align_corners) unless half_pixel_centers
(source = (index + 0.5) * in / out - 0.5, TF's HalfPixelScaler).
"""
import numpy as np

_TABLE = 1024  # TF's bicubic weights come from a table of 1024 steps per pixel
_HALF = np.float32(0.5)


def scale(n_in, n_out, align_corners):
    """TF's CalculateResizeScale, in float32."""
    if align_corners and n_out > 1:
        return np.float32(n_in - 1) / np.float32(n_out - 1)
    return np.float32(n_in) / np.float32(n_out)


def sources(n_in, n_out, align_corners, half_pixel=False):
    """The source coordinate of each output pixel (float32)."""
    index, step = np.arange(n_out, dtype=np.float32), scale(n_in, n_out, align_corners)
    return (index + _HALF) * step - _HALF if half_pixel else index * step


def bilinear(n_in, n_out, align_corners, half_pixel_centers=False):
    """Each output mixes its two nearest source pixels; sources before the first pixel (half
    pixel centres) take it whole, as TF's compute_interpolation_weights clamps."""
    src = sources(n_in, n_out, align_corners, half_pixel_centers).astype(np.float64)
    floor = np.floor(src)
    low = np.maximum(floor, 0).astype(int)
    high, frac = np.minimum(np.ceil(src), n_in - 1).astype(int), src - floor
    matrix = np.zeros((n_out, n_in))
    np.add.at(matrix, (np.arange(n_out), low), 1 - frac)
    np.add.at(matrix, (np.arange(n_out), high), frac)
    return matrix


def nearest(n_in, n_out, align_corners, half_pixel_centers=False):
    """The source pixel each output copies (an index, not a matrix): legacy floor(i * scale)
    (roundf, halves away from zero, with align_corners); with half_pixel_centers
    floor((i + 0.5) * scale), TF's HalfPixelScalerForNN."""
    if half_pixel_centers:
        index = np.arange(n_out, dtype=np.float32)
        src = np.floor((index + _HALF) * scale(n_in, n_out, align_corners))
    else:
        src = sources(n_in, n_out, align_corners)
        src = np.floor(src + _HALF) if align_corners else np.floor(src)  # src >= 0: roundf
    return np.clip(src, 0, n_in - 1).astype(np.int32)


def _cubic(distance, a):
    """The cubic convolution kernel at |distance| < 2."""
    d = np.abs(distance)
    near = ((a + 2) * d - (a + 3)) * d * d + 1
    far = ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
    return np.where(d <= 1, near, far)


def bicubic(n_in, n_out, align_corners, half_pixel_centers=False):
    """Four source pixels per output, weighted by the cubic kernel at the offset rounded to
    1/1024 pixel: legacy, a = -0.75 with the edge pixels repeated past the borders; with
    half_pixel_centers, Keys' a = -0.5 with outside pixels dropped and the weights rescaled
    to sum to 1 (TF's two modes)."""
    src = sources(n_in, n_out, align_corners, half_pixel_centers)
    base = np.floor(src).astype(int)
    t = np.rint((src - base) * _TABLE) / _TABLE
    a = -0.5 if half_pixel_centers else -0.75
    rows, matrix = np.arange(n_out), np.zeros((n_out, n_in))
    taps = [(k, _cubic(t - k, a)) for k in (-1, 0, 1, 2)]
    if half_pixel_centers:
        inside = [(k, np.where((base + k >= 0) & (base + k < n_in), w, 0.0)) for k, w in taps]
        total = sum(w for _, w in inside)
        taps = [(k, w / total) for k, w in inside]
    for k, w in taps:
        np.add.at(matrix, (rows, np.clip(base + k, 0, n_in - 1)), w)
    return matrix


def area(n_in, n_out, align_corners):
    """Each output the mean of the source span [i, i + 1) * scale it covers, partial pixels
    weighted by their overlap (pixels past the border repeat the edge one)."""
    scale = (n_in - 1) / (n_out - 1) if align_corners and n_out > 1 else n_in / n_out
    matrix = np.zeros((n_out, n_in))
    for i in range(n_out):
        start, end = i * scale, (i + 1) * scale
        for j in range(int(np.floor(start)), int(np.ceil(end))):
            overlap = min(j + 1, end) - max(j, start)
            matrix[i, min(max(j, 0), n_in - 1)] += overlap / scale
    return matrix
