"""Safe files: passos never leaves one half-written, and reads untrusted ones within bounds.

`atomic_write(path, content)` writes a temporary file in the same folder, flushes it to disk
(fsync), then renames it over `path`: a reader, or a program started after a crash or a kill,
sees the old file or the whole new one. A killed write leaves only its temporary file; the next
write to the same path removes the temporaries of processes that no longer run.

>>> import os, tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     path = os.path.join(folder, "notes.txt")
...     atomic_write(path, "first")
...     atomic_write(path, lambda file: file.write(b"second"))
...     open(path).read(), os.listdir(folder)
('second', ['notes.txt'])

Reading, `read_up_to` takes a stream's bytes a chunk at a time up to a checked header's size,
and `SafeNpz` reads an .npz's numeric entries, header first, without pickle: damaged or hostile
files cost little memory and raise ValueError, never zipfile's, zlib's or numpy's own errors.
"""
import collections
import contextlib
import glob
import io
import math
import os
import secrets
import struct
import sys
import tokenize
import zipfile
import zlib

import numpy as np

try:
    from lzma import LZMAError
except ImportError:  # without lzma, zipfile refuses LZMA entries with NotImplementedError
    LZMAError = zlib.error

_SUFFIX = ".tmp"


def atomic_write(path, content):
    """Replace `path` with `content` (bytes, str as UTF-8, or a function writing to a binary file).

    The file gets the permissions a plain open() would give (0666 less the umask).
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot write '{path}': the folder '{folder}' does not exist; "
                                "create it first (os.makedirs) or choose another path")
    remove_stale_temporaries(path)
    temporary = _temporary_name(path)
    try:
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb") as file:
            if callable(content):
                content(file)
            else:
                file.write(content.encode("utf-8") if isinstance(content, str) else content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    _sync_folder(folder)


def _temporary_name(path):
    """'.name.<pid>-<random>.tmp' beside `path`: the pid says whose it is once its writer died."""
    folder, name = os.path.split(os.path.abspath(path))
    return os.path.join(folder, f".{name}.{os.getpid()}-{secrets.token_hex(4)}{_SUFFIX}")


def remove_stale_temporaries(path):
    """Remove the temporaries that killed writes to `path` left behind (their process is gone)."""
    folder, name = os.path.split(os.path.abspath(path))
    pattern = os.path.join(glob.escape(folder), f".{glob.escape(name)}.*{_SUFFIX}")
    for temporary in glob.glob(pattern):
        owner = os.path.basename(temporary)[len(name) + 2:-len(_SUFFIX)].partition("-")[0]
        if owner.isdigit() and not _running(int(owner)):
            with contextlib.suppress(FileNotFoundError):  # another writer removed it first
                os.remove(temporary)


def _running(pid):
    if pid == os.getpid():
        return True  # another thread of ours may be writing it now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def _sync_folder(folder):
    """Flush the rename itself to disk, where the system lets a folder be opened (POSIX)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(handle)
    finally:
        os.close(handle)


# -- Reading untrusted files: bounded reads, every content error a ValueError ------------------

# What damaged or hostile bytes make Python's gzip, zlib, zipfile and struct raise.
DAMAGED_FILE_ERRORS = (zipfile.BadZipFile, zlib.error, LZMAError, EOFError, OSError,
                       RuntimeError, NotImplementedError, struct.error, UnicodeDecodeError,
                       OverflowError, RecursionError)
_CHUNK = 1 << 20
_NPY_MAGIC = b"\x93NUMPY"
_NPY_MAX_HEADER = 10000  # numpy's own limit for a header it will parse
_NUMERIC_KINDS = "biuf"  # bool, signed and unsigned integers, floats
NUMPY_MAX_NDIM = 64 if int(np.__version__.split(".")[0]) >= 2 else 32  # NPY_MAXDIMS


def read_up_to(stream, size):
    """Up to `size` bytes from `stream` (fewer at its end), read 1 MiB at a time.

    Memory follows the bytes that arrive, not a header's promise; zip and gzip inflate only those.
    """
    data = bytearray()
    while len(data) < size:
        chunk = stream.read(min(_CHUNK, size - len(data)))
        if not chunk:
            break
        data += chunk
    return data


class NpyHeader(collections.namedtuple("NpyHeader", "shape dtype fortran_order offset nbytes")):
    """An .npy entry's header: shape, dtype, order, where its data starts, its size in bytes."""


