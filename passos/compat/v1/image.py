"""tf.image: resizing (bilinear, nearest, bicubic, area: image_resize.py), cropping/padding,
flips, standardisation and dtype conversion of images (H, W, C) or batches (N, H, W, C),
with TF1.15's conventions, built from tf ops (so they have gradients where TF1's do).

>>> import numpy as np, passos.compat.v1 as tf
>>> with tf.Graph().as_default():
...     y = tf.image.resize_images(tf.constant(np.arange(4.0).reshape(2, 2, 1)), [4, 4])
...     tf.Session().run(y)[0, :, 0].tolist()  # TF1: source x = output x * in / out
[0.0, 0.5, 1.0, 1.0]
"""
import numpy as np

from . import dtypes, image_resize as resize
from .array_ops import gather, pad, reverse, slice, where
from .framework import convert_to_tensor, named
from .math_ops import (REGISTERED, cast, clip_by_value, einsum, floordiv, reduce_mean,
                       reduce_sum, truediv)
from .random_ops import random_uniform

maximum, multiply, sqrt, subtract = (REGISTERED[n] for n in ("maximum", "multiply", "sqrt",
                                                            "subtract"))


class ResizeMethod:
    BILINEAR, NEAREST_NEIGHBOR, BICUBIC, AREA = 0, 1, 2, 3


def _image(images, who):
    """The tensor, its static (H, W) and whether it is a batch; a clear error otherwise."""
    x = convert_to_tensor(images)
    shape = x.shape
    if shape is None or len(shape) not in (3, 4) or None in shape[-3:-1]:
        raise ValueError(f"tf.image.{who}: expects an image (H, W, C) or a batch (N, H, W, C) "
                         f"with known height and width, got shape {shape}")
    return x, shape[-3:-1], len(shape) == 4


def _float(x):
    """x as float32, as TF1 computes; float64 stays (so its gradients check in float64)."""
    return x if x.dtype in (np.float32, np.float64) else cast(x, dtypes.float32)


def _check_size(size, who):
    if len(size) != 2 or any(isinstance(s, bool) or not isinstance(s, (int, np.integer))
                             or s < 1 for s in size):
        raise ValueError(f"tf.image.{who}: size must be two positive ints (new_height, "
                         f"new_width) known when the graph is built, got {size!r}")


def _resize(images, size, method, align_corners, half_pixel_centers, who, name):
    """images resized by `method`'s weight matrices (image_resize.py) along H, then W."""
    x, (h, w), batch = _image(images, who)
    _check_size(size, who)
    if half_pixel_centers and align_corners:
        raise ValueError(f"tf.image.{who}: if half_pixel_centers is True, align_corners must "
                         f"be False (TF1's kernels refuse both)")
    out_h, out_w = (int(s) for s in size)
    axes = "nhwc" if batch else "hwc"

    def build():
        if method == ResizeMethod.NEAREST_NEIGHBOR:
            rows = gather(x, resize.nearest(h, out_h, align_corners, half_pixel_centers),
                          axis=int(batch))
            return gather(rows, resize.nearest(w, out_w, align_corners, half_pixel_centers),
                          axis=1 + int(batch))
        matrix = {ResizeMethod.BILINEAR: lambda *a: resize.bilinear(*a, half_pixel_centers),
                  ResizeMethod.AREA: resize.area,
                  ResizeMethod.BICUBIC: lambda *a: resize.bicubic(*a, half_pixel_centers)}[method]
        f = _float(x)
        rows = matrix(h, out_h, align_corners).astype(f.dtype)
        cols = matrix(w, out_w, align_corners).astype(f.dtype)
        y = einsum(f"ph,{axes}->{axes.replace('h', 'p')}", rows, f)
        return einsum(f"qw,{axes.replace('h', 'p')}->{axes.replace('h', 'p').replace('w', 'q')}",
                      cols, y)
    return named(name, build)


