"""The batch iterators behind ImageDataGenerator.flow and flow_from_directory (and the
file-reading base that flow_from_dataframe's iterator shares).

Each is a Keras Sequence (`len`, `it[i]`, `on_epoch_end`) and an endless iterator
(`next(it)`), which reshuffles at the start of every pass over the data. With a seed,
batch k draws its order and transforms from seed + k, as Keras does, so runs repeat.
"""
import os
import warnings

import numpy as np

from ... import arguments
from ..backend import config
from ...ops import random as passos_random
from ..utils.data_utils import Sequence
from .image_files import IMAGE_EXTENSIONS, array_to_img, img_to_array, load_img

CLASS_MODES = ("categorical", "binary", "sparse", "input", None)


class Iterator(Sequence):
    """Batches of `batch_size` over n samples; subclasses build a batch from its indices."""

    def __init__(self, n, batch_size, shuffle, seed):
        who = type(self).__name__
        self.n = n
        self.batch_size = arguments.integer(batch_size, who, "batch_size")
        self.shuffle = bool(shuffle)
        self.seed = None if seed is None else arguments.integer(seed, who, "seed", minimum=0)
        self.batch_index = 0
        self.total_batches_seen = 0
        self.index_array = None
        self.index_generator = self._flow_index()

    def _rng(self):
        """The generator for the next batch: its own when seeded, else passos' shared one."""
        if self.seed is None:
            return passos_random.generator()
        return np.random.default_rng(self.seed + self.total_batches_seen)

    def _set_index_array(self, rng):
        self.index_array = rng.permutation(self.n) if self.shuffle else np.arange(self.n)

    def __len__(self):
        return -(-self.n // self.batch_size)

    def __getitem__(self, idx):
        if not arguments.is_int(idx) or not 0 <= idx < len(self):
            raise IndexError(f"{type(self).__name__}: batch index {idx!r} is out of range; "
                             f"there are {len(self)} batches (0 to {len(self) - 1})")
        rng = self._rng()
        self.total_batches_seen += 1
        if self.index_array is None:
            self._set_index_array(rng)
        index = self.index_array[self.batch_size * idx:self.batch_size * (idx + 1)]
        return self._get_batches_of_transformed_samples(index, rng)

    def on_epoch_end(self):
        """Reshuffle (when shuffling) for the next pass through `it[i]`."""
        self._set_index_array(self._rng())

    def reset(self):
        """Start the next `next(it)` at the beginning of a pass."""
        self.batch_index = 0

    def _flow_index(self):
        self.reset()
        while True:
            rng = self._rng()
            if self.batch_index == 0:
                self._set_index_array(rng)
            start = (self.batch_index * self.batch_size) % self.n
            self.batch_index = self.batch_index + 1 if self.n > start + self.batch_size else 0
            self.total_batches_seen += 1
            yield self.index_array[start:start + self.batch_size], rng

    def __iter__(self):
        return self

    def __next__(self):
        if self.n == 0:
            raise ValueError(f"{type(self).__name__}: there are no samples to make batches of")
        index, rng = next(self.index_generator)
        return self._get_batches_of_transformed_samples(index, rng)

    next = __next__

    def _transformed(self, x, rng):
        """One sample through the generator's random transform, then its standardization."""
        generator = self.image_data_generator
        x = generator.apply_transform(x, generator.draw_transform(x.shape, rng))
        return generator.standardize(x)

    def _save(self, batch_x, index, rng):
        """Write the batch's images to save_to_dir, for looking at the augmentation."""
        for image, j in zip(batch_x, index):
            name = f"{self.save_prefix}_{j}_{rng.integers(10 ** 7)}.{self.save_format}"
            array_to_img(image, self.data_format, scale=True).save(
                os.path.join(self.save_to_dir, name))

    def _get_batches_of_transformed_samples(self, index, rng):
        raise NotImplementedError(f"{type(self).__name__} must define "
                                  f"_get_batches_of_transformed_samples(index, rng)")


def subset_bounds(image_data_generator, subset, who):
    """(start, stop) fractions of the data for `subset`: validation first, as Keras splits."""
    if subset is None:
        return None
    arguments.one_of(subset, who, "subset", ("training", "validation"))
    split = image_data_generator._validation_split
    if not split:
        raise ValueError(f"{who}: subset={subset!r} needs ImageDataGenerator(validation_split=...) "
                         f"between 0 and 1, got validation_split={split}")
    return (0.0, split) if subset == "validation" else (split, 1.0)


def _warn_channels(shape, data_format, who):
    axis = 3 if data_format == "channels_last" else 1
    if shape[axis] not in (1, 3, 4):
        warnings.warn(f"{who}: expected 1, 3 or 4 channels on axis {axis} ({data_format}), "
                      f"got an array of shape {shape}")


class NumpyArrayIterator(Iterator):
    """Batches (x, y[, sample_weight]) from arrays; x may be (images, extra arrays)."""

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=False, sample_weight=None,
                 seed=None, data_format=None, save_to_dir=None, save_prefix="",
                 save_format="png", subset=None, dtype="float32"):
        who = "NumpyArrayIterator"
        data_format = config.normalize_data_format(data_format, who)
        x_misc = []
        if isinstance(x, (tuple, list)):
            x_misc = [np.asarray(a) for a in (x[1] if isinstance(x[1], list) else [x[1]])]
            x = x[0]
        x = arguments.numeric_array(x, who, "x")
        for name, other in [("y", y), ("sample_weight", sample_weight)] + \
                [("an extra input in x", a) for a in x_misc]:
            if other is not None and len(other) != len(x):
                raise ValueError(f"{who}: x has {len(x)} samples (shape {x.shape}) but {name} has "
                                 f"{len(other)} (shape {np.shape(other)})")
        bounds = subset_bounds(image_data_generator, subset, who)
        if bounds is not None:
            cut = int(len(x) * image_data_generator._validation_split)
            part = slice(0, cut) if subset == "validation" else slice(cut, None)
            if y is not None and not np.array_equal(np.unique(y[:cut]), np.unique(y[cut:])):
                raise ValueError(f"{who}: the training and validation subsets hold different "
                                 f"classes; if x is sorted by label, shuffle it first")
            x, x_misc = x[part], [a[part] for a in x_misc]
            y = None if y is None else y[part]
            sample_weight = None if sample_weight is None else sample_weight[part]
        self.dtype = dtype
        self.x = np.asarray(x, dtype=dtype)
        if self.x.ndim != 4:
            raise ValueError(f"{who}: x must be a batch of images of rank 4, got shape {self.x.shape}")
        _warn_channels(self.x.shape, data_format, who)
        self.x_misc = x_misc
        self.y = None if y is None else np.asarray(y)
        self.sample_weight = None if sample_weight is None else np.asarray(sample_weight)
        self.image_data_generator = image_data_generator
        self.data_format = data_format
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, save_format
        super().__init__(len(self.x), batch_size, shuffle, seed)

    def _get_batches_of_transformed_samples(self, index, rng):
        batch_x = np.stack([self._transformed(self.x[j], rng) for j in index]).astype(self.dtype)
        if self.save_to_dir:
            self._save(batch_x, index, rng)
        inputs = [batch_x] + [a[index] for a in self.x_misc] if self.x_misc else batch_x
        if self.y is None:
            return inputs
        if self.sample_weight is None:
            return inputs, self.y[index]
        return inputs, self.y[index], self.sample_weight[index]


