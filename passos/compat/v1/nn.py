"""tf.nn: activations, softmax and cross-entropies, dropout, conv2d, pooling, bias_add,
l2_normalize, lrn, top_k and in_top_k (conv1d, conv3d, conv2d_transpose and 3-D pooling: nn_conv);
the RNNs (dynamic_rnn, ..., rnn_cell) from rnn.py and rnn_cell.py; sampled_softmax_loss and
nce_loss from nn_sampled.py, the candidate samplers from candidate_sampling.py.

Layouts follow TF1: NHWC (or NCHW), kernels (kh, kw, C_in, C_out), strides and ksize [1, s, s, 1].

>>> import numpy as np, passos.compat.v1 as tf
>>> with tf.Graph().as_default():
...     z = tf.constant([[1.0, 2.0, 3.0]])
...     p = tf.Session().run(tf.nn.softmax(z))
>>> np.round(p, 3)
array([[0.09 , 0.245, 0.665]], dtype=float32)
"""
import types as _types

import numpy as np

from ... import arguments
from ...core.shapes import describe
from ...graph.graph import Symbol
from ...ops import activations as ac, arithmetic as ar, conv as cv, elementwise as el, nn as pn
from ...ops import matmul as mm, movement as mv, pool as pl, reduce as rd, select as sl
from . import rnn_cell as _cells, rnn_wrappers as _wrappers
from .array_ops import gather as _gather
from .framework import inputs, named, stop_gradient
from .math_ops import _called, registered as _registered
from .nn_conv import (atrous_conv2d, avg_pool3d, conv1d, conv2d_transpose, conv3d,  # noqa: F401
                      max_pool3d, spatial)
from .candidate_sampling import (log_uniform_candidate_sampler,  # noqa: F401 - tf.nn's
                                 uniform_candidate_sampler)
from .nn_dropout import dropout  # noqa: F401 - tf.nn's
from .nn_sampled import nce_loss, sampled_softmax_loss  # noqa: F401 - tf.nn's
from .rnn import bidirectional_dynamic_rnn, dynamic_rnn, static_rnn  # noqa: F401 - tf.nn's
from .rnn import static_bidirectional_rnn  # noqa: F401 - tf.nn's

globals().update(_registered("tf.nn"))  # tf.nn.sigmoid, tf.nn.tanh: as tf.sigmoid, tf.tanh


def _activation(function, default, doc):
    """tf.nn.<name>(features, name=None): `function` of one tensor (kept as `fn.op`, which
    the RNN cells look up to run it inside their op)."""
    def fn(features, name=None):
        return named(name or default, lambda: function(*inputs(features)))
    fn.op = function
    return _called(fn, default.lower(), doc)


def _log1p_exp_minus_abs(x):
    """log(1 + e^-|x|), which never overflows."""
    return el.log(ar.add(el.exp(ar.negative(el.abs(x))), 1.0))


relu = _activation(el.relu, "Relu", "max(x, 0).")
# Piecewise (`where`, strict comparisons), as TF1's kernels: the slope is 0 at both kinks of
# relu6, alpha at leaky_relu's, where clip and maximum would pass or split the gradient there.
relu6 = _activation(lambda x: ar.where(ar.less(x, 6), el.relu(x), 6), "Relu6",
                    "min(max(x, 0), 6).")
elu = _activation(pn.elu, "Elu", "x where x > 0, else e^x - 1.")
softplus = _activation(lambda x: ar.add(el.relu(x), _log1p_exp_minus_abs(x)), "Softplus",
                       "log(1 + e^x), computed without overflow.")


selu = _activation(ac.selu, "Selu", "Scaled exponential linear unit (Klambauer et al. 2017).")
softsign = _activation(ac.softsign, "Softsign", "x / (1 + |x|).")
swish = _activation(lambda x: ar.multiply(x, el.sigmoid(x)), "swish", "x * sigmoid(x).")


def leaky_relu(features, alpha=0.2, name=None):
    """x where x > 0, else alpha x."""
    def build():
        (x,) = inputs(features)
        return ar.where(ar.greater(x, 0), x, ar.multiply(x, alpha))
    return named(name or "LeakyRelu", build)


def softmax(logits, axis=None, name=None, dim=None):
    """exp(x) / sum(exp(x)) along `axis` (the last axis unless given)."""
    axis = -1 if axis is None and dim is None else (dim if axis is None else axis)
    return named(name or "Softmax", lambda: pn.softmax(*inputs(logits), axis))


def log_softmax(logits, axis=None, name=None, dim=None):
    """log(softmax(x)) along `axis` (the last axis unless given)."""
    axis = -1 if axis is None and dim is None else (dim if axis is None else axis)
    return named(name or "LogSoftmax", lambda: pn.log_softmax(*inputs(logits), axis))


