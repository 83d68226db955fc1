"""Nested elements of tf.data: tuples, namedtuples and dicts of components, flattened and rebuilt.

A Python list is a tensor to TensorFlow, not a structure: only tuples and dicts nest.
Dict keys are visited in sorted order, as tf.nest does.
"""
import numpy as np

from ....graph import Symbol
from ..dtypes import as_dtype
from ..framework import TensorShape, as_array


def flatten(structure):
    """The components of `structure`, in order."""
    if isinstance(structure, dict):
        return [c for key in sorted(structure) for c in flatten(structure[key])]
    if isinstance(structure, tuple):
        return [c for item in structure for c in flatten(item)]
    return [structure]


def flatten_up_to(template, structure, who):
    """`structure`'s parts at the leaves of `template` (shapes, themselves tuples, stay whole)."""
    if isinstance(template, dict):
        if not isinstance(structure, dict) or set(structure) != set(template):
            raise ValueError(f"{who}: {structure!r:.80} does not match the structure {template!r:.80}")
        return [c for key in sorted(template) for c in flatten_up_to(template[key], structure[key], who)]
    if isinstance(template, tuple):
        if not isinstance(structure, (tuple, list)) or len(structure) != len(template):
            raise ValueError(f"{who}: {structure!r:.80} does not match the structure {template!r:.80}")
        return [c for t, part in zip(template, structure) for c in flatten_up_to(t, part, who)]
    return [structure]


def static_shape(shape):
    """A shape as tf.data keeps it: a tuple with None for unknown sizes, or None (any rank)."""
    if shape is None:
        return None
    return tuple(None if d is None or d == -1 else int(d) for d in shape)


def pack(template, components):
    """`components` (a flat sequence) arranged like `template`."""
    items = iter(components)
    packed = _pack(template, items)
    if next(items, None) is not None:
        raise ValueError(f"tf.data: more components than the structure {template!r:.80} holds")
    return packed


def _pack(template, items):
    if isinstance(template, dict):
        values = {key: _pack(template[key], items) for key in sorted(template)}
        return {key: values[key] for key in template}
    if isinstance(template, tuple):
        values = [_pack(item, items) for item in template]
        return type(template)(*values) if hasattr(template, "_fields") else tuple(values)
    return next(items)


def component(value, who):
    """A leaf as tf.data keeps it: a graph symbol, or a NumPy array converted as TF1 converts."""
    if isinstance(value, Symbol):
        return value
    try:
        return as_array(value)
    except TypeError as error:
        raise TypeError(f"{who}: {error}") from None


def spec(value):
    """(shape, dtype) of a component; None in the shape where it is known only at run time."""
    if isinstance(value, Symbol):
        return (None if value.shape is None else tuple(value.shape)), np.dtype(value.dtype)
    return tuple(np.shape(value)), np.asarray(value).dtype


def compatible(shape, target):
    """Whether `shape` fits `target` (None: any size, or any rank for a whole shape)."""
    if shape is None or target is None:
        return True
    return len(shape) == len(target) and all(
        a is None or b is None or a == b for a, b in zip(shape, target))


def numpy_dtype(dtype):
    """The NumPy dtype of a TF1 dtype, NumPy type or name."""
    return as_dtype(dtype).dtype


class Structured:
    """TF1's element properties of what has `_template` (the nesting) and `_specs` ((shape,
    dtype) per component): datasets and iterators."""

    @property
    def output_types(self):
        """TF1 DTypes, nested as the elements are."""
        return pack(self._template, [as_dtype(d) for _, d in self._specs])

    @property
    def output_shapes(self):
        """TensorShapes (None for an unknown rank), nested as the elements are."""
        return pack(self._template, [None if s is None else TensorShape(s) for s, _ in self._specs])
