"""Read the .npz files Keras publishes, object arrays (lists of word indices) included.

`numpy.load(allow_pickle=True)` would run any code a hostile file names; here numeric entries
are read as raw bytes and object entries through `safe_pickle`, which builds data only.
"""
import math
import zipfile
import zlib

import numpy as np

from . import safe_pickle

_HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0,
                   (2, 0): np.lib.format.read_array_header_2_0}


def load_npz(path, who):
    """{name: array} for every entry of the .npz at `path`; a damaged file is a ValueError."""
    try:
        with zipfile.ZipFile(path) as archive:
            return {info.filename[:-4]: _entry(archive, info, f"{who}: {path}: entry "
                                                              f"'{info.filename[:-4]}'")
                    for info in archive.infolist() if info.filename.endswith(".npy")}
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
        raise ValueError(f"{who}: {path} is not a readable .npz file ({type(error).__name__}: "
                         f"{error}); delete it and download it again") from None


def _entry(archive, info, label):
    """One entry's array: header, then raw numbers or a restricted unpickle of objects."""
    with archive.open(info) as member:
        try:
            version = np.lib.format.read_magic(member)
            shape, fortran_order, dtype = _HEADER_READERS[version](member)
        except (ValueError, KeyError, SyntaxError, TypeError) as error:
            raise ValueError(f"{label} has no valid .npy header ({type(error).__name__}: "
                             f"{error})") from None
        if dtype.hasobject:
            array = safe_pickle.load(member, label, encoding="latin1")
            if not isinstance(array, np.ndarray) or array.shape != shape:
                raise ValueError(f"{label}: the pickle holds {type(array).__name__} "
                                 f"{getattr(array, 'shape', '')}, not the array of shape {shape} "
                                 "its header announces")
            return array
        nbytes = math.prod(shape) * dtype.itemsize
        data = member.read(nbytes)
    if len(data) != nbytes:
        raise ValueError(f"{label} has {len(data)} data bytes, its header's shape {shape} of "
                         f"{dtype} needs {nbytes}; the file is truncated")
    return np.frombuffer(data, dtype).reshape(shape, order="F" if fortran_order else "C").copy()
