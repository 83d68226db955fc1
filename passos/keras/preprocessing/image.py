"""keras.preprocessing.image: ImageDataGenerator (augmentation and normalization) and image files.

>>> import numpy as np
>>> gen = ImageDataGenerator(rescale=1 / 255.0, horizontal_flip=True)
>>> x, y = next(gen.flow(np.ones((5, 4, 4, 1)) * 255, np.arange(5), batch_size=2, seed=0))
>>> x.shape, float(x.max())
((2, 4, 4, 1), 1.0)
"""
import warnings

import numpy as np

from ... import arguments
from ..backend import config
from ...ops import random as passos_random
from .image_files import array_to_img, img_to_array, list_pictures, load_img, save_img
from .dataframe_iterator import DataFrameIterator
from .iterators import DirectoryIterator, Iterator, NumpyArrayIterator
from .transforms import (FILL_MODES, apply_affine_transform, apply_brightness_shift,
                         apply_channel_shift, flip_axis, random_brightness, random_channel_shift,
                         random_rotation, random_shear, random_shift, random_zoom,
                         transform_matrix_offset_center)

__all__ = ["ImageDataGenerator", "Iterator", "NumpyArrayIterator", "DirectoryIterator",
           "DataFrameIterator", "load_img",
           "img_to_array", "array_to_img", "save_img", "list_pictures", "apply_affine_transform",
           "apply_brightness_shift", "apply_channel_shift", "flip_axis", "random_brightness",
           "random_channel_shift", "random_rotation", "random_shear", "random_shift", "random_zoom",
           "transform_matrix_offset_center"]

_WHO = "ImageDataGenerator"


def _pair(value, name, scalar_to_pair=None):
    """A (low, high) pair from a 2-sequence, or from a number through `scalar_to_pair`."""
    if arguments.is_number(value) and scalar_to_pair is not None:
        return scalar_to_pair(float(value))
    if isinstance(value, (tuple, list, np.ndarray)) and len(value) == 2 \
            and all(arguments.is_number(v) for v in value):
        return [float(value[0]), float(value[1])]
    allowed = "a number or a (low, high) pair" if scalar_to_pair else "a (low, high) pair"
    raise ValueError(f"{_WHO}: {name} must be {allowed}, got {value!r}")


def _shift_range(value, name):
    """A shift range as Keras takes it: a float, an int (whole pixels) or a list of choices."""
    if arguments.is_number(value) or value is None:
        return value or 0.0
    if isinstance(value, (tuple, list, np.ndarray)) and len(value) \
            and all(arguments.is_number(v) for v in value):
        return list(value)
    raise ValueError(f"{_WHO}: {name} must be a number or a list of numbers, got {value!r}")


def _draw_shift(shift_range, size, rng):
    """One shift in pixels: ints and lists are choices with a random sign, floats uniform;
    a range below 1 is a fraction of the image's `size`."""
    if not arguments.is_number(shift_range) or arguments.is_int(shift_range):
        choices = np.arange(shift_range) if arguments.is_int(shift_range) else shift_range
        shift = rng.choice(choices) * rng.choice([-1, 1])
    else:
        shift = rng.uniform(-shift_range, shift_range)
    return shift * size if np.max(shift_range) < 1 else shift


