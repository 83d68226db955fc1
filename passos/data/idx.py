"""Read and write IDX files, the MNIST format, plain or gzip-compressed; never pickle.

An IDX file is a magic number 0x00 0x00 <type code> <ndim>, then ndim big-endian
uint32 dimensions, then the data in C order, big-endian.

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
import zlib

import numpy as np

from ..io import atomic_write

# Type code -> dtype as stored (big-endian); read_idx returns native byte order.
TYPE_CODES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODE_OF = {dtype.newbyteorder("="): code for code, dtype in TYPE_CODES.items()}
_GZIP_MAGIC = b"\x1f\x8b"


def _file_bytes(path):
    """The file's bytes, gunzipped when the content is gzip, and a note saying whether it was."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] != _GZIP_MAGIC:
        return raw, ""
    try:
        return gzip.decompress(raw), " after gunzip"
    except (EOFError, OSError, zlib.error) as err:
        raise ValueError(f"read_idx: {path}: corrupt or truncated gzip data ({err}); "
                         f"download or copy the file again") from None


def read_idx(path):
    """Array stored in the IDX file at `path`, in native byte order; gzip is detected by content."""
    path = os.fspath(path)
    raw, note = _file_bytes(path)
    # 1. The magic number: two zero bytes, a type code, the number of dimensions.
    if len(raw) < 4:
        raise ValueError(f"read_idx: {path}: {len(raw)} bytes{note}, too short for the 4-byte "
                         f"IDX magic number; the file is empty or truncated")
    if raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"read_idx: {path}: bad magic number {raw[:4].hex(' ')}, expected "
                         f"00 00 <type code> <ndim>; is this an IDX file?")
    code, ndim = raw[2], raw[3]
    if code not in TYPE_CODES:
        known = ", ".join(f"0x{c:02X} {d.newbyteorder('=').name}" for c, d in TYPE_CODES.items())
        raise ValueError(f"read_idx: {path}: unknown type code 0x{code:02X}; IDX knows {known}")
    # 2. The dimensions, then exactly as many data bytes as they promise.
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"read_idx: {path}: truncated header: {ndim} dimensions need "
                         f"{header} header bytes, got {len(raw)} bytes{note}")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = TYPE_CODES[code]
    expected = header + math.prod(shape) * dtype.itemsize
    if len(raw) != expected:
        what = "truncated" if len(raw) < expected else "oversized"
        raise ValueError(f"read_idx: {path}: {what}: shape {shape} of "
                         f"{dtype.newbyteorder('=').name} needs {expected} bytes (header "
                         f"included), got {len(raw)} bytes{note}; the file is damaged or its "
                         f"dimensions are wrong")
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))  # a writable copy in native order


def write_idx(path, array):
    """Write `array` to `path` as IDX, gzip-compressed if the name ends in .gz, atomically."""
    path = os.fspath(path)
    array = np.asarray(array)
    code = _CODE_OF.get(array.dtype.newbyteorder("="))
    if code is None:
        known = ", ".join(d.newbyteorder("=").name for d in TYPE_CODES.values())
        raise ValueError(f"write_idx: {path}: IDX has no type for dtype {array.dtype}; it stores "
                         f"{known}; convert first, e.g. array.astype('int32')")
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    payload = header + array.astype(TYPE_CODES[code]).tobytes(order="C")
    if path.endswith(".gz"):
        payload = gzip.compress(payload, mtime=0)  # mtime=0: same array, same bytes
    atomic_write(path, payload)

