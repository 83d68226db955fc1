"""Checks for public arguments, run once where they enter a function, layer or op.

Each helper returns the value in one canonical form, or raises TypeError (a wrong type) or
ValueError (a wrong value) naming who was called, the argument, what it got and what is allowed:

>>> int_tuple(3, 2, "conv2d", "strides")
(3, 3)
>>> int_tuple((0, 3), 2, "Conv2D 'conv2d_1'", "kernel_size")
Traceback (most recent call last):
ValueError: Conv2D 'conv2d_1': kernel_size must be a positive integer or 2 positive integers, got (0, 3)
"""
import numpy as np


DATA_FORMATS = ("channels_last", "channels_first")
NUMERIC_KINDS = "biufc"  # bool, signed, unsigned, float, complex


class ShapeError(ValueError):
    """An op got inputs whose shapes do not fit together."""


def is_int(value):
    """True for Python and NumPy integers, not for bools (True is not a size)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def is_number(value):
    """True for Python and NumPy real numbers, not for bools."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def got(value):
    """What a caller passed, as an error shows it: the type too where the repr may mislead."""
    if is_int(value):
        return str(int(value))
    if is_number(value):
        return repr(float(value))
    if isinstance(value, np.ndarray):
        return f"an ndarray of shape {value.shape}"
    text = repr(value)
    text = text if len(text) <= 80 else text[:77] + "..."
    return f"{text} ({type(value).__name__})"


def _ints_words(minimum, plural=False):
    noun = "integers" if plural else "integer"
    words = {None: noun, 0: f"non-negative {noun}", 1: f"positive {noun}"}.get(
        minimum, f"{noun} >= {minimum}")
    return words if plural else ("an " if words[0] in "aeiou" else "a ") + words


def integer(value, who, name, minimum=1):
    """`value` as an int >= `minimum` (any int if None); NumPy ints welcome, bools and floats not."""
    if not is_int(value):
        raise TypeError(f"{who}: {name} must be {_ints_words(minimum)}, got {got(value)}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{who}: {name} must be {_ints_words(minimum)}, got {int(value)}")
    return int(value)


def positive_int(value, who, name):
    """`value` as an int >= 1: sizes, counts, batch_size, units, filters."""
    return integer(value, who, name, 1)


def _sequence(value):
    """`value` as a tuple if it is a list, tuple or 1-D array; None otherwise."""
    if isinstance(value, (tuple, list)) or isinstance(value, np.ndarray) and value.ndim == 1:
        return tuple(value)
    return None


def int_tuple(value, n, who, name, minimum=1):
    """An int or `n` ints, each >= `minimum`, as a tuple of `n` ints (kernel sizes, strides ...)."""
    values = (value,) * n if is_int(value) else _sequence(value)
    allowed = _ints_words(minimum) if n == 1 else \
        f"{_ints_words(minimum)} or {n} {_ints_words(minimum, plural=True)}"
    if values is None or not all(is_int(v) for v in values):
        raise TypeError(f"{who}: {name} must be {allowed}, got {got(value)}")
    if len(values) != n or any(v < minimum for v in values):
        raise ValueError(f"{who}: {name} must be {allowed}, got {value!r}")
    return tuple(int(v) for v in values)


def pairs(value, n, who, name):
    """One (before, after) pair of non-negative ints per axis, from Keras' padding/cropping forms.

    An int (every end), `n` ints (both ends of each axis), `n` pairs, or, for one axis, one pair.
    """
    if is_int(value):
        value_pairs = ((value, value),) * n
    else:
        parts = _sequence(value) or ()
        if n == 1 and len(parts) == 2 and all(is_int(p) for p in parts):
            parts = (parts,)
        value_pairs = tuple((p, p) if is_int(p) else _sequence(p) for p in parts)
    if len(value_pairs) != n or not all(
            p is not None and len(p) == 2 and all(is_int(v) and v >= 0 for v in p)
            for p in value_pairs):
        forms = " or one (before, after) pair" if n == 1 else \
            f", {n} of them or {n} (before, after) pairs"
        error = TypeError if not isinstance(value, (tuple, list, int, np.integer)) else ValueError
        raise error(f"{who}: {name} must be a non-negative integer{forms}, got {value!r}")
    return tuple((int(b), int(a)) for b, a in value_pairs)


def one_of(value, who, name, allowed):
    """`value` itself, after checking it is one of `allowed`."""
    if isinstance(value, str) and value in allowed:
        return value
    listed = ", ".join(repr(a) for a in allowed[:-1]) + f" or {allowed[-1]!r}"
    raise ValueError(f"{who}: {name} must be {listed}, got {value!r}")


def data_format(value, who):
    """'channels_last' (also for None, TensorFlow's default) or 'channels_first'.

    The Keras API resolves None to K.image_data_format() before it gets here.
    """
    return one_of("channels_last" if value is None else value, who, "data_format", DATA_FORMATS)


