"""NumPy helpers with Keras 2's names."""
import numpy as np


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot rows from integer class labels: shape (n,) or (n, 1) -> (n, num_classes).

    >>> to_categorical([0, 2], 3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    y = np.asarray(y)
    if y.ndim > 1 and y.shape[-1] == 1:
        y = y.reshape(y.shape[:-1])
    if y.size and (not np.issubdtype(y.dtype, np.integer) and not np.all(y == np.round(y))):
        raise ValueError("to_categorical: labels must be whole numbers (class indices)")
    y = y.astype(np.int64)
    if y.size and y.min() < 0:
        raise ValueError(f"to_categorical: labels must be >= 0, got {int(y.min())}")
    top = int(y.max()) + 1 if y.size else 0
    num_classes = top if num_classes is None else int(num_classes)
    if top > num_classes:
        raise ValueError(f"to_categorical: label {top - 1} does not fit num_classes={num_classes}")
    out = np.zeros(y.shape + (num_classes,), dtype)
    np.put_along_axis(out, y[..., None], 1, axis=-1)
    return out
