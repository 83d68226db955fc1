"""tf.image: resizing, cropping/padding, flips, standardisation and dtype conversion of images
(H, W, C) or batches (N, H, W, C), with TF1.15's conventions, built from tf ops (so they
have gradients where TF1's do).

>>> import numpy as np, passos.compat.v1 as tf
>>> with tf.Graph().as_default():
...     y = tf.image.resize_images(tf.constant(np.arange(4.0).reshape(2, 2, 1)), [4, 4])
...     tf.Session().run(y)[0, :, 0].tolist()  # TF1: source x = output x * in / out
[0.0, 0.5, 1.0, 1.0]
"""
import numpy as np

from . import dtypes
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


def _sources(n_in, n_out, align_corners):
    """TF1's legacy source coordinate of each output pixel (no half-pixel centres)."""
    scale = (n_in - 1) / (n_out - 1) if align_corners and n_out > 1 else n_in / n_out
    return np.arange(n_out) * scale


def _bilinear_matrix(n_in, n_out, align_corners):
    """(n_out, n_in) weights: each output row mixes its two nearest source pixels."""
    src = _sources(n_in, n_out, align_corners)
    low = np.floor(src).astype(int)
    high, frac = np.minimum(low + 1, n_in - 1), src - low
    matrix = np.zeros((n_out, n_in))
    np.add.at(matrix, (np.arange(n_out), low), 1 - frac)
    np.add.at(matrix, (np.arange(n_out), high), frac)
    return matrix


def _nearest_index(n_in, n_out, align_corners):
    src = _sources(n_in, n_out, align_corners)
    return np.minimum(np.round(src) if align_corners else np.floor(src), n_in - 1).astype(np.int32)


def resize_images(images, size, method=ResizeMethod.BILINEAR, align_corners=False,
                  preserve_aspect_ratio=False, name=None):
    """images (N?, H, W, C) resized to size (new_height, new_width): BILINEAR (float32 out,
    float64 kept) or NEAREST_NEIGHBOR (dtype kept), with TF1's mapping (source = out * in / out size, or
    (in-1)/(out-1) with align_corners)."""
    x, (h, w), batch = _image(images, "resize_images")
    if preserve_aspect_ratio or method not in (ResizeMethod.BILINEAR,
                                               ResizeMethod.NEAREST_NEIGHBOR):
        raise NotImplementedError("tf.image.resize_images: passos has BILINEAR and "
                                  "NEAREST_NEIGHBOR without preserve_aspect_ratio")
    out_h, out_w = (int(s) for s in size)
    axes = "nhwc" if batch else "hwc"

    def build():
        if method == ResizeMethod.NEAREST_NEIGHBOR:
            rows = gather(x, _nearest_index(h, out_h, align_corners), axis=int(batch))
            return gather(rows, _nearest_index(w, out_w, align_corners), axis=1 + int(batch))
        f = _float(x)
        rows = _bilinear_matrix(h, out_h, align_corners).astype(f.dtype)
        cols = _bilinear_matrix(w, out_w, align_corners).astype(f.dtype)
        y = einsum(f"ph,{axes}->{axes.replace('h', 'p')}", rows, f)
        y = einsum(f"qw,{axes.replace('h', 'p')}->{axes.replace('h', 'p').replace('w', 'q')}",
                   cols, y)
        return y
    return named(name or "resize_images", build)


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
