"""`input_data.read_data_sets`: the MNIST reader of TF1's tutorials, on local IDX files.

`from tensorflow.examples.tutorials.mnist import input_data` becomes
`from passos.compat.v1.examples.tutorials.mnist import input_data`. `read_data_sets(train_dir)`
reads the four IDX files (MNIST's names, plain or .gz) from `train_dir`, as TF1 does; Fashion-MNIST
uses the same names, so its folder is a drop-in replacement. passos downloads nothing here: a
folder without the files is refused, saying what to put there.

>>> import tempfile, numpy as np
>>> from passos.data.idx import write_idx
>>> folder = tempfile.mkdtemp()
>>> for name, array in [("train-images-idx3-ubyte", np.zeros((8, 28, 28), np.uint8)),
...                     ("train-labels-idx1-ubyte", np.arange(8, dtype=np.uint8)),
...                     ("t10k-images-idx3-ubyte", np.zeros((2, 28, 28), np.uint8)),
...                     ("t10k-labels-idx1-ubyte", np.arange(2, dtype=np.uint8))]:
...     write_idx(f"{folder}/{name}.gz", array)
>>> mnist = read_data_sets(folder, one_hot=True, validation_size=3)
>>> mnist.train.num_examples, mnist.validation.labels.shape, mnist.test.images.shape
(5, (3, 10), (2, 784))
"""
import collections
import os

import numpy as np

from ......data.idx import read_idx

FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
         "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


def dense_to_one_hot(labels_dense, num_classes):
    """Class indices (n,) as one-hot rows (n, num_classes), float64 as TF1 gives them."""
    labels_dense = np.asarray(labels_dense).reshape(-1)
    one_hot = np.zeros((len(labels_dense), num_classes))
    one_hot[np.arange(len(labels_dense)), labels_dense] = 1
    return one_hot


class DataSet:
    """Images and labels served in mini-batches, reshuffled at each epoch (TF1's DataSet)."""

    def __init__(self, images, labels, fake_data=False, one_hot=False, dtype=np.float32,
                 reshape=True, seed=None):
        dtype = np.dtype(dtype)
        if dtype not in (np.uint8, np.float32):
            raise TypeError(f"DataSet: dtype must be uint8 or float32, got {dtype}")
        self._rng = np.random.RandomState(seed)
        if fake_data:
            self._num_examples, self.one_hot = 10000, one_hot
        else:
            if len(images) != len(labels):
                raise ValueError(f"DataSet: {len(images)} images but {len(labels)} labels")
            self._num_examples = len(images)
            if reshape:  # (n, rows, cols[, 1]) -> (n, rows * cols)
                images = images.reshape(len(images), int(np.prod(images.shape[1:])))
            if dtype == np.float32:  # [0, 255] -> [0.0, 1.0]
                images = images.astype(np.float32) * np.float32(1.0 / 255.0)
        self._images, self._labels = images, labels
        self._epochs_completed = self._index_in_epoch = 0

    images = property(lambda self: self._images)
    labels = property(lambda self: self._labels)
    num_examples = property(lambda self: self._num_examples)
    epochs_completed = property(lambda self: self._epochs_completed)

    def _shuffle(self):
        order = self._rng.permutation(self._num_examples)
        self._images, self._labels = self._images[order], self._labels[order]

    def next_batch(self, batch_size, fake_data=False, shuffle=True):
        """The next `batch_size` examples; an epoch's last batch ends with the next epoch's first."""
        if fake_data:
            image = [1] * 784
            label = [1] + [0] * 9 if self.one_hot else 0
            return [image] * batch_size, [label] * batch_size
        if not 0 < batch_size <= self._num_examples:
            raise ValueError(f"next_batch: batch_size must be in 1..{self._num_examples} (the "
                             f"examples in this set), got {batch_size}")
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:
            self._shuffle()
        if start + batch_size <= self._num_examples:
            self._index_in_epoch += batch_size
            return self._images[start:start + batch_size], self._labels[start:start + batch_size]
        # 1. the rest of this epoch, 2. a new (reshuffled) epoch, 3. its first examples
        self._epochs_completed += 1
        rest_images, rest_labels = self._images[start:], self._labels[start:]
        if shuffle:
            self._shuffle()
        self._index_in_epoch = batch_size - len(rest_images)
        end = self._index_in_epoch
        return (np.concatenate([rest_images, self._images[:end]]),
                np.concatenate([rest_labels, self._labels[:end]]))


def _read_files(train_dir):
    """The four arrays of `train_dir`, each file plain or .gz; a clear error for what is missing."""
    paths, missing = [], []
    for name in FILES:
        present = [p for p in (os.path.join(train_dir, name + ext) for ext in ("", ".gz"))
                   if os.path.isfile(p)]
        (paths.append(present[0]) if present else missing.append(name))
    if missing:
        raise FileNotFoundError(
            f"read_data_sets: {train_dir} lacks {', '.join(missing)} (plain or .gz), and passos "
            "downloads nothing here. Put MNIST's four IDX files there, pass Fashion-MNIST's folder "
            "(Debian: apt-get install dataset-fashion-mnist, then "
            "'/usr/share/datasets/fashion-mnist'), or use passos.keras.datasets.mnist.load_data()")
    arrays = [read_idx(p) for p in paths]
    for (images, labels), part in ((arrays[:2], "train"), (arrays[2:], "t10k")):
        if images.ndim != 3 or labels.shape != images.shape[:1]:
            raise ValueError(f"read_data_sets: {train_dir}'s {part} files hold images of shape "
                             f"{images.shape} and labels of shape {labels.shape}; expected "
                             "(n, rows, cols) and (n,)")
    return arrays


def read_data_sets(train_dir, fake_data=False, one_hot=False, dtype=np.float32, reshape=True,
                   validation_size=5000, seed=None, source_url=None):
    """Datasets(train, validation, test) of the IDX files in `train_dir`; the first
    `validation_size` training examples are the validation set."""
    options = dict(dtype=dtype, reshape=reshape, seed=seed)
    if fake_data:
        fake = DataSet([], [], fake_data=True, one_hot=one_hot, **options)
        return Datasets(fake, fake, fake)
    train_images, train_labels, test_images, test_labels = _read_files(os.fspath(train_dir))
    if one_hot:
        top = max([int(y.max()) for y in (train_labels, test_labels) if y.size] or [0])
        if top >= 10:
            raise ValueError(f"read_data_sets: one_hot=True gives 10 classes, but {train_dir} "
                             f"has label {top}")
        train_labels, test_labels = (dense_to_one_hot(y, 10) for y in (train_labels, test_labels))
    if not 0 <= validation_size <= len(train_images):
        raise ValueError(f"read_data_sets: validation_size must be in 0..{len(train_images)} "
                         f"(the training examples), got {validation_size}")
    cut = validation_size
    return Datasets(DataSet(train_images[cut:], train_labels[cut:], **options),
                    DataSet(train_images[:cut], train_labels[:cut], **options),
                    DataSet(test_images, test_labels, **options))