def _image_files(folder, follow_links):
    """The image files under `folder` (recursively), in sorted order, relative to `folder`."""
    found = []
    for root, _, files in sorted(os.walk(folder, followlinks=follow_links), key=lambda w: w[0]):
        for name in sorted(files):
            if "." in name and name.lower().rsplit(".", 1)[1] in IMAGE_EXTENSIONS:
                found.append(os.path.relpath(os.path.join(root, name), folder))
    return found


class FileIterator(Iterator):
    """Batches of images read from files: a subclass lists `filenames` (under `directory`) and
    sets `class_mode` with `classes` (int labels) or `data` (raw targets) before starting."""

    def _image_options(self, who, image_data_generator, target_size, color_mode, data_format,
                       save_to_dir, save_prefix, save_format, interpolation, dtype):
        """Check and keep the options every file iterator reads its images with."""
        data_format = config.normalize_data_format(data_format, who)
        self.target_size = arguments.int_tuple(target_size, 2, who, "target_size")
        self.color_mode = arguments.one_of(color_mode, who, "color_mode", ("grayscale", "rgb", "rgba"))
        channels = {"grayscale": 1, "rgb": 3, "rgba": 4}[color_mode]
        self.image_shape = self.target_size + (channels,) if data_format == "channels_last" \
            else (channels,) + self.target_size
        self.data_format, self.interpolation, self.dtype = data_format, interpolation, dtype
        self.image_data_generator = image_data_generator
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, save_format

    @property
    def filepaths(self):
        """The path of each image, `directory` joined to its filename."""
        return [os.path.join(self.directory or "", name) for name in self.filenames]

    def _load(self, j):
        img = load_img(os.path.join(self.directory or "", self.filenames[j]),
                       color_mode=self.color_mode, target_size=self.target_size,
                       interpolation=self.interpolation)
        x = img_to_array(img, data_format=self.data_format, dtype=self.dtype)
        img.close()
        return x

    def _get_batches_of_transformed_samples(self, index, rng):
        batch_x = np.stack([self._transformed(self._load(j), rng) for j in index]).astype(self.dtype)
        if self.save_to_dir:
            self._save(batch_x, index, rng)
        if self.class_mode is None:
            return batch_x
        if self.class_mode == "input":
            return batch_x, batch_x.copy()
        if self.class_mode in ("other", "raw"):
            return batch_x, self.data[index]
        labels = self.classes[index]
        if self.class_mode == "sparse":
            return batch_x, labels
        if self.class_mode == "binary":
            return batch_x, labels.astype(self.dtype)
        return batch_x, np.eye(self.num_classes, dtype=self.dtype)[labels]