def resize_images(images, size, method=ResizeMethod.BILINEAR, align_corners=False,
                  preserve_aspect_ratio=False, name=None):
    """images (N?, H, W, C) resized to size (new_height, new_width): BILINEAR, BICUBIC, AREA
    (float32 out, float64 kept) or NEAREST_NEIGHBOR (dtype kept), with TF1's mapping (source =
    out * in / out size, or (in-1)/(out-1) with align_corners). preserve_aspect_ratio: the
    largest size within `size` that keeps H:W, as TF1 rounds it."""
    if preserve_aspect_ratio:
        size = _keeping_aspect(_image(images, "resize_images")[1], size)
    if method not in (ResizeMethod.BILINEAR, ResizeMethod.NEAREST_NEIGHBOR,
                      ResizeMethod.BICUBIC, ResizeMethod.AREA):
        raise ValueError(f"tf.image.resize_images: method must be one of tf.image.ResizeMethod "
                         f"BILINEAR (0), NEAREST_NEIGHBOR (1), BICUBIC (2) or AREA (3), got "
                         f"{method!r}")
    return _resize(images, size, method, align_corners, False, "resize_images",
                   name or "resize_images")


def _keeping_aspect(shape, size):
    """TF1's preserve_aspect_ratio: both sides times min(new_h / h, new_w / w), rounded half to
    even, all in float32."""
    _check_size(size, "resize_images")
    (h, w), (new_h, new_w) = (np.float32(s) for s in shape), (np.float32(s) for s in size)
    factor = min(new_h / h, new_w / w)
    return [int(np.round(factor * h)), int(np.round(factor * w))]


def resize_bilinear(images, size, align_corners=False, name=None, half_pixel_centers=False):
    """resize_images with BILINEAR; half_pixel_centers: source = (out + 0.5) * in / out - 0.5
    (PyTorch's align_corners=False)."""
    return _resize(images, size, ResizeMethod.BILINEAR, align_corners, half_pixel_centers,
                   "resize_bilinear", name or "ResizeBilinear")


def resize_nearest_neighbor(images, size, align_corners=False, name=None,
                            half_pixel_centers=False):
    """resize_images with NEAREST_NEIGHBOR (dtype kept); half_pixel_centers: source =
    floor((out + 0.5) * in / out) (PyTorch's 'nearest-exact')."""
    return _resize(images, size, ResizeMethod.NEAREST_NEIGHBOR, align_corners,
                   half_pixel_centers, "resize_nearest_neighbor", name or "ResizeNearestNeighbor")


def resize_bicubic(images, size, align_corners=False, name=None, half_pixel_centers=False):
    """Bicubic resizing as TF1's kernel: a = -0.75, edges repeated (legacy coordinates); with
    half_pixel_centers, Keys' a = -0.5 on half-pixel coordinates, outside pixels dropped."""
    return _resize(images, size, ResizeMethod.BICUBIC, align_corners, half_pixel_centers,
                   "resize_bicubic", name or "ResizeBicubic")


def resize_area(images, size, align_corners=False, name=None):
    """Each output pixel the mean of the input area it covers (partial pixels weighted)."""
    return _resize(images, size, ResizeMethod.AREA, align_corners, False, "resize_area",
                   name or "ResizeArea")