class SafeNpz:
    """The .npy entries of an .npz (zip) file, read without pickle and only as large as promised.

    Every problem with the content is a ValueError starting with `who` and the path (a missing
    file stays an OSError). A caller checks each header before any data is inflated:

    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "a.npz")
    ...     np.savez(path, w=np.arange(3.0))
    ...     with SafeNpz(path, "example") as npz:
    ...         header = npz.header("w")
    ...         npz.names, header.shape, npz.read("w", header)
    (['w'], (3,), array([0., 1., 2.]))
    """

    def __init__(self, path, who):
        self.path, self.who = os.fspath(path), who
        self._file = open(self.path, "rb")
        try:
            self._zip = zipfile.ZipFile(self._file)
            self._infos = {info.filename[:-4]: info for info in self._zip.infolist()
                           if info.filename.endswith(".npy")}
        except DAMAGED_FILE_ERRORS as error:
            self._file.close()
            raise ValueError(f"{who}: {self.path} is not a readable .npz (zip) file "
                             f"({type(error).__name__}: {error}); it is damaged, truncated or "
                             f"not a checkpoint; save it again") from None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._zip.close()
        self._file.close()

    @property
    def names(self):
        """The entries' names (their .npy member names without the suffix), sorted."""
        return sorted(self._infos)

    def _fail(self, name, problem):
        return ValueError(f"{self.who}: {self.path}: entry '{name}' {problem}")

    def header(self, name):
        """The checked NpyHeader of entry `name`: a numeric dtype, no pickle, sizes that agree."""
        info = self._infos[name]
        encrypted = info.flag_bits & 1
        if encrypted or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise self._fail(name, f"is encrypted or compressed with zip method "
                                  f"{info.compress_type}; numpy.savez writes only stored or "
                                  "deflated entries")
        with self._open(name) as member:
            header = read_npy_header(member, lambda problem: self._fail(name, problem))
        if info.file_size != header.offset + header.nbytes:
            raise self._fail(name, f"holds {info.file_size - header.offset} data bytes but its "
                                  f"header's shape {header.shape} of {header.dtype} needs "
                                  f"{header.nbytes}; the file is damaged")
        return header

    def read(self, name, header):
        """The array of entry `name`, whose `header` the caller checked; no more bytes than that."""
        with self._open(name) as member:
            return read_npy_array(member, header, lambda problem: self._fail(name, problem))

    @contextlib.contextmanager
    def _open(self, name):
        try:
            member = self._zip.open(self._infos[name])
        except DAMAGED_FILE_ERRORS as error:
            raise self._fail(name, f"cannot be opened ({type(error).__name__}: {error}); the file "
                                  "is damaged") from None
        with member:
            yield member


def read_npy_header(member, fail):
    """The checked NpyHeader at the start of `member`, an open .npy stream (a zip entry).

    Reads at most the header's bounded declared length (numpy's reader inflates any length a
    header declares); refuses non-numeric dtypes (pickle), negative sizes and more dimensions
    than NumPy holds. `fail(problem)` makes the caller's exception from a text.
    """
    magic = _npy_bytes(member, 8, fail)
    if magic[:6] != _NPY_MAGIC or magic[6:8] not in (b"\x01\x00", b"\x02\x00"):
        raise fail(f"does not start with an .npy version 1 or 2 header (got {magic!r})")
    width = 2 if magic[6] == 1 else 4
    length_bytes = _npy_bytes(member, width, fail)
    length = int.from_bytes(length_bytes, "little")
    if len(length_bytes) < width or length > _NPY_MAX_HEADER:
        raise fail(f"has an .npy header of {length} bytes; at most {_NPY_MAX_HEADER} are allowed")
    reader = np.lib.format.read_array_header_1_0 if width == 2 else np.lib.format.read_array_header_2_0
    text = _npy_bytes(member, length, fail)
    try:
        shape, fortran_order, dtype = reader(io.BytesIO(length_bytes + text))
    except (ValueError, TypeError, SyntaxError, tokenize.TokenError, RecursionError,
            MemoryError) as error:  # what numpy's header parser (tokenize, ast) raises
        raise fail(f"has a damaged .npy header ({type(error).__name__}: {error})") from None
    if dtype.hasobject or dtype.kind not in _NUMERIC_KINDS:
        raise fail(f"holds dtype {dtype}, not numbers (bool, int or float); Python objects "
                   "would need pickle, which passos never loads")
    if len(shape) > NUMPY_MAX_NDIM or any(d < 0 for d in shape):
        raise fail(f"has shape {shape}: negative dimensions or more than NumPy's {NUMPY_MAX_NDIM}")
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > sys.maxsize:
        raise fail(f"has shape {shape} of {dtype}: {nbytes} bytes, more than NumPy can hold")
    return NpyHeader(shape, dtype, fortran_order, 8 + width + length, nbytes)


def read_npy_array(member, header, fail):
    """The array that `header` (read_npy_header's, checked by the caller) describes.

    `member` is the entry reopened; exactly header.nbytes are taken, then one more read checks the CRC.
    """
    try:
        read_up_to(member, header.offset)
        data = read_up_to(member, header.nbytes)
        extra = member.read(1)
    except MemoryError:
        raise fail(f"needs {header.nbytes} bytes, more memory than is free") from None
    except DAMAGED_FILE_ERRORS as error:
        raise fail(f"is damaged ({type(error).__name__}: {error})") from None
    if len(data) != header.nbytes or extra:
        fewer = "fewer" if len(data) < header.nbytes else "more"
        raise fail(f"has {fewer} data bytes than its header's {header.nbytes}; the file is damaged")
    order = "F" if header.fortran_order else "C"
    return np.frombuffer(data, dtype=header.dtype).reshape(header.shape, order=order)


def _npy_bytes(member, size, fail):
    try:
        return bytes(read_up_to(member, size))
    except DAMAGED_FILE_ERRORS as error:
        raise fail(f"is damaged ({type(error).__name__}: {error})") from None
