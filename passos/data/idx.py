"""Read and write IDX files, the MNIST format, plain or gzip-compressed; never pickle.

An IDX file is a magic number 0x00 0x00 <type code> <ndim>, ndim big-endian uint32
dimensions, then the data in C order, big-endian.

>>> import os, tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     write_idx(os.path.join(d, "x-idx2-short.gz"), np.arange(6, dtype=np.int16).reshape(2, 3))
...     read_idx(os.path.join(d, "x-idx2-short.gz"))
array([[0, 1, 2],
       [3, 4, 5]], dtype=int16)
"""
import gzip
import math
import os
import sys

import numpy as np

from ..io import DAMAGED_FILE_ERRORS, NUMPY_MAX_NDIM, atomic_write, read_up_to

# Type code -> dtype as stored (big-endian); read_idx returns native byte order.
TYPE_CODES = {0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"),
              0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
_CODE_OF = {dtype.newbyteorder("="): code for code, dtype in TYPE_CODES.items()}
_GZIP_MAGIC = b"\x1f\x8b"


def read_idx(path):
    """Array stored in the IDX file at `path`, in native byte order; gzip is detected by content.

    The header is checked first (against a plain file's size) and gzip inflates in chunks up to
    one byte past the promised size, so a damaged or hostile file costs no more memory than its
    promised array. Content problems are ValueErrors naming the file (a missing one: OSError).
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        if f.read(2) != _GZIP_MAGIC:  # plain: its size is known before anything is read
            f.seek(0)
            return _read(lambda size: read_up_to(f, size), path, os.fstat(f.fileno()).st_size, "")
        f.seek(0)
        with gzip.GzipFile(fileobj=f, mode="rb") as unzipped:
            return _read(lambda size: _gunzip(unzipped, size, path), path, None, " after gunzip")


def _gunzip(stream, size, path):
    """Up to `size` bytes of a gzip stream, inflated only so far; its damage is a ValueError."""
    try:
        return read_up_to(stream, size)
    except DAMAGED_FILE_ERRORS as err:
        raise ValueError(f"read_idx: {path}: corrupt or truncated gzip data ({err}); "
                         f"download or copy the file again") from None


def _read(read, path, file_size, note):
    """The array in an IDX stream whose next n bytes are `read(n)`; `file_size`: None for gzip."""
    # 1. The magic number: two zero bytes, a type code, the number of dimensions.
    magic = read(4)
    if len(magic) < 4:
        raise ValueError(f"read_idx: {path}: {len(magic)} bytes{note}, too short for the 4-byte "
                         f"IDX magic number; the file is empty or truncated")
    if magic[0] != 0 or magic[1] != 0:
        raise ValueError(f"read_idx: {path}: bad magic number {magic.hex(' ')}, expected "
                         f"00 00 <type code> <ndim>; is this an IDX file?")
    code, ndim = magic[2], magic[3]
    if code not in TYPE_CODES:
        known = ", ".join(f"0x{c:02X} {d.newbyteorder('=').name}" for c, d in TYPE_CODES.items())
        raise ValueError(f"read_idx: {path}: unknown type code 0x{code:02X}; IDX knows {known}")
    if ndim > NUMPY_MAX_NDIM:
        raise ValueError(f"read_idx: {path}: the header gives {ndim} dimensions; NumPy holds "
                         f"at most {NUMPY_MAX_NDIM}; the file is damaged or not IDX")
    # 2. The dimensions, and the data size they promise (checked against a plain file's size).
    header = 4 + 4 * ndim
    dims = read(4 * ndim)
    if len(dims) < 4 * ndim:
        raise ValueError(f"read_idx: {path}: truncated header: {ndim} dimensions need "
                         f"{header} header bytes, got {4 + len(dims)} bytes{note}")
    shape = tuple(int.from_bytes(dims[i:i + 4], "big") for i in range(0, 4 * ndim, 4))
    dtype = TYPE_CODES[code]
    need = math.prod(shape) * dtype.itemsize
    name = dtype.newbyteorder("=").name

    def wrong_size(got=None):  # None: more bytes than the header promises, count unknown
        what = "truncated" if got is not None and got < header + need else "oversized"
        return ValueError(f"read_idx: {path}: {what}: shape {shape} of {name} needs "
                          f"{header + need} bytes (header included), got "
                          f"{'more' if got is None else f'{got} bytes'}{note}; "
                          f"the file is damaged or its dimensions are wrong")
    if file_size is not None and file_size != header + need:
        raise wrong_size(file_size)
    if need > sys.maxsize:
        raise ValueError(f"read_idx: {path}: shape {shape} of {name} needs {need} bytes, more "
                         f"than NumPy can hold; the file is damaged or its dimensions are wrong")
    # 3. The data, no further than one byte past what the header promises.
    try:
        data = read(need)
    except MemoryError:
        raise ValueError(f"read_idx: {path}: shape {shape} of {name} needs {need} bytes, more "
                         f"memory than is free") from None
    if len(data) < need:
        raise wrong_size(header + len(data))
    if read(1):  # only a gzip stream can hold more than its checked size
        raise wrong_size()
    array = np.frombuffer(data, dtype=dtype).reshape(shape)  # writable: data is a bytearray
    if not dtype.isnative:
        array = array.byteswap(inplace=True).view(dtype.newbyteorder("="))
    return array


def write_idx(path, array):
    """Write `array` to `path` as IDX, gzip-compressed if the name ends in .gz, atomically."""
    path = os.fspath(path)
    array = np.asarray(array)
    code = _CODE_OF.get(array.dtype.newbyteorder("="))
    if code is None:
        known = ", ".join(d.newbyteorder("=").name for d in TYPE_CODES.values())
        raise ValueError(f"write_idx: {path}: IDX has no type for dtype {array.dtype}; it stores "
                         f"{known}; convert first, e.g. array.astype('int32')")
    if any(d >= 1 << 32 for d in array.shape):  # NumPy's 64 dimensions fit IDX's 255
        raise ValueError(f"write_idx: {path}: shape {array.shape} does not fit IDX, which stores "
                         f"at most 255 dimensions, each below 2**32 = {1 << 32}; split the array "
                         f"into several files")
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    payload = header + array.astype(TYPE_CODES[code]).tobytes(order="C")
    if path.endswith(".gz"):
        payload = gzip.compress(payload, mtime=0)  # mtime=0: same array, same bytes
    atomic_write(path, payload)