def softmax_cross_entropy_with_logits_v2(_sentinel=None, labels=None, logits=None, dim=-1,
                                         name=None, axis=None):
    """-sum(labels * log_softmax(logits)) along the last axis: one loss per example; gradients
    flow into both logits and labels."""
    _keywords_only(_sentinel, "softmax_cross_entropy_with_logits_v2")
    axis = dim if axis is None else axis
    return named(name or "softmax_cross_entropy_with_logits",
                 lambda: pn.softmax_cross_entropy(*inputs(logits, labels), axis))


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1,
                                      name=None, axis=None):
    """As the _v2 version, but no gradient flows into `labels` (TF1's original)."""
    _keywords_only(_sentinel, "softmax_cross_entropy_with_logits")

    def build():
        z, y = inputs(logits, labels)
        y = stop_gradient(y) if isinstance(y, Symbol) else y
        return pn.softmax_cross_entropy(z, y, dim if axis is None else axis)
    return named(name or "softmax_cross_entropy_with_logits", build)


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None,
                                             name=None):
    """-log softmax(logits)[label] for integer class labels: one loss per example."""
    _keywords_only(_sentinel, "sparse_softmax_cross_entropy_with_logits")
    return named(name or "SparseSoftmaxCrossEntropyWithLogits",
                 lambda: pn.sparse_softmax_cross_entropy(*inputs(logits, labels)))


def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """max(x, 0) - x z + log(1 + e^-|x|): binary cross-entropy of sigmoid(logits), elementwise."""
    _keywords_only(_sentinel, "sigmoid_cross_entropy_with_logits")

    def build():
        x, z = inputs(logits, labels)
        # max(x, 0) and -|x| as TF1 builds them (x >= 0 picks a side), so that at x = 0 the
        # gradient is sigmoid(0) - z, as TF1's: a linear model starting at zero depends on it
        nonnegative = ar.greater_equal(x, 0.0)
        positive_part = ar.where(nonnegative, x, 0.0)
        negative_abs = ar.where(nonnegative, ar.negative(x), x)
        return ar.add(ar.subtract(positive_part, ar.multiply(x, z)),
                      el.log(ar.add(el.exp(negative_abs), 1.0)))
    return named(name or "logistic_loss", build)


def _keywords_only(sentinel, who):
    if sentinel is not None:
        raise ValueError(f"Only call `{who}` with named arguments (labels=..., logits=...)")


def l2_loss(t, name=None):
    """sum(t²) / 2."""
    return named(name or "L2Loss", lambda: ar.multiply(rd.sum(el.square(*inputs(t))), 0.5))


def moments(x, axes, shift=None, name=None, keep_dims=None, keepdims=None):
    """(mean, variance) of `x` over `axes`."""
    keep = bool(keepdims if keepdims is not None else keep_dims)
    (x,) = inputs(x)
    mean = named(name or "moments", lambda: rd.mean(x, list(axes), True))
    variance = rd.mean(el.square(ar.subtract(x, stop_gradient(mean))), list(axes), keep)
    return (mean if keep else rd.mean(mean, list(axes), False)), variance


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """(x - mean) / sqrt(variance + eps) * scale + offset (scale and offset may be None)."""
    def build():
        y = ar.divide(ar.subtract(*inputs(x, mean)), el.sqrt(ar.add(variance, variance_epsilon)))
        if scale is not None:
            y = ar.multiply(y, scale)
        return y if offset is None else ar.add(y, offset)
    return named(name or "batchnorm", build)


def embedding_lookup(params, ids, partition_strategy="mod", name=None):
    """Rows of `params` (a 2-D embedding matrix) for integer `ids`."""
    return _gather(params, ids, name=name or "embedding_lookup")


def xw_plus_b(x, weights, biases, name=None):
    """x @ weights + biases."""
    return named(name or "xw_plus_b", lambda: ar.add(mm.matmul(*inputs(x, weights)), biases))


_FORMATS = {"NHWC": "channels_last", "NCHW": "channels_first"}


def _spatial(values, data_format, what, op_name):
    """The two spatial entries of a 4-list (or the int / pair given directly)."""
    return spatial(values, 2, data_format, what, op_name)


def _window(strides, padding, data_format, op_name):
    """The spatial strides, the checked padding and the passos layout of a conv or pool."""
    s = _spatial(strides, data_format, "strides", op_name)
    if data_format not in _FORMATS:
        raise ValueError(f"{op_name}: data_format must be 'NHWC' or 'NCHW', got {data_format!r}")
    return s, arguments.padding(padding, op_name), _FORMATS[data_format]


def conv2d(input, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True,  # noqa: A002
           data_format="NHWC", dilations=(1, 1, 1, 1), name=None, filters=None):
    """2-D cross-correlation: input (N, H, W, C_in), filter (kh, kw, C_in, C_out), padding 'SAME' or 'VALID'."""
    kernel = filter if filter is not None else filters
    if kernel is None or strides is None or padding is None:
        raise TypeError("conv2d: input, filter, strides and padding are required")
    s, padding, layout = _window(strides, padding, data_format, "conv2d")
    d = _spatial(dilations, data_format, "dilations", "conv2d")
    return named(name or "Conv2D", lambda: cv.conv2d(*inputs(input, kernel), s, padding,
                                                     d, layout))


