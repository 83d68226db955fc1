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
import zipfile
import zlib

import numpy as np

try:
    from lzma import LZMAError
except ImportError:  # without lzma, zipfile refuses LZMA entries with NotImplementedError
    LZMAError = zlib.error

from .saving_checks import FLOAT_DTYPES, MAX_RANK, error

HEADER_BYTES = 1 << 16     # an .npy header of a plain array is about 128 bytes
MAX_EXPANSION = 8          # stored arrays may take this many times the file's size ...
EXPANSION_ALLOWANCE = 1 << 20   # ... plus this, for small files of zeros a zip tool compressed
_CORRUPT = (zipfile.BadZipFile, zlib.error, LZMAError, EOFError, OSError, RuntimeError,
            NotImplementedError)
ZIP_ERRORS = _CORRUPT + (ValueError,)
_VERSIONS = {(1, 0): np.lib.format.read_array_header_1_0,
             (2, 0): np.lib.format.read_array_header_2_0}


class Stored:
    """What an .npy entry's header declares: shape, dtype, memory order, and where data starts."""

    def __init__(self, entry, shape, dtype, fortran, offset):
        self.entry, self.shape, self.dtype = entry, shape, dtype
        self.fortran, self.offset = fortran, offset
        self.size = math.prod(shape)
        self.nbytes = self.size * dtype.itemsize


def entry_info(archive, path, entry):
    try:
        return archive.getinfo(entry)
    except KeyError:
        raise error(path, f"the entry '{entry:.200}' is missing (the file is incomplete or is "
                          "not a passos model file)") from None


class _Bounded:
    """A file that yields at most `left` bytes: numpy reads a header's declared length first."""

    def __init__(self, file, left):
        self.file, self.left = file, left

    def read(self, size):
        data = self.file.read(min(size, self.left))
        self.left -= len(data)
        return data


def read_header(archive, path, entry):
    """The header of the .npy `entry`, read alone (bounded), checked against its size."""
    info = entry_info(archive, path, entry)
    try:
        with archive.open(info) as file:
            head = _Bounded(file, HEADER_BYTES)
            version = np.lib.format.read_magic(head)
            if version not in _VERSIONS:
                raise ValueError(f"format version {version} is not one passos writes")
            shape, fortran, dtype = _VERSIONS[version](head, max_header_size=HEADER_BYTES)
    except _CORRUPT as problem:
        raise error(path, f"the entry '{entry}' is corrupt ({problem})") from None
    except (ValueError, SyntaxError, RecursionError) as problem:
        raise error(path, f"the entry '{entry}' is not a plain NumPy array ({problem})") from None
    if len(shape) > MAX_RANK or any(size < 0 for size in shape):
        raise error(path, f"the entry '{entry}' is not a plain NumPy array: its header declares "
                          f"the shape {shape!r:.80}")
    if dtype.name not in FLOAT_DTYPES or dtype.fields is not None:
        raise error(path, f"the entry '{entry}' is not a plain NumPy array: it holds "
                          f"{dtype.name} values, and passos stores {', '.join(FLOAT_DTYPES)}")
    stored = Stored(entry, shape, dtype, fortran, HEADER_BYTES - head.left)
    if info.file_size != stored.offset + stored.nbytes:
        raise error(path, f"the entry '{entry}' holds {info.file_size} bytes, but its header "
                          f"declares a {dtype.name} array of shape {shape} ({stored.nbytes} "
                          f"bytes of data after {stored.offset} of header); the file is damaged")
    return stored


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
    """The array of `stored`: reads its header again and exactly its data, never more."""
    try:
        with archive.open(entry_info(archive, path, stored.entry)) as file:
            file.read(stored.offset)
            data = file.read(stored.nbytes)
    except ZIP_ERRORS as problem:
        raise error(path, f"the entry '{stored.entry}' is corrupt ({problem})") from None
    if len(data) != stored.nbytes:
        raise error(path, f"the entry '{stored.entry}' ends after {len(data)} of its "
                          f"{stored.nbytes} bytes of data (the file is truncated)")
    return np.frombuffer(data, stored.dtype).reshape(stored.shape,
                                                    order="F" if stored.fortran else "C")


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