def padding(value, who, n=None):
    """'valid' or 'same' (any case); with `n` axes also explicit (before, after) pairs."""
    if isinstance(value, str) and value.lower() in ("valid", "same"):
        return value.lower()
    if n is not None and not isinstance(value, str):
        try:
            return pairs(value, n, who, "padding")
        except (TypeError, ValueError):
            pass  # the message below lists every form
    allowed = "'valid', 'same' or non-negative integers" if n is not None else "'valid' or 'same'"
    raise ValueError(f"{who}: padding must be {allowed}, got {value!r}")


def number(value, who, name, low, high, high_open=True):
    """A real number in [low, high) (or [low, high] when not `high_open`) as a float."""
    interval = f"[{low}, {high})" if high_open else f"[{low}, {high}]"
    if not is_number(value):
        raise TypeError(f"{who}: {name} must be a number in {interval}, got {got(value)}")
    if not (low <= value < high if high_open else low <= value <= high):
        raise ValueError(f"{who}: {name} must be a number in {interval}, got {got(value)}")
    return float(value)


def shape(value, who, name, minimum=1, unknown=True):
    """A shape as a tuple of ints >= `minimum` (None for an unknown size where `unknown`)."""
    dims = _sequence(value)
    allowed = f"a tuple of {_ints_words(minimum, plural=True)}" + \
        (" (None for an unknown size)" if unknown else "")
    if dims is None or not all(is_int(d) or unknown and d is None for d in dims):
        hint = f"; write ({value},) for one dimension" if is_int(value) else ""
        raise TypeError(f"{who}: {name} must be {allowed}, got {got(value)}{hint}")
    if any(d is not None and d < minimum for d in dims):
        raise ValueError(f"{who}: {name} must be {allowed}, got {value!r}")
    return tuple(None if d is None else int(d) for d in dims)


def new_shape(value, who, name, minimum=0):
    """A reshape target: an int or a sequence of ints >= `minimum`, with at most one -1."""
    dims = (value,) if is_int(value) else _sequence(value)
    allowed = f"{_ints_words(minimum, plural=True)}, with at most one -1 for a size to infer"
    if dims is None or not all(is_int(d) for d in dims):
        raise TypeError(f"{who}: {name} must be {allowed}, got {got(value)}")
    if any(d < minimum and d != -1 for d in dims):
        raise ValueError(f"{who}: {name} must be {allowed}, got {value!r}")
    if sum(d == -1 for d in dims) > 1:
        raise ShapeError(f"{who}: only one dimension of {tuple(dims)} may be -1")
    return tuple(int(d) for d in dims)


def numeric_array(value, who, name=None):
    """`value` as an ndarray of numbers (or bools); strings, objects and ragged lists refused.

    `name` says what `value` is ("x", "the value fed to ..."), else errors speak of making a tensor.
    """
    array = value
    if not isinstance(value, np.ndarray):
        try:
            array = np.asarray(value)
        except ValueError as error:  # NumPy's words for rows of different lengths
            what = f"{name} is" if name else "cannot make a tensor from"
            raise ValueError(f"{who}: {what} a ragged nested sequence "
                             f"({_ragged(value)}); give rows of one length, or a NumPy "
                             f"array") from error
    if array.dtype.kind not in NUMERIC_KINDS:
        raise TypeError(_not_numeric(array, value, who, name))
    return array


def _ragged(value):
    """Where a nested sequence stops being rectangular, for the error message."""
    level = [value]
    for depth in range(32):
        lengths = {len(v) if isinstance(v, (list, tuple, np.ndarray)) else None for v in level}
        if None in lengths and len(lengths) > 1:
            return f"numbers mixed with lists at nesting level {depth}"
        if len(lengths) > 1:
            shown = ", ".join(map(str, sorted(lengths)[:6]))
            return f"lists of lengths {shown} at nesting level {depth}"
        level = [item for v in level if isinstance(v, (list, tuple, np.ndarray)) for item in v]
        if not level:
            break
    return "rows of different lengths"


def _not_numeric(array, value, who, name):
    kind = array.dtype.kind
    if kind in "US":
        sample = array.flat[0] if array.size else ""
        text = repr(str(sample) if kind == "U" else bytes(sample))[:40]
        what = f"{name} holds strings ({text}), not numbers" if name else \
            f"cannot make a tensor of strings ({text})"
        return f"{who}: {what}; convert text to numbers first (e.g. map each label to an integer)"
    if kind == "O" and array.ndim == 0:
        what = f"{name} is" if name else "cannot make a tensor from"
        data = "None" if value is None else f"{type(value).__name__} data: {value!r:.80}"
        return f"{who}: {what} {data}; give numbers, lists of numbers or arrays"
    if kind == "O":
        odd = next((v for v in array.flat if not isinstance(v, (int, float, complex, np.number))),
                   array.flat[0])
        what = f"{name} holds" if name else "cannot make a tensor from"
        return (f"{who}: {what} {type(odd).__name__} values ({odd!r:.40}) among its numbers; "
                f"give only numbers")
    what = f"{name} has" if name else "cannot make a tensor of"
    return f"{who}: {what} dtype {array.dtype}; give numbers (int, float or bool)"