def _pool(function, default, value, ksize, strides, padding, data_format, name):
    k = _spatial(ksize, data_format, "ksize", default)
    s, padding, layout = _window(strides, padding, data_format, default)
    return named(name or default, lambda: function(*inputs(value), k, s, padding, layout))


def max_pool(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):  # noqa: A002
    """Largest value of each ksize window, moved by strides: [1, k, k, 1] lists, 'SAME' or 'VALID'."""
    return _pool(pl.max_pool2d, "MaxPool", value if value is not None else input, ksize, strides,
                 padding, data_format, name)


def avg_pool(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):  # noqa: A002
    """Mean of each window ('SAME' averages only the cells inside the input, as TF1)."""
    return _pool(pl.avg_pool2d, "AvgPool", value if value is not None else input, ksize, strides,
                 padding, data_format, name)


def bias_add(value, bias, data_format=None, name=None):
    """value + bias, the 1-D bias added along the channel axis (the last one, or axis 1 for NCHW)."""
    def build():
        x, b = inputs(value, bias)
        b_shape = b.shape if isinstance(b, Symbol) else np.shape(b)
        x_shape = x.shape
        channel = 1 if data_format == "NCHW" else -1
        if b_shape is not None and len(b_shape) != 1:
            raise ValueError(f"bias_add: bias must be 1-D, got shape {describe(b_shape)}")
        if x_shape is not None and b_shape is not None and x_shape[channel] is not None \
                and b_shape[0] is not None and x_shape[channel] != b_shape[0]:
            raise ValueError(f"bias_add: value of shape {describe(x_shape)} has "
                             f"{x_shape[channel]} channels but bias has {b_shape[0]} values")
        if data_format == "NCHW":
            b = mv.reshape(b, [-1] + [1] * (len(x_shape) - 2))
        return ar.add(x, b)
    return named(name or "BiasAdd", build)


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """x / sqrt(max(sum(x², axis), epsilon)): unit length along `axis` (None: all axes)."""
    axis = dim if axis is None else axis

    def build():
        (v,) = inputs(x)
        squares = rd.sum(el.square(v), None if axis is None else _axes(axis), True)
        return ar.divide(v, el.sqrt(ar.maximum(squares, epsilon)))
    return named(name or "l2_normalize", build)


def _axes(axis):
    return list(axis) if isinstance(axis, (list, tuple)) else [axis]


def local_response_normalization(input, depth_radius=5, bias=1, alpha=1, beta=0.5,  # noqa: A002
                                 name=None):
    """x / (bias + alpha * sum of x² over the 2 depth_radius + 1 channels around it) ** beta,
    along the last axis of a 4-D input (AlexNet's LRN; alpha applies to each square, not to
    their mean). The windowed sums are one product with a band of ones (depth, depth)."""
    def build():
        (x,) = inputs(input)
        if x.shape is None or len(x.shape) != 4 or x.shape[-1] is None:
            raise ValueError(f"local_response_normalization: input must be 4-D (batch, height, "
                             f"width, channels) with known channels, got shape "
                             f"{describe(x.shape)}")
        r, depth = int(depth_radius), x.shape[-1]
        if r < 0:
            raise ValueError(f"local_response_normalization: depth_radius must be >= 0, got {r}")
        c = np.arange(depth)
        band = (np.abs(c[:, None] - c[None, :]) <= r).astype(x.dtype)
        sums = mm.matmul(el.square(x), band)
        return ar.multiply(x, ar.power(ar.add(ar.multiply(sums, alpha), bias), -beta))
    return named(name or "LRN", build)


lrn = local_response_normalization


def top_k(input, k=1, sorted=True, name=None):  # noqa: A002 - TF1's names
    """(values, indices) of the k largest entries of the last axis, largest first (sorted=False
    gives the same order); values carry a gradient, the int32 indices none."""
    def build():
        return sl.top_k(*inputs(input), k)
    return named(name or "TopKV2", build)


def in_top_k(predictions, targets, k, name=None):
    """Whether targets[i] is among the k largest predictions[i] (ties at the boundary count)."""
    return named(name or "in_top_k", lambda: sl.in_top_k(*inputs(predictions, targets), k))


rnn_cell = _types.SimpleNamespace(
    RNNCell=_cells.RNNCell, BasicRNNCell=_cells.BasicRNNCell, BasicLSTMCell=_cells.BasicLSTMCell,
    LSTMCell=_cells.LSTMCell, GRUCell=_cells.GRUCell, LSTMStateTuple=_cells.LSTMStateTuple,
    MultiRNNCell=_wrappers.MultiRNNCell, DropoutWrapper=_wrappers.DropoutWrapper)
from .unsupported import module_getattr as _module_getattr  # noqa: E402 (TF1 names passos lacks)

__getattr__ = _module_getattr(__name__)
