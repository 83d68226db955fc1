"""CIFAR-10 and CIFAR-100 from their python batches (pickled dicts), read by safe_pickle.

Each data set is found as Keras caches it (the archive cifar-10-batches-py.tar.gz, or the
folder it extracts to) or under the archive's original name, and read straight out of the
archive: nothing is extracted. Images come channels first, (n, 3, 32, 32) uint8;
passos.keras.datasets turns them channels last as Keras does.
"""
import os
import tarfile
import zlib

import numpy as np

from . import keras_files, safe_pickle

# name -> (Keras' cache file, the folder inside the archive, training batches, test batch)
SETS = {
    "cifar10": ("cifar-10-batches-py.tar.gz", "cifar-10-batches-py",
                [f"data_batch_{i}" for i in range(1, 6)], "test_batch"),
    "cifar100": ("cifar-100-python.tar.gz", "cifar-100-python", ["train"], "test"),
}
ORIGINAL_NAMES = {"cifar10": "cifar-10-python.tar.gz", "cifar100": "cifar-100-python.tar.gz"}


def read_batch(stream, who, label_key="labels"):
    """(data, labels) of one pickled batch: uint8 (n, 3, 32, 32) and a list of n ints."""
    batch = safe_pickle.load(stream, who, encoding="bytes")
    if not isinstance(batch, dict):
        raise ValueError(f"{who}: holds a pickled {type(batch).__name__}, not a CIFAR batch dict")
    batch = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in batch.items()}
    data, labels = batch.get("data"), batch.get(label_key)
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 \
            or data.shape[1] != 3 * 32 * 32:
        raise ValueError(f"{who}: 'data' is {getattr(data, 'dtype', type(data).__name__)} of shape "
                         f"{getattr(data, 'shape', None)}; expected uint8 rows of 3072 pixels")
    if not isinstance(labels, list) or len(labels) != len(data) \
            or not all(isinstance(label, int) for label in labels):
        raise ValueError(f"{who}: '{label_key}' is not a list of {len(data)} integer labels "
                         f"(keys present: {sorted(batch)})")
    return data.reshape(len(data), 3, 32, 32), labels


def load_batch(fpath, label_key="labels"):
    """Keras' cifar.load_batch: (data, labels) of the batch file at `fpath`."""
    with open(fpath, "rb") as stream:
        return read_batch(stream, f"load_batch: {fpath}", label_key)


def _read_all(found, folder, names, who, label_key):
    """[(data, labels)] of batches `names`, from an extracted folder or straight from the archive."""
    if os.path.isdir(found):
        return [load_batch(os.path.join(found, name), label_key) for name in names]
    try:
        with tarfile.open(found, "r:gz") as archive:
            batches = []
            for name in names:
                member = archive.extractfile(f"{folder}/{name}")
                if member is None:
                    raise KeyError(f"{folder}/{name}")
                batches.append(read_batch(member, f"{who}: {found}: {name}", label_key))
            return batches
    except KeyError as missing:
        raise ValueError(f"{who}: {found} lacks {missing}; is it the CIFAR python archive?") from None
    except (tarfile.TarError, zlib.error, EOFError) as error:
        raise ValueError(f"{who}: {found} is not a readable .tar.gz ({type(error).__name__}: "
                         f"{error}); delete it and download it again") from None


def load_cifar(name, label_key="labels"):
    """((x_train, y_train), (x_test, y_test)) of SETS[name], images channels first.

    As Keras 2.2.4 builds them: labels have shape (n, 1); CIFAR-10's training labels are
    uint8, the others NumPy's default int (the lists the files hold, reshaped).
    """
    who = f"{name}.load_data"
    key, folder, train_names, test_name = SETS[name]
    found = keras_files.find_or_download(key, who, also=(folder, ORIGINAL_NAMES[name]))
    *train, test = _read_all(found, folder, train_names + [test_name], who, label_key)
    x_train = np.concatenate([data for data, _ in train])
    y_train = np.concatenate([np.asarray(labels, dtype=np.int64) for _, labels in train])
    if name == "cifar10":
        y_train = y_train.astype(np.uint8)
    x_test, y_test = test[0], np.asarray(test[1])
    return (x_train, y_train.reshape(-1, 1)), (x_test, y_test.reshape(-1, 1))