class ImageDataGenerator:
    """Batches of images with random augmentation (rotation, shifts, shear, zoom, flips,
    brightness and channel shifts) and normalization (rescale, centering, std, ZCA).

    Works on rank-4 batches (N, H, W, C) (or (N, C, H, W) with data_format='channels_first';
    data_format=None follows K.image_data_format()) through `flow(x, y)` and on folders of
    images through `flow_from_directory` and `flow_from_dataframe`.
    """

    def __init__(self, featurewise_center=False, samplewise_center=False,
                 featurewise_std_normalization=False, samplewise_std_normalization=False,
                 zca_whitening=False, zca_epsilon=1e-6, rotation_range=0, width_shift_range=0.,
                 height_shift_range=0., brightness_range=None, shear_range=0., zoom_range=0.,
                 channel_shift_range=0., fill_mode="nearest", cval=0., horizontal_flip=False,
                 vertical_flip=False, rescale=None, preprocessing_function=None,
                 data_format=None, validation_split=0.0, dtype="float32"):
        self.data_format = config.normalize_data_format(data_format, _WHO)
        self.channel_axis, self.row_axis, self.col_axis = \
            (3, 1, 2) if self.data_format == "channels_last" else (1, 2, 3)
        self.fill_mode = arguments.one_of(fill_mode, _WHO, "fill_mode", FILL_MODES)
        self._validation_split = arguments.number(validation_split, _WHO, "validation_split", 0, 1)
        for name, value in [("rotation_range", rotation_range), ("shear_range", shear_range),
                            ("channel_shift_range", channel_shift_range), ("cval", cval),
                            ("zca_epsilon", zca_epsilon)]:
            if not arguments.is_number(value):
                raise TypeError(f"{_WHO}: {name} must be a number, got {arguments.got(value)}")
        if rescale is not None and not arguments.is_number(rescale):
            raise TypeError(f"{_WHO}: rescale must be a number or None, got {arguments.got(rescale)}")
        if preprocessing_function is not None and not callable(preprocessing_function):
            raise TypeError(f"{_WHO}: preprocessing_function must be callable, "
                            f"got {arguments.got(preprocessing_function)}")
        self.zoom_range = _pair(zoom_range, "zoom_range", lambda z: [1 - z, 1 + z])
        self.brightness_range = None if brightness_range is None else _pair(
            brightness_range, "brightness_range")
        self.width_shift_range = _shift_range(width_shift_range, "width_shift_range")
        self.height_shift_range = _shift_range(height_shift_range, "height_shift_range")
        self.rotation_range, self.shear_range = rotation_range, shear_range
        self.channel_shift_range, self.cval = channel_shift_range, cval
        self.horizontal_flip, self.vertical_flip = horizontal_flip, vertical_flip
        self.rescale, self.preprocessing_function = rescale, preprocessing_function
        self.dtype = dtype
        self.zca_whitening, self.zca_epsilon = zca_whitening, zca_epsilon
        self.featurewise_center = featurewise_center or zca_whitening \
            or featurewise_std_normalization
        self.featurewise_std_normalization = featurewise_std_normalization and not zca_whitening
        self.samplewise_center = samplewise_center or samplewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.mean = self.std = self.principal_components = None

    # -- iterators ---------------------------------------------------------------------
    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None,
             save_to_dir=None, save_prefix="", save_format="png", subset=None):
        """An iterator of augmented batches (x, y) (or x alone when y is None) from arrays."""
        return NumpyArrayIterator(x, y, self, batch_size=batch_size, shuffle=shuffle,
                                  sample_weight=sample_weight, seed=seed,
                                  data_format=self.data_format, save_to_dir=save_to_dir,
                                  save_prefix=save_prefix, save_format=save_format, subset=subset,
                                  dtype=self.dtype)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode="rgb", classes=None,
                            class_mode="categorical", batch_size=32, shuffle=True, seed=None,
                            save_to_dir=None, save_prefix="", save_format="png",
                            follow_links=False, subset=None, interpolation="nearest"):
        """An iterator of augmented batches read from `directory`'s class subfolders (Pillow)."""
        return DirectoryIterator(directory, self, target_size=target_size, color_mode=color_mode,
                                 classes=classes, class_mode=class_mode, batch_size=batch_size,
                                 shuffle=shuffle, seed=seed, data_format=self.data_format,
                                 save_to_dir=save_to_dir, save_prefix=save_prefix,
                                 save_format=save_format, follow_links=follow_links, subset=subset,
                                 interpolation=interpolation, dtype=self.dtype)

    def flow_from_dataframe(self, dataframe, directory=None, x_col="filename", y_col="class",
                            target_size=(256, 256), color_mode="rgb", classes=None,
                            class_mode="categorical", batch_size=32, shuffle=True, seed=None,
                            save_to_dir=None, save_prefix="", save_format="png", subset=None,
                            interpolation="nearest", drop_duplicates=True):
        """An iterator of augmented batches of the images a table names (dataframe[x_col],
        under `directory`), with targets from dataframe[y_col] (Pillow; pandas optional)."""
        return DataFrameIterator(dataframe, directory, self, x_col=x_col, y_col=y_col,
                                 target_size=target_size, color_mode=color_mode, classes=classes,
                                 class_mode=class_mode, batch_size=batch_size, shuffle=shuffle,
                                 seed=seed, data_format=self.data_format, save_to_dir=save_to_dir,
                                 save_prefix=save_prefix, save_format=save_format, subset=subset,
                                 interpolation=interpolation, dtype=self.dtype,
                                 drop_duplicates=drop_duplicates)

    # -- normalization -------------------------------------------------------------------
    def standardize(self, x):
        """`x` (one image or a batch) through preprocessing_function, rescale and the
        normalizations switched on, in Keras' order. Returns a new array."""
        x = np.asarray(x)
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        x = np.array(x, dtype=self.dtype)
        if self.rescale:
            x *= self.rescale
        if self.samplewise_center:
            x -= np.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x /= np.std(x, keepdims=True) + 1e-6
        for flag, stat, name in [(self.featurewise_center, self.mean, "featurewise_center"),
                                 (self.featurewise_std_normalization, self.std,
                                  "featurewise_std_normalization"),
                                 (self.zca_whitening, self.principal_components, "zca_whitening")]:
            if flag and stat is None:
                warnings.warn(f"{_WHO}: {name} is set but the generator has not been fit on any "
                              f"data yet; call .fit(x_train) first")
        if self.featurewise_center and self.mean is not None:
            x -= self.mean
        if self.featurewise_std_normalization and self.std is not None:
            x /= self.std + 1e-6
        if self.zca_whitening and self.principal_components is not None:
            flat = x.reshape(-1, int(np.prod(x.shape[-3:])))
            x = (flat @ self.principal_components).reshape(x.shape).astype(self.dtype)
        return x

    def fit(self, x, augment=False, rounds=1, seed=None):
        """Compute the per-channel mean and std (and the ZCA matrix) that standardize uses.

        x: a batch of images of rank 4; augment=True fits on `rounds` random transforms of it.
        """
        x = arguments.numeric_array(x, f"{_WHO}.fit", "x").astype(self.dtype)
        if x.ndim != 4:
            raise ValueError(f"{_WHO}.fit: x must be a batch of images of rank 4, got shape {x.shape}")
        rng = passos_random.generator() if seed is None else np.random.default_rng(seed)
        if augment:
            rounds = arguments.integer(rounds, f"{_WHO}.fit", "rounds")
            x = np.stack([self.apply_transform(image, self.draw_transform(image.shape, rng))
                          for _ in range(rounds) for image in x]).astype(self.dtype)
        shape = [1, 1, 1]
        shape[self.channel_axis - 1] = x.shape[self.channel_axis]
        axes = (0, self.row_axis, self.col_axis)
        if self.featurewise_center:
            self.mean = np.mean(x, axis=axes).reshape(shape)
            x = x - self.mean
        if self.featurewise_std_normalization:
            self.std = np.std(x, axis=axes).reshape(shape)
            x = x / (self.std + 1e-6)
        if self.zca_whitening:
            flat = x.reshape(len(x), -1).astype(np.float64)
            u, s, _ = np.linalg.svd(flat.T @ flat / len(flat))
            self.principal_components = (u / np.sqrt(s + self.zca_epsilon)) @ u.T

    # -- random transforms -----------------------------------------------------------------
    def draw_transform(self, img_shape, rng):
        """Random transform parameters for one image of `img_shape`, drawn from Generator `rng`."""
        rows, cols = img_shape[self.row_axis - 1], img_shape[self.col_axis - 1]
        params = {"theta": rng.uniform(-self.rotation_range, self.rotation_range)
                  if self.rotation_range else 0,
                  "tx": _draw_shift(self.height_shift_range, rows, rng)
                  if np.any(self.height_shift_range) else 0,
                  "ty": _draw_shift(self.width_shift_range, cols, rng)
                  if np.any(self.width_shift_range) else 0,
                  "shear": rng.uniform(-self.shear_range, self.shear_range) if self.shear_range else 0}
        zx, zy = (1, 1) if self.zoom_range == [1, 1] else rng.uniform(*self.zoom_range, size=2)
        params.update(zx=zx, zy=zy,
                      flip_horizontal=bool(self.horizontal_flip and rng.random() < 0.5),
                      flip_vertical=bool(self.vertical_flip and rng.random() < 0.5),
                      channel_shift_intensity=None if not self.channel_shift_range else
                      rng.uniform(-self.channel_shift_range, self.channel_shift_range),
                      brightness=None if self.brightness_range is None else
                      rng.uniform(*self.brightness_range))
        return params

    def get_random_transform(self, img_shape, seed=None):
        """Random transform parameters for one image (a dict for apply_transform)."""
        rng = passos_random.generator() if seed is None else np.random.default_rng(seed)
        return self.draw_transform(img_shape, rng)

    def apply_transform(self, x, transform_parameters):
        """One image (rank 3) transformed by the parameters in the dict (any key may be left out):
        theta, tx, ty, shear, zx, zy, flip_horizontal, flip_vertical, channel_shift_intensity,
        brightness."""
        x = np.asarray(x)
        if x.ndim != 3:
            raise ValueError(f"{_WHO}.apply_transform: expects one image of rank 3, got shape "
                             f"{x.shape}; for a batch, transform each image")
        p = transform_parameters
        rows, cols, channels = self.row_axis - 1, self.col_axis - 1, self.channel_axis - 1
        x = apply_affine_transform(x, p.get("theta", 0), p.get("tx", 0), p.get("ty", 0),
                                   p.get("shear", 0), p.get("zx", 1), p.get("zy", 1),
                                   row_axis=rows, col_axis=cols, channel_axis=channels,
                                   fill_mode=self.fill_mode, cval=self.cval)
        if p.get("channel_shift_intensity") is not None:
            x = apply_channel_shift(x, p["channel_shift_intensity"], channels)
        if p.get("flip_horizontal", False):
            x = flip_axis(x, cols)
        if p.get("flip_vertical", False):
            x = flip_axis(x, rows)
        if p.get("brightness") is not None:
            x = apply_brightness_shift(x, p["brightness"])
        return x

    def random_transform(self, x, seed=None):
        """One image (rank 3) with a random transform applied."""
        return self.apply_transform(x, self.get_random_transform(np.shape(x), seed))
