"""A restricted unpickler for the data files Keras publishes: it builds data and runs no code.

Keras' imdb.npz and reuters.npz hold object arrays of word-index lists, and the CIFAR python
batches are pickled dicts, so reading them needs pickle. A plain `pickle.load` calls whatever
function a file names (`os.system`, `builtins.eval`); this one admits only NumPy's array,
dtype and scalar reconstruction. Lists, dicts, tuples, ints, bytes and str need no global.

>>> import io, pickle
>>> load(io.BytesIO(pickle.dumps([[1, 2], [3]])), "example")
[[1, 2], [3]]
>>> load(io.BytesIO(pickle.dumps(print)), "example")
Traceback (most recent call last):
ValueError: example: refused to load builtins.print from a pickle; only NumPy arrays and plain \
data (lists, dicts, numbers, strings) are allowed, so the file is damaged or not what it claims
"""
import pickle

import numpy as np

# NumPy pickles arrays as _reconstruct(ndarray, ...) and scalars as scalar(dtype, bytes); the
# module is numpy.core.multiarray before NumPy 2 and numpy._core.multiarray since.
_RECONSTRUCT = np.zeros(0).__reduce__()[0]
_SCALAR = np.float64(0).__reduce__()[0]
ALLOWED = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    **{(module, "_reconstruct"): _RECONSTRUCT
       for module in ("numpy.core.multiarray", "numpy._core.multiarray")},
    **{(module, "scalar"): _SCALAR for module in ("numpy.core.multiarray", "numpy._core.multiarray")},
}

# What a damaged or hostile pickle makes the unpickler raise, besides the refusal itself.
PICKLE_ERRORS = (pickle.UnpicklingError, EOFError, ValueError, TypeError, KeyError, IndexError,
                 AttributeError, OverflowError, UnicodeDecodeError, MemoryError, RecursionError)


class _Refused(pickle.UnpicklingError):
    """A global outside ALLOWED."""


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        try:
            return ALLOWED[(module, name)]
        except KeyError:
            raise _Refused(f"{module}.{name}") from None

    def persistent_load(self, pid):
        raise _Refused(f"persistent id {pid!r:.40}")


def load(stream, who, encoding="ASCII"):
    """The object pickled in binary `stream`, built from ALLOWED globals only.

    `encoding` decodes Python 2 strings as pickle.load does ("bytes" keeps them bytes, as
    Keras reads CIFAR). Any refusal or damage is a ValueError that starts with `who`.
    """
    try:
        return _Unpickler(stream, encoding=encoding).load()
    except _Refused as refused:
        raise ValueError(f"{who}: refused to load {refused} from a pickle; only NumPy arrays and "
                         "plain data (lists, dicts, numbers, strings) are allowed, so the file is "
                         "damaged or not what it claims") from None
    except PICKLE_ERRORS as error:
        raise ValueError(f"{who}: the pickled data is damaged ({type(error).__name__}: "
                         f"{str(error)[:200]})") from None
