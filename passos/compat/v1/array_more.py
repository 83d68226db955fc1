"""TF1 indexing and sequence ops: gather_nd, scatter_nd, the segment reductions, cumsum,
cumprod, boolean_mask, reverse_sequence and sequence_mask (passos.ops.scatter and
passos.ops.sequence).

>>> import passos.compat.v1 as tf
>>> with tf.Graph().as_default():
...     x = tf.placeholder(tf.float32, [None, 3])
...     tf.Session().run(tf.cumsum(x, axis=1), {x: [[1, 2, 3]]})
array([[1., 3., 6.]], dtype=float32)
"""
import numpy as np

from ...graph.graph import Symbol, get_default_graph
from ...ops import arithmetic as ar, creation as cr, elementwise as el, movement as mv
from ...ops.scatter import GatherNd, ScatterNd, Segment, _count
from ...ops.sequence import BooleanMask, CumProd, CumSum, ReverseSequence, SequenceMask
from . import dtypes
from .framework import as_array, inputs, named
from .shape_args import known_scalar, shape_arg


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
    """params at the coordinates on the last axis of `indices` (shape indices[:-1] +
    params[batch_dims + K:]); the first `batch_dims` axes are batch axes both share."""
    b = _static(batch_dims, "gather_nd", "batch_dims")
    if isinstance(b, bool) or not isinstance(b, (int, np.integer)) or b < 0:
        raise ValueError(f"gather_nd: batch_dims must be a non-negative int, got {b!r}")
    return _node(GatherNd(b), params, _ids(indices), name=name or "GatherNd")


def scatter_nd(indices, updates, shape, name=None):
    """Zeros of `shape` (ints, or an int tensor such as tf.shape(x)) with `updates` added at
    `indices` (repeated indices add)."""
    size, dims = shape_arg(shape, "scatter_nd")
    if size is None:
        return _node(ScatterNd(dims), _ids(indices), updates, name=name or "ScatterNd")
    return _node(ScatterNd(dims), _ids(indices), updates, size, name=name or "ScatterNd")


def segment_sum(data, segment_ids, name=None):
    """Sums of data's rows by sorted segment id (max(segment_ids) + 1 rows, known at run time)."""
    return _node(Segment("sum"), data, _ids(segment_ids), name=name or "SegmentSum")


def segment_max(data, segment_ids, name=None):
    """Maxima of data's rows by sorted segment id (an empty segment: 0)."""
    return _node(Segment("max"), data, _ids(segment_ids), name=name or "SegmentMax")


def segment_min(data, segment_ids, name=None):
    """Minima of data's rows by sorted segment id (an empty segment: 0)."""
    return _node(Segment("min"), data, _ids(segment_ids), name=name or "SegmentMin")


def segment_prod(data, segment_ids, name=None):
    """Products of data's rows by sorted segment id (an empty segment: 1)."""
    return _node(Segment("prod"), data, _ids(segment_ids), name=name or "SegmentProd")


def _unsorted(reduce, data, segment_ids, num_segments, name):
    who = f"unsorted_segment_{reduce}"
    n = _count(_static(num_segments, who, "num_segments"), who)
    return _node(Segment(reduce, n), data, _ids(segment_ids), name=name)


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """Sums of data's rows by segment id; negative ids are dropped."""
    return _unsorted("sum", data, segment_ids, num_segments, name or "UnsortedSegmentSum")


def unsorted_segment_max(data, segment_ids, num_segments, name=None):
    """Maxima of data's rows by segment id (an empty segment: the dtype's lowest value)."""
    return _unsorted("max", data, segment_ids, num_segments, name or "UnsortedSegmentMax")


def unsorted_segment_min(data, segment_ids, num_segments, name=None):
    """Minima of data's rows by segment id (an empty segment: the dtype's highest value)."""
    return _unsorted("min", data, segment_ids, num_segments, name or "UnsortedSegmentMin")


def unsorted_segment_prod(data, segment_ids, num_segments, name=None):
    """Products of data's rows by segment id (an empty segment: 1)."""
    return _unsorted("prod", data, segment_ids, num_segments, name or "UnsortedSegmentProd")


def _mean(op, data, segment_ids, name, root=False):
    """sum / count (root: / sqrt(count)) per segment (an empty segment: 0), a composite of the
    segment sum."""
    def build():
        x, ids = inputs(data, _ids(segment_ids))
        total = get_default_graph().add_op(op, [x, ids])
        ones = get_default_graph().add_op(op, [cr.ones_like(ids, np.dtype(x.dtype)), ids])
        count = mv.reshape(ar.maximum(ones, 1), [-1] + [1] * (len(x.shape) - len(ids.shape)))
        return ar.divide(total, el.sqrt(count) if root else count)
    return named(name, build)


def segment_mean(data, segment_ids, name=None):
    """Means of data's rows by sorted segment id (an empty segment: 0)."""
    return _mean(Segment("sum"), data, segment_ids, name or "SegmentMean")


def unsorted_segment_mean(data, segment_ids, num_segments, name=None):
    """Means of data's rows by segment id (an empty segment: 0)."""
    n = _count(_static(num_segments, "unsorted_segment_mean", "num_segments"), "unsorted_segment_mean")
    return _mean(Segment("sum", n), data, segment_ids, name or "UnsortedSegmentMean")


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None):
    """Sums of data's rows by segment id divided by the square root of each segment's count
    (an empty segment: 0)."""
    who = "unsorted_segment_sqrt_n"
    n = _count(_static(num_segments, who, "num_segments"), who)
    return _mean(Segment("sum", n), data, segment_ids, name or "UnsortedSegmentSqrtN", True)


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running sums along `axis` (exclusive: without the entry itself; reverse: from the end)."""
    axis = int(_static(axis, "cumsum", "axis"))
    return _node(CumSum(axis, exclusive, reverse), x, name=name or "Cumsum")


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running products along `axis` (exclusive: without the entry itself; reverse: from the
    end)."""
    axis = int(_static(axis, "cumprod", "axis"))
    return _node(CumProd(axis, exclusive, reverse), x, name=name or "Cumprod")


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
    """mask[..., j] = j < lengths[...], of shape lengths.shape + (maxlen,); maxlen an int, a
    scalar int tensor read when run, or None: max(lengths)."""
    to = dtypes.as_dtype(dtype).dtype
    known = None if maxlen is None else known_scalar(maxlen)
    if maxlen is None or known is not None:  # known when built: no input to run
        return _node(SequenceMask(known, to), _ids(lengths), name=name or "SequenceMask")
    if not isinstance(maxlen, Symbol):
        raise TypeError(f"sequence_mask: maxlen must be an int or a scalar int tensor, "
                        f"got {maxlen!r:.80}")
    if maxlen.dtype.kind not in "iu":
        raise TypeError(f"sequence_mask: maxlen must be an integer tensor, but '{maxlen.name}' "
                        f"has dtype {maxlen.dtype}")
    return _node(SequenceMask(known, to), _ids(lengths), maxlen, name=name or "SequenceMask")
