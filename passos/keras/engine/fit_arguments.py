"""Checks of the arguments of fit, evaluate, predict and *_on_batch, run once per call."""
from ... import arguments
from ...core.shapes import describe
from ...core.tensor import Tensor

DEFAULT_BATCH_SIZE = 32  # Keras' batch size when none is given


def batch_size(value, who):
    """`value` as a positive int; None means 32, as in Keras."""
    return DEFAULT_BATCH_SIZE if value is None else arguments.positive_int(value, who, "batch_size")


def samples(value, who, name, empty_ok=False):
    """`value` (array-like or tensor) as an ndarray of numbers with a batch axis."""
    array = arguments.numeric_array(value.data if isinstance(value, Tensor) else value, who, name)
    if array.ndim == 0:
        raise ValueError(f"{who}: {name} must have a batch axis (one row per sample), got the "
                         f"single value {array.item()!r}; wrap it, e.g. [[value]]")
    if len(array) == 0 and not empty_ok:
        raise ValueError(f"{who}: {name} has no samples (shape {describe(array.shape)}); pass "
                         f"at least one sample")
    return array


def targets(value, who, name="y"):
    """The targets `value` as samples; None refused, since every passos loss needs targets."""
    if value is None:
        raise TypeError(f"{who}: {name} is None, but the loss needs targets; pass them, "
                        f"e.g. model.{who.split()[0]}(x, y)")
    return samples(value, who, name)


def validation_parts(data):
    """(x, y, sample_weight or None) from fit's validation_data."""
    expected = "fit: validation_data must be a tuple (x_val, y_val) or (x_val, y_val, sample_weight_val)"
    if not isinstance(data, (tuple, list)):
        raise TypeError(f"{expected}, got {arguments.got(data)}")
    if len(data) not in (2, 3):
        raise ValueError(f"{expected}, got a {type(data).__name__} of {len(data)} "
                         f"item{'s' * (len(data) != 1)}")
    return data[0], data[1], data[2] if len(data) == 3 else None


def split_point(count, validation_split):
    """Where Keras splits `count` samples for `validation_split`, once both parts are non-empty."""
    fraction = arguments.number(validation_split, "fit", "validation_split", 0, 1)
    split = int(count * (1 - fraction))
    if split == 0 or split == count:
        empty, train = ("training", 0) if split == 0 else ("validation", count)
        raise ValueError(f"fit: validation_split={validation_split} leaves no {empty} samples "
                         f"({train} of {count} to train on); use a "
                         f"{'smaller' if split == 0 else 'larger'} validation_split or more "
                         f"samples")
    return split
