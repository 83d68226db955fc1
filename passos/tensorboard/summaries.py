"""Summary protobufs from arrays: scalar values, histograms (HistogramProto) and PNG images.

>>> h = histogram_proto([1.0, 2.0, 2.0, 3.0])
>>> (h.num, h.min, h.max, h.sum, h.sum_squares)
(4.0, 1.0, 3.0, 8.0, 18.0)
>>> int(sum(h.bucket))
4
"""
import functools
import sys

import numpy as np
from tensorboard.compat.proto import summary_pb2

from .png import encode_png

_DBL_MAX = sys.float_info.max
_DATAFORMATS = ("HW", "HWC", "CHW")


def as_array(value):
    """A NumPy view of an eager tensor, a list or an array (graph symbols are refused)."""
    if hasattr(value, "graph") and not isinstance(value, np.ndarray):
        raise TypeError(f"'{getattr(value, 'name', value)}' is a graph symbol; run it in a "
                        "Session first and pass the value (or use passos.compat.v1.summary)")
    return np.asarray(getattr(value, "data", value))


def scalar_value(tag, value):
    """A Summary.Value holding one number."""
    array = as_array(value)
    if array.size != 1:
        raise ValueError(f"scalar '{tag}': expected a single number, got shape {array.shape}; "
                         "reduce it first (e.g. .mean()) or log it with add_histogram")
    return summary_pb2.Summary.Value(tag=tag, simple_value=float(array.reshape(())))


@functools.lru_cache(maxsize=1)
def tensorflow_bucket_limits():
    """TensorFlow's default histogram limits: +-1e-12 growing by 10% to +-1e20, 0 and +-DBL_MAX."""
    positive = [1e-12]
    while positive[-1] * 1.1 < 1e20:
        positive.append(positive[-1] * 1.1)
    positive.append(_DBL_MAX)
    return np.array([-v for v in reversed(positive)] + [0.0] + positive)


def histogram_proto(values, bins="tensorflow", tag="histogram"):
    """A HistogramProto of `values` (any shape, flattened).

    bins='tensorflow' uses TensorFlow's exponential buckets (empty runs collapsed as TF writes
    them); anything np.histogram accepts ('auto', a count, edges) gives right-edge limits.
    """
    x = as_array(values).astype(np.float64).ravel()
    if np.isnan(x).any():
        raise ValueError(f"histogram '{tag}': the values contain NaN; TensorBoard cannot "
                         "draw them (check the model for divergence)")
    if x.size == 0:
        return summary_pb2.HistogramProto(num=0, bucket_limit=[_DBL_MAX], bucket=[0])
    if isinstance(bins, str) and bins == "tensorflow":
        limits = tensorflow_bucket_limits()
        index = np.minimum(np.searchsorted(limits, x, side="right"), len(limits) - 1)
        counts = np.bincount(index, minlength=len(limits))
        # as TensorFlow's EncodeToProto: a run of empty buckets becomes its last bucket
        keep = (counts != 0) | np.append(counts[1:] != 0, True)
        limits, counts = limits[keep], counts[keep]
    else:
        if not np.isfinite(x).all():
            raise ValueError(f"histogram '{tag}': the values contain inf; use "
                             "bins='tensorflow', which has buckets up to +-DBL_MAX")
        counts, edges = np.histogram(x, bins=bins)
        limits = edges[1:]
    return summary_pb2.HistogramProto(
        min=float(x.min()), max=float(x.max()), num=float(x.size), sum=float(x.sum()),
        sum_squares=float(np.dot(x, x)), bucket_limit=limits.tolist(),
        bucket=counts.astype(np.float64).tolist())


def image_hwc(image, dataformats="HWC", tag="image"):
    """`image` (HW, HWC or CHW; floats in [0, 1] or uint8) as uint8 (H, W, C)."""
    array = as_array(image)
    dataformats = dataformats.upper()
    if dataformats not in _DATAFORMATS:
        raise ValueError(f"image '{tag}': dataformats must be one of {_DATAFORMATS}, "
                         f"got {dataformats!r}")
    if array.ndim == 2:
        array = array[:, :, None]
    elif array.ndim != 3 or dataformats == "HW":
        raise ValueError(f"image '{tag}': dataformats={dataformats!r} does not fit an array "
                         f"of shape {array.shape}; give HW, HWC or CHW images")
    elif dataformats == "CHW":
        array = array.transpose(1, 2, 0)
    if array.shape[2] not in (1, 2, 3, 4):
        raise ValueError(f"image '{tag}': expected 1 (grey), 3 (RGB) or 4 (RGBA) channels, "
                         f"got shape {array.shape} read as {dataformats}; pass "
                         "dataformats='CHW' for channels-first images")
    if array.dtype == np.uint8:
        return array
    if array.dtype == np.bool_:
        return array.astype(np.uint8) * 255
    if array.dtype.kind == "f":
        if not np.isfinite(array).all():
            raise ValueError(f"image '{tag}': the pixels contain NaN or inf")
        return (np.clip(array, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    return np.clip(array, 0, 255).astype(np.uint8)


def image_proto(image, dataformats="HWC", tag="image"):
    """A Summary.Image (PNG-encoded) of one image."""
    pixels = image_hwc(image, dataformats, tag)
    height, width, channels = pixels.shape
    return summary_pb2.Summary.Image(height=height, width=width, colorspace=channels,
                                     encoded_image_string=encode_png(pixels))
