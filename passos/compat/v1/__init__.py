"""TensorFlow 1's graph API on passos: `import passos.compat.v1 as tf` and TF1 code runs.

Build a graph of placeholders, variables and ops, then run it in a Session:

>>> import numpy as np
>>> import passos.compat.v1 as tf
>>> graph = tf.Graph()
>>> with graph.as_default():
...     x = tf.placeholder(shape=[10, 1], dtype="float32")
...     W1 = tf.get_variable(initializer=np.zeros([4, 10], "float32"))
...     h = tf.sigmoid(tf.matmul(W1, x))
...     W2 = tf.get_variable(initializer=np.zeros([2, 4], "float32"))
...     yhat = tf.nn.softmax(tf.matmul(W2, h))
...     init = tf.global_variables_initializer()
>>> with tf.Session(graph=graph) as sess:
...     _ = sess.run(init)
...     sess.run(yhat, feed_dict={x: np.ones([10, 1])}).ravel().tolist()
[1.0, 1.0]

(The softmax runs over the last axis, of size 1 here, as in TensorFlow.) Modules: tf.nn,
tf.losses, tf.train, tf.dtypes, tf.data, tf.errors, tf.io, tf.gfile, tf.estimator, tf.feature_column,
tf.logging, tf.image, tf.flags, tf.app, and tf.summary where passos.tensorboard is installed.
"""
import sys as _sys
import types as _types

from ...graph import Symbol as _Symbol
from ...graph.graph import get_default_graph, group
from . import dtypes, extensions as _extensions, losses, math_ops as _math_ops, nn, train
from . import random_ops as _random_ops
from . import app, contrib, data, errors, flags, gfile, image, io, layers, metrics
from .array_ops import (concat, expand_dims, eye, fill, gather, linspace, one_hot, ones, ones_like,
                        pad, range, rank, reshape, reverse, shape, size, slice, split, squeeze,
                        stack, tile, transpose, unstack, where, zeros, zeros_like)
from .array_more import (boolean_mask, cumprod, cumsum, gather_nd, reverse_sequence, scatter_nd,
                         segment_max, segment_mean, segment_min, segment_prod, segment_sum,
                         sequence_mask, unsorted_segment_max, unsorted_segment_mean,
                         unsorted_segment_min, unsorted_segment_prod, unsorted_segment_sqrt_n,
                         unsorted_segment_sum)
from .cond import case, cond
from .control_ops import control_dependencies, tuple
from .dtypes import (DType, as_dtype, bool, double, float16, float32, float64, half, int8, int16,
                     int32, int64, uint8, uint16)
from .framework import (Graph, GraphKeys, TensorShape, add_to_collection, constant,
                        convert_to_tensor, get_collection, get_collection_ref, global_variables,
                        identity, name_scope, local_variables, reset_default_graph, stop_gradient,
                        trainable_variables)
from .init_ops import (constant_initializer, glorot_normal_initializer, glorot_uniform_initializer,
                       ones_initializer, orthogonal_initializer, random_normal_initializer,
                       random_uniform_initializer, truncated_normal_initializer,
                       variance_scaling_initializer, zeros_initializer)
from .math_ops import (add_n, arg_max, arg_min, argmax, argmin, cast, ceil, clip_by_global_norm, clip_by_norm,
                       clip_by_value, count_nonzero, div, einsum, floor, floordiv, floormod,
                       global_norm,
                       log1p, logical_and, logical_not, logical_or, logical_xor, matmul, mod, pow,
                       reciprocal, reduce_all, reduce_any, reduce_logsumexp, reduce_max,
                       reduce_mean, reduce_min, reduce_sum, round, rsqrt, sign,
                       squared_difference, tensordot, to_float, to_int32, to_int64, truediv)
from .random_ops import (multinomial, random_normal, random_uniform, set_random_seed,
                         truncated_normal)
from .session import (ConfigProto, GPUOptions, InteractiveSession, RunMetadata, RunOptions,
                      Session, device, get_default_session)