class DirectoryIterator(FileIterator):
    """Batches of images read from `directory`, one subfolder per class (sorted by name)."""

    def __init__(self, directory, image_data_generator, target_size=(256, 256), color_mode="rgb",
                 classes=None, class_mode="categorical", batch_size=32, shuffle=True, seed=None,
                 data_format=None, save_to_dir=None, save_prefix="", save_format="png",
                 follow_links=False, subset=None, interpolation="nearest", dtype="float32"):
        who = "DirectoryIterator"
        if not os.path.isdir(directory):
            raise ValueError(f"{who}: directory {directory!r} does not exist or is not a folder")
        self._image_options(who, image_data_generator, target_size, color_mode, data_format,
                            save_to_dir, save_prefix, save_format, interpolation, dtype)
        if class_mode not in CLASS_MODES:
            raise ValueError(f"{who}: class_mode must be 'categorical', 'binary', 'sparse', "
                             f"'input' or None, got {class_mode!r}")
        self.directory, self.class_mode = directory, class_mode
        bounds = subset_bounds(image_data_generator, subset, who)
        if not classes:
            classes = sorted(d for d in os.listdir(directory)
                             if os.path.isdir(os.path.join(directory, d)))
        self.num_classes = len(classes)
        self.class_indices = {name: i for i, name in enumerate(classes)}
        self.filenames, labels = [], []
        for name in classes:
            files = _image_files(os.path.join(directory, name), follow_links)
            if bounds is not None:
                files = files[int(bounds[0] * len(files)):int(bounds[1] * len(files))]
            self.filenames += [os.path.join(name, f) for f in files]
            labels += [self.class_indices[name]] * len(files)
        self.samples = len(self.filenames)
        self.classes = np.array(labels, dtype="int32")
        print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        super().__init__(self.samples, batch_size, shuffle, seed)
