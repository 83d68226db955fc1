"""Image transforms on single images in NumPy: one affine resampler, flips, channel and brightness shifts.

Keras 2.2.4 runs `scipy.ndimage.affine_transform(order=1)` on each channel; here one
vectorised bilinear sampler does all channels at once, with the same matrix and fill modes.

>>> import numpy as np
>>> x = np.arange(16.0).reshape(4, 4, 1)
>>> apply_affine_transform(x, tx=1)[:3, :, 0].tolist() == x[1:, :, 0].tolist()  # rows move up
True
"""
import numpy as np

from ... import arguments
from ...ops import random as passos_random

FILL_MODES = ("nearest", "constant", "reflect", "wrap")
_EDGE = 1e-6  # a source coordinate this close outside the image still counts as inside


def transform_matrix_offset_center(matrix, x, y):
    """`matrix` applied about the centre Keras uses, (x/2 + 0.5, y/2 + 0.5), for an x-by-y image."""
    o_x, o_y = float(x) / 2 + 0.5, float(y) / 2 + 0.5
    offset = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    return offset @ matrix @ reset


def affine_matrix(theta=0, tx=0, ty=0, shear=0, zx=1, zy=1):
    """The 3x3 map from output (row, col, 1) to input coordinates, or None for the identity.

    Rotation (degrees), shift (rows tx, columns ty), shear (degrees) and zoom, composed
    in Keras' order, each acting on the coordinates the previous one produced.
    """
    parts = []
    if theta != 0:
        t = np.deg2rad(theta)
        parts.append([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]])
    if tx != 0 or ty != 0:
        parts.append([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
    if shear != 0:
        s = np.deg2rad(shear)
        parts.append([[1, -np.sin(s), 0], [0, np.cos(s), 0], [0, 0, 1]])
    if zx != 1 or zy != 1:
        parts.append([[zx, 0, 0], [0, zy, 0], [0, 0, 1]])
    if not parts:
        return None
    matrix = np.eye(3)
    for part in parts:
        matrix = matrix @ np.array(part, dtype=np.float64)
    return matrix


def _fold(index, n, fill_mode):
    """Integer source indices brought inside [0, n) the way `fill_mode` extends the image."""
    if fill_mode == "reflect":  # d c b a | a b c d | d c b a
        index = np.mod(index, 2 * n)
        return np.where(index >= n, 2 * n - 1 - index, index)
    if fill_mode == "wrap":  # a b c d | a b c d | a b c d
        return np.mod(index, n)
    return np.clip(index, 0, n - 1)  # nearest; constant masks the outside afterwards


def sample_bilinear(image, rows, cols, fill_mode="nearest", cval=0.0):
    """Bilinear samples of `image` (H, W, C) at float coordinates `rows`, `cols` (same shape S).

    Returns shape S + (C,). Outside the image: 'nearest' repeats the edge, 'reflect'
    mirrors about the edge, 'wrap' repeats the image, 'constant' gives `cval`.
    """
    h, w = image.shape[:2]
    r0, c0 = np.floor(rows), np.floor(cols)
    fr, fc = (rows - r0)[..., None], (cols - c0)[..., None]
    r0, c0 = r0.astype(np.int64), c0.astype(np.int64)
    ra, rb = _fold(r0, h, fill_mode), _fold(r0 + 1, h, fill_mode)
    ca, cb = _fold(c0, w, fill_mode), _fold(c0 + 1, w, fill_mode)
    out = ((1 - fr) * ((1 - fc) * image[ra, ca] + fc * image[ra, cb])
           + fr * ((1 - fc) * image[rb, ca] + fc * image[rb, cb]))
    if fill_mode == "constant":
        outside = ((rows < -_EDGE) | (rows > h - 1 + _EDGE) | (cols < -_EDGE)
                   | (cols > w - 1 + _EDGE))
        out[outside] = cval
    return out


def apply_affine_transform(x, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1, row_axis=0, col_axis=1,
                           channel_axis=2, fill_mode="nearest", cval=0.):
    """One image (3D) rotated, shifted, sheared and zoomed about its centre, as Keras does.

    theta and shear in degrees; tx shifts rows, ty columns (in pixels; positive moves the
    content up/left); zx, zy zoom (>1 shows more of the image). Bilinear, like Keras'
    scipy order=1. 'wrap' repeats the image with period H (scipy's old 'wrap' used H - 1).
    """
    who = "apply_affine_transform"
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(f"{who}: expected one image of rank 3, got shape {x.shape}")
    arguments.one_of(fill_mode, who, "fill_mode", FILL_MODES)
    matrix = affine_matrix(theta, tx, ty, shear, zx, zy)
    if matrix is None:
        return x
    image = np.moveaxis(x, (row_axis, col_axis, channel_axis), (0, 1, 2)).astype(np.float64)
    h, w = image.shape[:2]
    matrix = transform_matrix_offset_center(matrix, h, w)
    out_rows, out_cols = np.meshgrid(np.arange(h, dtype=np.float64), np.arange(w, dtype=np.float64),
                                     indexing="ij")
    rows = matrix[0, 0] * out_rows + matrix[0, 1] * out_cols + matrix[0, 2]
    cols = matrix[1, 0] * out_rows + matrix[1, 1] * out_cols + matrix[1, 2]
    out = sample_bilinear(image, rows, cols, fill_mode, cval)
    out = np.moveaxis(out, (0, 1, 2), (row_axis, col_axis, channel_axis))
    return out.astype(x.dtype) if x.dtype.kind == "f" else out


def flip_axis(x, axis):
    """`x` reversed along `axis`."""
    return np.flip(np.asarray(x), axis)


def apply_channel_shift(x, intensity, channel_axis=0):
    """`intensity` added to every channel, clipped to the image's own [min, max] as Keras does."""
    x = np.asarray(x)
    return np.clip(x + intensity, np.min(x), np.max(x))


def apply_brightness_shift(x, brightness):
    """The image as Pillow's ImageEnhance.Brightness(`brightness`) gives it, in [0, 255].

    As Keras (which goes through a uint8 PIL image): the image is first scaled to
    [0, 255] and truncated to whole numbers, then multiplied by `brightness` and truncated.
    """
    x = np.asarray(x, dtype=np.float32)
    x = x + max(-float(np.min(x)), 0.0)
    top = float(np.max(x))
    if top != 0:
        x = x / top
    pixels = (x * 255).astype(np.uint8).astype(np.float32)
    return np.floor(np.clip(np.float32(brightness) * pixels, 0, 255))


def random_rotation(x, rg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.):
    """`x` rotated by a random angle in [-rg, rg] degrees (Keras' channels-first defaults)."""
    theta = passos_random.generator().uniform(-rg, rg)
    return apply_affine_transform(x, theta=theta, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval)


def random_shift(x, wrg, hrg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                 cval=0.):
    """`x` shifted by random fractions of its size: up to `hrg` of its height, `wrg` of its width."""
    h, w = x.shape[row_axis], x.shape[col_axis]
    rng = passos_random.generator()
    tx, ty = rng.uniform(-hrg, hrg) * h, rng.uniform(-wrg, wrg) * w
    return apply_affine_transform(x, tx=tx, ty=ty, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval)


def random_shear(x, intensity, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                 cval=0.):
    """`x` sheared by a random angle in [-intensity, intensity] degrees."""
    shear = passos_random.generator().uniform(-intensity, intensity)
    return apply_affine_transform(x, shear=shear, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval)


def random_zoom(x, zoom_range, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                cval=0.):
    """`x` zoomed by random factors drawn from `zoom_range`, a (low, high) pair."""
    if len(zoom_range) != 2:
        raise ValueError(f"random_zoom: zoom_range must be a (low, high) pair, got {zoom_range!r}")
    zx, zy = passos_random.generator().uniform(zoom_range[0], zoom_range[1], 2)
    return apply_affine_transform(x, zx=zx, zy=zy, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval)


def random_channel_shift(x, intensity_range, channel_axis=0):
    """`x` with a random value in [-intensity_range, intensity_range] added (see apply_channel_shift)."""
    intensity = passos_random.generator().uniform(-intensity_range, intensity_range)
    return apply_channel_shift(x, intensity, channel_axis)


def random_brightness(x, brightness_range):
    """`x` with a random brightness factor from `brightness_range`, a (low, high) pair."""
    if len(brightness_range) != 2:
        raise ValueError(f"random_brightness: brightness_range must be a (low, high) pair, "
                         f"got {brightness_range!r}")
    return apply_brightness_shift(x, passos_random.generator().uniform(*brightness_range))