from .train import gradients
from .unsupported import error as _missing_name
from .variables import (AUTO_REUSE, Variable, VariableScope, assign, assign_add, assign_sub,
                        get_variable, get_variable_scope, global_variables_initializer,
                        initialize_all_variables, local_variables_initializer, placeholder,
                        placeholder_with_default, variable_scope, variables_initializer)
from .while_loop import while_loop
from .logging_ops import Print
from .script_ops import numpy_function, py_func

# tf.add, tf.exp, tf.math.sigmoid ...: the passos functions registered for TF1 (core.registry)
globals().update(_math_ops.registered("tf"))
math = _types.SimpleNamespace(**_math_ops.registered("tf.math"), **{n: globals()[n] for n in (
    "add_n", "argmax", "argmin", "ceil", "count_nonzero", "floor", "floordiv", "floormod",
    "log1p", "logical_and", "logical_not", "logical_or", "logical_xor", "pow", "reciprocal",
    "reduce_all", "reduce_any", "reduce_logsumexp", "reduce_max", "reduce_mean", "reduce_min",
    "reduce_sum", "round", "rsqrt", "sign", "squared_difference", "truediv", "cumsum", "cumprod",
    "segment_max", "segment_mean", "segment_min", "segment_prod", "segment_sum",
    "unsorted_segment_max", "unsorted_segment_mean", "unsorted_segment_min",
    "unsorted_segment_prod", "unsorted_segment_sqrt_n", "unsorted_segment_sum")},
    softmax=nn.softmax, log_softmax=nn.log_softmax, l2_normalize=nn.l2_normalize,
    top_k=nn.top_k, in_top_k=nn.in_top_k, tensordot=tensordot, einsum=einsum)
random = _types.SimpleNamespace(normal=random_normal, uniform=random_uniform,
                                truncated_normal=truncated_normal, set_random_seed=set_random_seed,
                                categorical=_random_ops.categorical, multinomial=multinomial,
                                log_uniform_candidate_sampler=nn.log_uniform_candidate_sampler,
                                uniform_candidate_sampler=nn.uniform_candidate_sampler)
initializers = _types.SimpleNamespace(
    zeros=zeros_initializer, ones=ones_initializer, constant=constant_initializer,
    random_normal=random_normal_initializer, random_uniform=random_uniform_initializer,
    truncated_normal=truncated_normal_initializer, glorot_uniform=glorot_uniform_initializer,
    glorot_normal=glorot_normal_initializer, variance_scaling=variance_scaling_initializer,
    orthogonal=orthogonal_initializer, global_variables=global_variables_initializer,
    variables=variables_initializer)

__version__ = VERSION = "1.15.0"  # the TensorFlow API version this module follows
Tensor = Operation = _Symbol
newaxis = None
sub, mul, neg = subtract, multiply, negative  # TF 0.x names still found in course material

_extensions.register()
if not isinstance(get_default_graph(), Graph) and not get_default_graph().nodes:
    try:  # the untouched initial default graph becomes TF1's, so its tensors read 'x:0'
        reset_default_graph()
    except RuntimeError:  # imported inside a graph.as_default() block: that graph stays
        pass

from . import estimator, feature_column, tf_logging as logging  # noqa: E402 (they use the above)


def no_op(name=None):
    """An operation that does nothing."""
    return group(name=name or "NoOp")


def disable_eager_execution():
    """Nothing to do: passos.compat.v1 always builds graphs."""


def disable_v2_behavior():
    """Nothing to do: passos.compat.v1 is TensorFlow 1 behaviour."""


def executing_eagerly():
    return False


def __getattr__(name):
    """tf.summary, imported on first use (it lives with passos.tensorboard); tf.keras: passos.keras;
    for other names a helpful error (passos.compat.v1.unsupported)."""
    if name == "keras":
        import importlib
        globals()["keras"] = importlib.import_module("passos.keras")
        return globals()["keras"]
    if name == "summary":
        import importlib
        try:
            module = importlib.import_module(f"{__name__}.summary")
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.summary":
                raise
            raise AttributeError("tf.summary is not available: passos.compat.v1.summary "
                                 "(with passos.tensorboard) is not installed") from None
        globals()["summary"] = module
        return module
    raise _missing_name(__name__, name, _sys._getframe(1))
