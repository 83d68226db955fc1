"""`broadcast_variables`: give every process root's weights (one broadcast per dtype)."""
import numpy as np

from . import comm


def _arrays(model_or_vars):
    """The weight arrays of a Keras model, or of a list of tensors or arrays, to overwrite."""
    items = getattr(model_or_vars, "weights", model_or_vars)
    if isinstance(items, np.ndarray) or not hasattr(items, "__iter__"):
        items = [items]
    arrays = []
    for item in items:
        array = item if isinstance(item, np.ndarray) else getattr(item, "data", item)
        if not isinstance(array, np.ndarray):
            raise TypeError(f"broadcast_variables: expected a Keras model or a list of tensors, "
                            f"variables or NumPy arrays, got {type(item).__name__}")
        arrays.append(array)
    return arrays


def broadcast_variables(model_or_vars, root=0):
    """Overwrite, in place, each weight of a model (or each tensor or array of a list) with
    process `root`'s values, so every process starts from the same weights."""
    arrays = _arrays(model_or_vars)
    by_dtype = {}
    for array in arrays:
        by_dtype.setdefault(array.dtype, []).append(array)
    for dtype, group in by_dtype.items():
        flat = np.concatenate([a.ravel() for a in group]) if group else np.empty(0, dtype)
        comm.broadcast_(flat, root, f"broadcast of the {dtype} variables "
                                    f"({flat.size:,} values from rank {root})")
        start = 0
        for array in group:
            array[...] = flat[start:start + array.size].reshape(array.shape)
            start += array.size
