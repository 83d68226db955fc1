"""Dtype rules: float data defaults to float32, as in PyTorch and Keras."""
import numpy as np

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


def as_array(data, dtype=None):
    """An ndarray from `data`; Python floats and lists become float32 unless `dtype` says."""
    dtype = as_dtype(dtype)
    if dtype is not None:
        return np.asarray(data, dtype=dtype)
    array = np.asarray(data)
    if array.dtype == np.float64 and not isinstance(data, (np.ndarray, np.generic)):
        return array.astype(DEFAULT_FLOAT)
    if array.dtype == object:
        raise TypeError(f"cannot make a tensor from {type(data).__name__} data: {data!r:.80}")
    return array