def resize_image_with_crop_or_pad(image, target_height, target_width):
    """The central target_height x target_width part of image, padded with zeros where the
    image is smaller (TF1's offsets: (size - target) // 2)."""
    x, (h, w), batch = _image(image, "resize_image_with_crop_or_pad")
    lead = [0] if batch else []

    def build():
        top, left = max((h - target_height) // 2, 0), max((w - target_width) // 2, 0)
        ch, cw = min(h, target_height), min(w, target_width)
        y = slice(x, lead + [top, left, 0], [-1] * len(lead) + [ch, cw, -1])
        ph, pw = max((target_height - h) // 2, 0), max((target_width - w) // 2, 0)
        paddings = [[0, 0]] * len(lead) + [[ph, target_height - ch - ph],
                                          [pw, target_width - cw - pw], [0, 0]]
        return pad(y, paddings)
    return named("resize_image_with_crop_or_pad", build)


def flip_left_right(image):
    """The image mirrored left to right (its width axis)."""
    x, _, batch = _image(image, "flip_left_right")
    return reverse(x, [1 + int(batch)], name="flip_left_right")


def flip_up_down(image):
    """The image mirrored top to bottom (its height axis)."""
    x, _, batch = _image(image, "flip_up_down")
    return reverse(x, [int(batch)], name="flip_up_down")


def random_flip_left_right(image, seed=None):
    """The image mirrored left to right with probability 1/2 on each run (each image of a
    batch drawn on its own, as TF1.15)."""
    x, _, batch = _image(image, "random_flip_left_right")

    def build():
        flipped = reverse(x, [1 + int(batch)])
        if not batch:
            return where(random_uniform([], seed=seed) < 0.5, flipped, x)
        if x.shape[0] is None:
            raise ValueError("tf.image.random_flip_left_right: passos needs the batch size "
                             f"known when the graph is built, got shape {x.shape}")
        return where(random_uniform([x.shape[0]], seed=seed) < 0.5, flipped, x)
    return named("random_flip_left_right", build)


def per_image_standardization(image):
    """(image - mean) / max(stddev, 1/sqrt(pixels)) over each image's H, W and C, float32
    (float64 kept)."""
    x, (h, w), _ = _image(image, "per_image_standardization")
    count = h * w * x.shape[-1]

    def build():
        f = _float(x)
        centred = subtract(f, reduce_mean(f, axis=[-1, -2, -3], keepdims=True))
        stddev = sqrt(reduce_mean(multiply(centred, centred), axis=[-1, -2, -3], keepdims=True))
        return truediv(centred, maximum(stddev, np.float32(1 / np.sqrt(count))))
    return named("per_image_standardization", build)


def rgb_to_grayscale(images, name=None):
    """(..., 3) RGB to (..., 1) luma, 0.2989 R + 0.5870 G + 0.1140 B, in the input's dtype."""
    x = convert_to_tensor(images)
    if x.shape is None or x.shape[-1] != 3:
        raise ValueError(f"tf.image.rgb_to_grayscale: expects 3 channels last, got shape "
                         f"{x.shape}")

    def build():
        f = _float(x) if x.dtype.kind == "f" else convert_image_dtype(x, dtypes.float32)
        weights = np.array([0.2989, 0.5870, 0.1140], np.float32)
        gray = reduce_sum(multiply(f, weights), axis=-1, keepdims=True)
        return gray if x.dtype.kind == "f" else convert_image_dtype(gray, x.dtype)
    return named(name or "rgb_to_grayscale", build)


def convert_image_dtype(image, dtype, saturate=False, name=None):
    """image in `dtype`, rescaled: integers span [0, max], floats [0, 1] (uint8 to float
    multiplies by 1/255; float to uint8 by 255.5 and truncates)."""
    x, to = convert_to_tensor(image), dtypes.as_dtype(dtype).dtype
    if x.dtype == to:
        return x

    def build():
        src, dst = np.dtype(x.dtype), to
        if src.kind in "iu" and dst.kind in "iu":
            high_in, high_out = np.iinfo(src).max, np.iinfo(dst).max
            if high_in > high_out:
                return cast(floordiv(x, (high_in + 1) // (high_out + 1)), dst)
            return multiply(cast(x, dst), (high_out + 1) // (high_in + 1))
        if dst.kind == "f":
            f = cast(x, dst)
            return f if src.kind == "f" else multiply(f, dst.type(1 / np.iinfo(src).max))
        scaled = multiply(x, src.type(np.iinfo(dst).max + 0.5))
        if saturate:
            scaled = clip_by_value(scaled, 0.0, float(np.iinfo(dst).max))
        return cast(scaled, dst)
    return named(name or "convert_image", build)
