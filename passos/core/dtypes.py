"""Dtype rules: float data defaults to float32, as in PyTorch and Keras."""
import numpy as np

from ..arguments import numeric_array

DEFAULT_FLOAT = np.dtype(np.float32)
_NAMES = {"float": DEFAULT_FLOAT, "int": np.dtype(np.int64)}


def as_dtype(dtype):
    """A NumPy dtype from a dtype, a name ("float64") or a NumPy type."""
    if dtype is None:
        return None
    dtype = getattr(dtype, "as_numpy_dtype", dtype)  # TF-style dtype objects
    try:
        return _NAMES.get(dtype) or np.dtype(dtype)
    except TypeError:
        raise TypeError(f"unknown dtype {dtype!r}; use e.g. 'float32', 'float64', 'int64', 'bool'") from None


def as_array(data, dtype=None, who="tensor"):
    """An ndarray of numbers from `data`; Python floats and lists become float32 unless `dtype` says.

    Strings, objects and ragged lists are refused (a TypeError or ValueError);
    the data is checked before any `dtype` cast, so "1.5" never becomes 1.5;
    the errors name `who`, the op or function that was given the data.
    """
    dtype = as_dtype(dtype)
    array = numeric_array(data, who)
    if dtype is not None:
        return array.astype(dtype, copy=False)
    if array.dtype == np.float64 and not isinstance(data, (np.ndarray, np.generic)):
        return array.astype(DEFAULT_FLOAT)
    return array
