"""TF1 indexing and sequence ops: gather_nd, scatter_nd, the segment reductions, cumsum,
boolean_mask, reverse_sequence and sequence_mask (passos.ops.scatter and passos.ops.sequence).

>>> import passos.compat.v1 as tf
>>> with tf.Graph().as_default():
...     x = tf.placeholder(tf.float32, [None, 3])
...     tf.Session().run(tf.cumsum(x, axis=1), {x: [[1, 2, 3]]})
array([[1., 3., 6.]], dtype=float32)
"""
import numpy as np

from ...graph.graph import Symbol, get_default_graph
from ...ops import arithmetic as ar, creation as cr, movement as mv
from ...ops.scatter import GatherNd, ScatterNd, Segment, _count
from ...ops.sequence import BooleanMask, CumSum, ReverseSequence, SequenceMask
from . import dtypes
from .framework import as_array, inputs, named


def _node(op, *xs, name):
    return get_default_graph().add_op(op, list(inputs(*xs)), name=name)


def _ids(value):
    """Index arguments: Python lists become int32 constants, never the params' dtype."""
    return value if isinstance(value, Symbol) else as_array(value)


def _static(value, who, what):
    if isinstance(value, Symbol):
        raise ValueError(f"{who}: {what} must be known when the graph is built (Python ints), "
                         f"got the tensor {value.name}")
    return value


def gather_nd(params, indices, name=None, batch_dims=0):
    """params at the coordinates on the last axis of `indices` (shape indices[:-1] + params[K:])."""
    if batch_dims:
        raise NotImplementedError("gather_nd: passos supports batch_dims=0 only")
    return _node(GatherNd(), params, _ids(indices), name=name or "GatherNd")


def scatter_nd(indices, updates, shape, name=None):
    """Zeros of `shape` with `updates` added at `indices` (repeated indices add)."""
    dims = [int(d) for d in as_array(_static(shape, "scatter_nd", "shape")).ravel()]
    return _node(ScatterNd(dims), _ids(indices), updates, name=name or "ScatterNd")


def segment_sum(data, segment_ids, name=None):
    """Sums of data's rows by sorted segment id (max(segment_ids) + 1 rows, known at run time)."""
    return _node(Segment("sum"), data, _ids(segment_ids), name=name or "SegmentSum")


def segment_max(data, segment_ids, name=None):
    """Maxima of data's rows by sorted segment id (an empty segment: 0)."""
    return _node(Segment("max"), data, _ids(segment_ids), name=name or "SegmentMax")


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """Sums of data's rows by segment id; negative ids are dropped."""
    n = _count(_static(num_segments, "unsorted_segment_sum", "num_segments"), "unsorted_segment_sum")
    return _node(Segment("sum", n), data, _ids(segment_ids), name=name or "UnsortedSegmentSum")


def unsorted_segment_max(data, segment_ids, num_segments, name=None):
    """Maxima of data's rows by segment id (an empty segment: the dtype's lowest value)."""
    n = _count(_static(num_segments, "unsorted_segment_max", "num_segments"), "unsorted_segment_max")
    return _node(Segment("max", n), data, _ids(segment_ids), name=name or "UnsortedSegmentMax")


def _mean(op, data, segment_ids, name):
    """sum / count per segment (an empty segment: 0), a composite of the segment sum."""
    def build():
        x, ids = inputs(data, _ids(segment_ids))
        total = get_default_graph().add_op(op, [x, ids])
        ones = get_default_graph().add_op(op, [cr.ones_like(ids, np.dtype(x.dtype)), ids])
        count = mv.reshape(ar.maximum(ones, 1), [-1] + [1] * (len(x.shape) - len(ids.shape)))
        return ar.divide(total, count)
    return named(name, build)


def segment_mean(data, segment_ids, name=None):
    """Means of data's rows by sorted segment id (an empty segment: 0)."""
    return _mean(Segment("sum"), data, segment_ids, name or "SegmentMean")


def unsorted_segment_mean(data, segment_ids, num_segments, name=None):
    """Means of data's rows by segment id (an empty segment: 0)."""
    n = _count(_static(num_segments, "unsorted_segment_mean", "num_segments"), "unsorted_segment_mean")
    return _mean(Segment("sum", n), data, segment_ids, name or "UnsortedSegmentMean")


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running sums along `axis` (exclusive: without the entry itself; reverse: from the end)."""
    axis = int(_static(axis, "cumsum", "axis"))
    return _node(CumSum(axis, exclusive, reverse), x, name=name or "Cumsum")


def boolean_mask(tensor, mask, name="boolean_mask", axis=None):
    """tensor's entries where the bool `mask` is true; the masked axes become one of unknown size."""
    (x,) = inputs(tensor)
    a = 0 if axis is None else int(_static(axis, "boolean_mask", "axis"))
    a = a + len(x.shape) if a < 0 else a
    m = mask if isinstance(mask, Symbol) else as_array(mask, dtypes.bool)
    return _node(BooleanMask(a), x, m, name=name or "boolean_mask")


def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None, name=None,  # noqa: A002
                     seq_dim=None, batch_dim=None):
    """Each batch entry's first seq_lengths[b] steps along seq_axis reversed, the rest kept."""
    (x,) = inputs(input)
    rank = len(x.shape)
    s = seq_axis if seq_axis is not None else seq_dim
    b = batch_axis if batch_axis is not None else batch_dim
    if s is None:
        raise ValueError("reverse_sequence: give seq_axis")
    s, b = int(s) % rank, int(b or 0) % rank
    return _node(ReverseSequence(s, b), x, _ids(seq_lengths), name=name or "ReverseSequence")


def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool, name=None):
    """mask[..., j] = j < lengths[...], of shape lengths.shape + (maxlen,) (None: max(lengths))."""
    maxlen = None if maxlen is None else int(_static(maxlen, "sequence_mask", "maxlen"))
    op = SequenceMask(maxlen, dtypes.as_dtype(dtype).dtype)
    return _node(op, _ids(lengths), name=name or "SequenceMask")
