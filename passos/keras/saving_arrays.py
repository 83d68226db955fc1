"""A model file's arrays, read within bounds: every header first, then only the bytes needed.

Before load_model builds a layer it knows, from the .npy headers alone, the
shape, dtype and size of every stored array and that their total fits what the
file's own size can honestly hold (a zip entry that claims to inflate far
beyond its compressed bytes is a zip bomb). Layers are then built under
`StoredWeights`, which hands out zeros instead of running initializers and
refuses any weight the file does not store.
"""
import math
import os

import numpy as np

from ..io import DAMAGED_FILE_ERRORS as _CORRUPT, read_npy_array, read_npy_header
from .saving_checks import FLOAT_DTYPES, MAX_RANK, error

MAX_EXPANSION = 8          # stored arrays may take this many times the file's size ...
EXPANSION_ALLOWANCE = 1 << 20   # ... plus this, for small files of zeros a zip tool compressed
ZIP_ERRORS = _CORRUPT + (ValueError,)


class Stored:
    """An .npy entry of the file and its checked header (shape, dtype, order, data offset)."""

    def __init__(self, entry, header):
        self.entry, self.header = entry, header
        self.shape, self.dtype, self.nbytes = header.shape, header.dtype, header.nbytes
        self.size = math.prod(header.shape)


def entry_info(archive, path, entry):
    try:
        return archive.getinfo(entry)
    except KeyError:
        raise error(path, f"the entry '{entry:.200}' is missing (the file is incomplete or is "
                          "not a passos model file)") from None


def _failure(path, entry):
    """passos.io's readers report a problem through this: a ModelFileError naming the entry."""
    return lambda problem: error(path, f"the entry '{entry}' {problem}")


def read_header(archive, path, entry):
    """The header of the .npy `entry`, read alone (bounded), checked against its size."""
    info = entry_info(archive, path, entry)
    try:
        with archive.open(info) as file:
            header = read_npy_header(file, _failure(path, entry))
    except _CORRUPT as problem:
        raise error(path, f"the entry '{entry}' is corrupt ({problem})") from None
    shape, dtype = header.shape, header.dtype
    if len(shape) > MAX_RANK:
        raise error(path, f"the entry '{entry}' is not a plain NumPy array: its header declares "
                          f"the shape {shape!r:.80}")
    if dtype.name not in FLOAT_DTYPES or dtype.fields is not None:
        raise error(path, f"the entry '{entry}' is not a plain NumPy array: it holds "
                          f"{dtype.name} values, and passos stores {', '.join(FLOAT_DTYPES)}")
    if info.file_size != header.offset + header.nbytes:
        raise error(path, f"the entry '{entry}' holds {info.file_size} bytes, but its header "
                          f"declares a {dtype.name} array of shape {shape} ({header.nbytes} "
                          f"bytes of data after {header.offset} of header); the file is damaged")
    return Stored(entry, header)


def memory_limit(path):
    """The most bytes the loader reads out of the file at `path`: a few times its own size."""
    return MAX_EXPANSION * os.path.getsize(path) + EXPANSION_ALLOWANCE


def check_total(path, stored):
    """Refuse arrays that would take far more memory than the file's own bytes can describe."""
    total = sum(item.nbytes for item in stored)
    size = os.path.getsize(path)
    if total > memory_limit(path):
        raise error(path, f"its arrays would take {total} bytes of memory, more than "
                          f"{MAX_EXPANSION} times the file's {size} bytes: an entry claims to "
                          "expand far beyond its compressed size (a zip bomb, or a damaged "
                          "file); passos writes its entries uncompressed")


def read_array(archive, path, stored):
    """The array of `stored`: its entry opened again, exactly its data read, the CRC checked."""
    try:
        with archive.open(entry_info(archive, path, stored.entry)) as file:
            return read_npy_array(file, stored.header, _failure(path, stored.entry))
    except _CORRUPT as problem:
        raise error(path, f"the entry '{stored.entry}' is corrupt ({problem})") from None


class StoredWeights:
    """add_weight's source while load_model builds: zeros, never more than the file stores.

    The weights come in the file in another order than the layers create them,
    so what is checked here is the count and the total number of values; each
    shape is compared with the file's once the model is built.
    """

    def __init__(self, path, stored):
        self.path = path
        self.count_left = len(stored)
        self.values_left = sum(item.size for item in stored)
        self.count = len(stored)

    def __call__(self, layer, name, shape, dtype):
        what = f"{type(layer).__name__} '{layer.name}' weight '{name}'"
        if any(not isinstance(size, (int, np.integer)) or size < 0 for size in shape):
            raise error(self.path, f"{what} would have the shape {shape}; sizes are "
                                   "non-negative integers")
        if dtype.name not in FLOAT_DTYPES:
            raise error(self.path, f"{what} would hold {dtype.name} values; passos models "
                                   f"compute in {', '.join(FLOAT_DTYPES)}")
        size = math.prod(int(s) for s in shape)
        if self.count_left == 0 or size > self.values_left:
            raise error(self.path, f"its config asks for more weights than the file stores: "
                                   f"{what} of shape {shape} needs {size} values, and only "
                                   f"{self.values_left} values in {self.count_left} of the "
                                   f"file's {self.count} arrays are left; the config was "
                                   "altered or weights are missing")
        self.count_left -= 1
        self.values_left -= size
        return np.zeros(shape, dtype)
