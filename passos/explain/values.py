"""How explain shows numbers: JSON summaries and short text forms of arrays.

Small arrays (at most SMALL elements) are shown in full; larger ones by their shape and
min / mean / max, so a trace of a real network stays readable.
"""
import math

import numpy as np

SMALL = 16


def _number(v):
    """A JSON-safe Python number: non-finite floats become "nan", "inf" or "-inf"."""
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    v = float(v)
    return v if math.isfinite(v) else str(v)  # "nan", "inf" or "-inf"


def _nested(array):
    if array.ndim == 0:
        return _number(array.item())
    return [_nested(part) for part in array]


def summary(value):
    """{"shape", "values"} for at most 16 elements, else {"shape", "min", "mean", "max"}.

    >>> summary([[1.0, 2.0]])
    {'shape': [1, 2], 'values': [[1.0, 2.0]]}
    >>> summary(np.arange(20.0))
    {'shape': [20], 'min': 0.0, 'mean': 9.5, 'max': 19.0}
    """
    if value is None:
        return None
    array = np.asarray(value)
    shape = [int(d) for d in array.shape]
    if array.dtype.kind not in "biuf":
        return {"shape": shape, "values": str(array.tolist())}
    if array.size <= SMALL:
        return {"shape": shape, "values": _nested(array)}
    data = array.astype(np.float64)
    return {"shape": shape, "min": _number(data.min()), "mean": _number(data.mean()),
            "max": _number(data.max())}


def fmt_number(v, digits=4):
    """A number in at most `digits` significant digits, integers without a decimal point."""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    v = float(v)
    if math.isfinite(v) and v == int(v) and abs(v) < 1e9:
        return str(int(v))
    return f"{v:.{digits}g}"


def fmt_value(value, digits=4):
    """Text form of an array: nested brackets when small, else shape and min/mean/max.

    >>> fmt_value([[0.65, 1.19], [0.69, -0.92]])
    '[[0.65, 1.19], [0.69, -0.92]]'
    >>> fmt_value(np.zeros((4, 8)))
    'shape (4, 8): min 0, mean 0, max 0'
    """
    if value is None:
        return "-"
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        return str(array.tolist())
    if array.size <= SMALL:
        return _text(array, digits)
    data = array.astype(np.float64)
    dims = ", ".join(str(d) for d in array.shape)
    return (f"shape ({dims}): min {fmt_number(data.min(), digits)}, "
            f"mean {fmt_number(data.mean(), digits)}, max {fmt_number(data.max(), digits)}")


def _text(array, digits):
    if array.ndim == 0:
        return fmt_number(array.item(), digits)
    return "[" + ", ".join(_text(part, digits) for part in array) + "]"
