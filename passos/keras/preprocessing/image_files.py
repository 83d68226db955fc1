"""Image files and arrays: load_img, img_to_array, array_to_img, save_img (through Pillow).

Pillow is optional (`pip install 'passos[images]'`); it is imported only when a
function here needs it.

>>> import numpy as np
>>> img_to_array(np.zeros((2, 3), np.uint8)).shape  # anything array-like, e.g. a PIL image
(2, 3, 1)
"""
import os
import re
import warnings

import numpy as np

from ... import arguments
from ..backend import config

COLOR_MODES = ("grayscale", "rgb", "rgba")
_PIL_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}
_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "lanczos", "box", "hamming")
IMAGE_EXTENSIONS = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")


def pil_image(who):
    """The PIL.Image module, or an ImportError saying that `who` needs Pillow and how to get it."""
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError(f"{who} reads and writes images through Pillow, which is not "
                          f"installed: pip install 'passos[images]' (or pip install pillow)") from error
    return Image


def load_img(path, grayscale=False, color_mode="rgb", target_size=None, interpolation="nearest"):
    """A PIL image read from `path`, converted to `color_mode`, resized to target_size (h, w)."""
    who = "load_img"
    if grayscale:
        warnings.warn("load_img: grayscale=True is deprecated, use color_mode='grayscale'")
        color_mode = "grayscale"
    arguments.one_of(color_mode, who, "color_mode", COLOR_MODES)
    Image = pil_image(who)
    img = Image.open(path)
    if img.mode != _PIL_MODES[color_mode]:
        img = img.convert(_PIL_MODES[color_mode])
    if target_size is not None:
        height, width = arguments.int_tuple(target_size, 2, who, "target_size")
        if img.size != (width, height):
            arguments.one_of(interpolation, who, "interpolation", _INTERPOLATIONS)
            resample = getattr(getattr(Image, "Resampling", Image), interpolation.upper())
            img = img.resize((width, height), resample)
    return img


def img_to_array(img, data_format=None, dtype="float32"):
    """A PIL image (or array) as a rank-3 array, (H, W, C) or (C, H, W) for channels_first."""
    who = "img_to_array"
    data_format = config.normalize_data_format(data_format, who)
    x = np.asarray(img, dtype=dtype)
    if x.ndim == 2:
        x = x[:, :, None]
    elif x.ndim != 3:
        raise ValueError(f"{who}: expected an image of rank 2 or 3, got shape {x.shape}")
    return x.transpose(2, 0, 1) if data_format == "channels_first" else x


def array_to_img(x, data_format=None, scale=True, dtype="float32"):
    """A PIL image from a rank-3 array with 1, 3 or 4 channels; `scale` maps it onto [0, 255]."""
    who = "array_to_img"
    data_format = config.normalize_data_format(data_format, who)
    Image = pil_image(who)
    x = np.asarray(x, dtype=dtype)
    if x.ndim != 3:
        raise ValueError(f"{who}: expected one image of rank 3, got shape {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x + max(-np.min(x), 0)
        top = np.max(x)
        if top != 0:
            x = x / top
        x = x * 255
    modes = {1: "L", 3: "RGB", 4: "RGBA"}
    if x.shape[2] not in modes:
        raise ValueError(f"{who}: an image needs 1, 3 or 4 channels, got shape {x.shape} "
                         f"({data_format})")
    pixels = x.astype("uint8")
    return Image.fromarray(pixels[:, :, 0] if x.shape[2] == 1 else pixels, modes[x.shape[2]])


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Write the image array `x` to `path` (format from the extension unless file_format)."""
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format in ("jpg", "jpeg"):
        warnings.warn("save_img: JPEG has no alpha channel; converting RGBA to RGB")
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def list_pictures(directory, ext="jpg|jpeg|bmp|png|ppm"):
    """The paths of the image files under `directory` whose extension matches `ext`."""
    return [os.path.join(root, f) for root, _, files in os.walk(directory) for f in files
            if re.match(r"([\w]+\.(?:" + ext + "))", f.lower())]
