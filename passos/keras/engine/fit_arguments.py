"""Checks of the arguments of fit, evaluate, predict and *_on_batch, run once per call."""
import numpy as np

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


def arrays(value, names, who, what, empty_ok=False):
    """`value` as one ndarray per model input or output, in order.

    `names` name the model's inputs (what='x') or outputs; `value` is one array (a model
    with one of them), a list in order, or a dict keyed by name (Keras' forms).
    """
    count = len(names)
    role = "input" if what == "x" else "output"
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(names))
        missing = [name for name in names if name not in value]
        if unknown or missing:
            raise ValueError(f"{who}: the dict {what} has keys {sorted(value)}, but the model's "
                             f"{role}s are {names}"
                             + (f"; no array for {missing}" if missing else "")
                             + (f"; unknown {unknown}" if unknown else ""))
        items = [value[name] for name in names]
    elif isinstance(value, (list, tuple)) and count > 1:
        if len(value) != count:
            raise ValueError(f"{who}: the model has {count} {role}s {names}, but {what} is a "
                             f"list of {len(value)} array(s); pass one array per {role}, in "
                             f"that order, or a dict keyed by {role} names")
        items = list(value)
    elif count > 1:
        raise ValueError(f"{who}: the model has {count} {role}s {names}, but {what} is a single "
                         f"array of shape {describe(_shape(value))}; pass a list of {count} "
                         f"arrays or a dict keyed by {role} names")
    elif isinstance(value, (list, tuple)) and len(value) == 1 and hasattr(value[0], "shape"):
        items = list(value)  # [x] for a one-input model, as Keras accepts
    else:
        items = [value]
    labels = [what if count == 1 else f"{what} for {role} '{name}'" for name in names]
    if what == "y":
        return [targets(item, who, label) for item, label in zip(items, labels)]
    return [samples(item, who, label, empty_ok) for item, label in zip(items, labels)]


def same_length(labelled, who):
    """The number of samples, the same in every array of `labelled` ((label, array) pairs)."""
    (first, reference), *rest = labelled
    for label, array in rest:
        if len(array) != len(reference):
            raise ValueError(f"{who}: {first} has {len(reference)} samples but {label} has "
                             f"{len(array)}; they must match")
    return len(reference)


def _shape(value):
    try:
        return np.shape(value)
    except ValueError:  # a ragged list
        return (len(value),)


def sample_weights(names, ys, sample_weight, class_weight, who):
    """One float32 weight per sample for each output (sample_weight times class_weight), or
    None when neither is given. For several outputs each is a list or a dict by output name."""
    if sample_weight is None and class_weight is None:
        return None
    given = [_optional(sample_weight, names, who, "sample_weight"),
             _optional(class_weight, names, who, "class_weight")]
    weights = []
    for name, y, sample, classes in zip(names, ys, *given):
        label = "sample_weight" if len(names) == 1 else f"sample_weight for output '{name}'"
        w = np.ones(len(y), np.float32) if sample is None else \
            samples(sample, who, label).astype(np.float32).reshape(-1)
        if len(w) != len(y):
            raise ValueError(f"{who}: {label} has {len(w)} values for {len(y)} samples")
        if classes is not None:
            labels = y.reshape(len(y), -1).argmax(-1) if y.ndim > 1 and y.shape[-1] > 1 \
                else y.reshape(-1).astype(np.int64)
            w = w * np.array([classes.get(int(c), 1.0) for c in labels], np.float32)
        weights.append(w)
    return weights


def _optional(value, names, who, what):
    """`value` per output: None for all, as is for one output, else a list or dict by name."""
    if value is None or len(names) == 1:
        return [value] * len(names)
    if isinstance(value, dict) and set(value) <= set(names):
        return [value.get(name) for name in names]
    if isinstance(value, (list, tuple)) and len(value) == len(names):
        return list(value)
    raise ValueError(f"{who}: the model has {len(names)} outputs {names}, so {what} must be a "
                     f"list of {len(names)} (None where unweighted) or a dict keyed by output "
                     f"names, got {arguments.got(value)}")
