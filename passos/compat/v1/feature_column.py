"""tf.feature_column: describe each input feature, then `input_layer` turns a features dict into
one (batch, width) float32 tensor for a model's first layer.

>>> import numpy as np, passos.compat.v1 as tf
>>> with tf.Graph().as_default():
...     columns = [tf.feature_column.numeric_column("x", shape=(2,)),
...                tf.feature_column.numeric_column("age")]
...     net = tf.feature_column.input_layer(
...         {"x": np.ones((3, 2), "float32"), "age": np.zeros(3, "float32")}, columns)
...     with tf.Session() as sess:
...         sess.run(net).tolist()  # columns sorted by name: age, then x
[[0.0, 1.0, 1.0], [0.0, 1.0, 1.0], [0.0, 1.0, 1.0]]
"""
import math
from collections import namedtuple

from . import dtypes
from .array_ops import concat, one_hot, reshape
from .framework import convert_to_tensor, name_scope
from .math_ops import cast


class NumericColumn(namedtuple("NumericColumn", "key shape default_value dtype normalizer_fn")):
    """A real-valued feature of a fixed `shape` per example."""

    name = property(lambda self: self.key)
    width = property(lambda self: math.prod(self.shape))

    def dense(self, features):
        x = cast(_feature(features, self.key), dtypes.float32)
        if self.normalizer_fn is not None:
            x = self.normalizer_fn(x)
        return reshape(x, [-1, self.width])


class IdentityColumn(namedtuple("IdentityColumn", "key num_buckets default_value")):
    """An integer feature whose values are themselves the category ids, in [0, num_buckets)."""

    name = property(lambda self: self.key)


class IndicatorColumn(namedtuple("IndicatorColumn", "categorical_column")):
    """A categorical column as a one-hot vector (an id out of range: a row of zeros)."""

    name = property(lambda self: f"{self.categorical_column.name}_indicator")
    width = property(lambda self: self.categorical_column.num_buckets)

    def dense(self, features):
        column = self.categorical_column
        ids = reshape(cast(_feature(features, column.key), dtypes.int64), [-1])
        return one_hot(ids, column.num_buckets, dtype=dtypes.float32)


def numeric_column(key, shape=(1,), default_value=None, dtype=dtypes.float32, normalizer_fn=None):
    """A column of real values read from features[key]; each example holds `shape` numbers."""
    _check_key(key, "numeric_column")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if not shape or not all(isinstance(d, int) and d > 0 for d in shape):
        raise ValueError(f"numeric_column '{key}': shape dimensions must be positive integers, "
                         f"given {shape}")
    dtype = dtypes.as_dtype(dtype)
    if not (dtype.is_floating or dtype.is_integer):
        raise ValueError(f"numeric_column '{key}': dtype must be convertible to float, given "
                         f"{dtype.name}")
    if normalizer_fn is not None and not callable(normalizer_fn):
        raise TypeError(f"numeric_column '{key}': normalizer_fn must be a callable, given "
                        f"{normalizer_fn!r:.60}")
    return NumericColumn(key, shape, default_value, dtype, normalizer_fn)


def categorical_column_with_identity(key, num_buckets, default_value=None):
    """A categorical column whose integer values are the ids (0 ... num_buckets - 1)."""
    _check_key(key, "categorical_column_with_identity")
    if not isinstance(num_buckets, int) or num_buckets < 1:
        raise ValueError(f"categorical_column_with_identity '{key}': num_buckets must be a "
                         f"positive integer, given {num_buckets!r}")
    if default_value is not None:
        raise NotImplementedError("categorical_column_with_identity: default_value is not "
                                  "supported in passos; ids out of range give a row of zeros")
    return IdentityColumn(key, num_buckets, default_value)


def indicator_column(categorical_column):
    """A one-hot (batch, num_buckets) representation of `categorical_column`, for dense models."""
    if not isinstance(categorical_column, IdentityColumn):
        raise TypeError("indicator_column expects a categorical column (from "
                        f"categorical_column_with_identity), given {categorical_column!r:.80}")
    return IndicatorColumn(categorical_column)


def input_layer(features, feature_columns, weight_collections=None, trainable=True,
                cols_to_vars=None, cols_to_output_tensors=None):
    """The columns of `features` (a dict of tensors) concatenated: (batch, total width), float32.

    The columns are taken in the order of their names, as TF1 does, whatever order is given.
    """
    columns = (list(feature_columns) if isinstance(feature_columns, (list, tuple))
               else [feature_columns])
    if not columns:
        raise ValueError("input_layer: feature_columns must not be empty")
    for column in columns:
        if not hasattr(column, "dense"):
            raise ValueError("input_layer: items of feature_columns must be dense columns "
                             "(numeric_column, indicator_column); wrap a categorical column in "
                             f"indicator_column. Given: {column!r:.80}")
    if not isinstance(features, dict):
        raise ValueError("input_layer: features must be a dict {feature name: tensor}, given "
                         f"{type(features).__name__}")
    with name_scope("input_layer"):
        outputs = []
        for column in sorted(columns, key=lambda c: c.name):
            with name_scope(column.name):
                outputs.append(column.dense(features))
                if cols_to_output_tensors is not None:
                    cols_to_output_tensors[column] = outputs[-1]
        return concat(outputs, axis=1)


def _feature(features, key):
    if key not in features:
        raise ValueError(f"The feature '{key}' of a feature column is not in the features: "
                         f"{sorted(features)}")
    return convert_to_tensor(features[key])


def _check_key(key, who):
    if not isinstance(key, str) or not key:
        raise ValueError(f"{who}: key must be a non-empty string, given {key!r:.60}")
