"""TF1 math: elementwise arithmetic, reductions, comparisons, casts, clipping; every function takes name=.

Semantics follow TF1: `divide` of integers gives floats, `floordiv` (//) floors; reduce_mean of
integers stays integer; argmax uses axis 0 by default; float32 times a Python float is float32.

>>> import passos.compat.v1 as tf
>>> with tf.Graph().as_default():
...     x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
...     tf.Session().run([tf.reduce_sum(x, axis=1), tf.argmax(x), tf.constant(7) // 2])
[array([3., 7.], dtype=float32), array([1, 1]), np.int32(3)]
"""
import functools

import numpy as np

from ...core import registry
from ...core.op import ElementwiseOp
from ...core.shapes import describe
from ...graph.graph import Symbol, get_default_graph
from ...ops import arithmetic as ar, elementwise as el, matmul as mm, movement as mv
from ...ops import einsum as es, reduce as rd
from . import dtypes
from .framework import inputs, name_scope, named, stop_gradient


def _unary(passos_fn, default, doc, public=None):
    """tf.<public>(x, name=None): `passos_fn` of x in a node named `default` unless name= says."""
    def fn(x, name=None):
        return named(name or default, lambda: passos_fn(*inputs(x)))
    return _called(fn, public or default.lower(), doc)


def _binary(passos_fn, default, doc, public=None):
    """tf.<public>(x, y, name=None), as `_unary`."""
    def fn(x, y, name=None):
        return named(name or default, lambda: passos_fn(*inputs(x, y)))
    return _called(fn, public or default.lower(), doc)


def _called(fn, name, doc):
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


class _Elementwise(ElementwiseOp):
    """A NumPy ufunc without a gradient (floor, round, //, %, logical operators ...)."""

    differentiable = False

    def __init__(self, kind, ufunc, to=None):
        self.kind, self.ufunc, self.to = kind, ufunc, to

    def attrs(self):
        return {}

    def forward(self, *xs):
        return self.ufunc(*xs)

    def dtype(self, *dtypes_):
        return self.to or np.result_type(*dtypes_)


def _apply(op, *xs):
    return get_default_graph().add_op(op, xs)


def _no_grad(kind, ufunc, default, doc, to=None, arity=1):
    op = _Elementwise(kind, ufunc, to)
    return (_unary if arity == 1 else _binary)(lambda *xs: _apply(op, *xs), default, doc)


def wrap(entry):
    """tf.<name>: the passos function registered for TF1 (same name and inputs), with name=."""
    function = entry.function
    arity = function.__code__.co_argcount - len(function.__defaults__ or ())
    if arity not in (1, 2):
        raise TypeError(f"{entry.name}: registered for TF1 with {arity} inputs; passos.compat.v1 "
                        "wraps functions of one or two tensors")
    return (_unary if arity == 1 else _binary)(function, entry.tf, function.__doc__, entry.name)


# tf.add, tf.exp, tf.sigmoid ...: the registered passos functions (passos.core.registry)
REGISTERED = {e.name: wrap(e) for e in registry.entries() if e.tf is not None}


def registered(space):
    """{name: TF1 function} of the passos functions registered in `space` ("tf", "tf.nn" ...)."""
    return {e.name: REGISTERED[e.name] for e in registry.entries(space)}


globals().update(REGISTERED)
truediv = REGISTERED["divide"]
floordiv = _no_grad("floordiv", np.floor_divide, "floordiv", "x // y, rounded down.", arity=2)
floormod = mod = _no_grad("floormod", np.mod, "FloorMod", "x % y, with the sign of y.", arity=2)
pow = _binary(ar.power, "Pow", "x ** y, elementwise.")  # noqa: A001 - the TF1 name
logical_and = _no_grad("logical_and", np.logical_and, "LogicalAnd", "x and y.", bool, 2)
logical_or = _no_grad("logical_or", np.logical_or, "LogicalOr", "x or y.", bool, 2)
logical_xor = _no_grad("logical_xor", np.logical_xor, "LogicalXor", "x xor y.", bool, 2)
logical_not = _no_grad("logical_not", np.logical_not, "LogicalNot", "not x.", bool)
floor = _no_grad("floor", np.floor, "Floor", "Largest integer not above x (no gradient).")
ceil = _no_grad("ceil", np.ceil, "Ceil", "Smallest integer not below x (no gradient).")
round = _no_grad("round", np.round, "Round", "x rounded, halves to even (no gradient).")  # noqa: A001
sign = _no_grad("sign", np.sign, "Sign", "-1, 0 or 1 (no gradient).")
reciprocal = _unary(lambda x: ar.divide(1.0, x), "Reciprocal", "1 / x.")
rsqrt = _unary(lambda x: ar.divide(1.0, el.sqrt(x)), "Rsqrt", "1 / sqrt(x).")
log1p = _unary(lambda x: el.log(ar.add(x, 1.0)), "Log1p", "log(1 + x).")
squared_difference = _binary(lambda x, y: el.square(ar.subtract(x, y)), "SquaredDifference",
                             "(x - y)², elementwise.", "squared_difference")


def div(x, y, name=None):
    """TF1's Python-2 division: floor division for integers, true division for floats."""
    x, y = inputs(x, y)
    kinds = {np.asarray(v).dtype.kind if not isinstance(v, Symbol) else v.dtype.kind
             for v in (x, y) if not isinstance(v, (int, float))}
    return (floordiv if kinds <= set("iu") else truediv)(x, y, name=name)


def add_n(inputs_, name=None):
    """The sum of a list of same-shaped tensors."""
    return named(name or "AddN",
                 lambda: functools.reduce(ar.add, inputs(inputs_[0]) + list(inputs_[1:])))


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, name=None):
    """Matrix product a @ b (batched over leading axes), optionally transposing either."""
    def build():
        x, y = inputs(a, b)
        if transpose_a or adjoint_a:
            x = _swap_last(x)
        if transpose_b or adjoint_b:
            y = _swap_last(y)
        return mm.matmul(x, y)
    return named(name or "MatMul", build)


def _swap_last(x):
    ndim = len(x.shape) if isinstance(x, Symbol) else np.ndim(x)
    return mv.transpose(x, tuple(range(ndim - 2)) + (ndim - 1, ndim - 2))


def cast(x, dtype, name=None):
    """x converted to `dtype` (floats to integers round toward zero)."""
    return named(name or "Cast", lambda: el.cast(*inputs(x), dtypes.as_dtype(dtype).dtype))


def to_float(x, name=None):
    return cast(x, dtypes.float32, name or "ToFloat")


def to_int32(x, name=None):
    return cast(x, dtypes.int32, name or "ToInt32")


def to_int64(x, name=None):
    return cast(x, dtypes.int64, name or "ToInt64")


def _axis(axis, reduction_indices):
    axis = reduction_indices if axis is None else axis
    return list(axis) if isinstance(axis, (list, tuple)) else axis


def _reduction(passos_fn, default, doc, integer_mean=False, public=None):
    def fn(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
           keep_dims=None):
        keep = bool(keepdims if keepdims is not None else keep_dims)
        where = _axis(axis, reduction_indices)

        def build():
            (x,) = inputs(input_tensor)
            y = passos_fn(x, where, keep)
            if integer_mean and x.dtype.kind in "iu":  # TF1: the mean of integers is an integer
                y = el.cast(y, x.dtype)
            return y
        return named(name or default, build)
    return _called(fn, public or "reduce_" + default.lower(), doc)


class _BoolReduction(rd.Reduction):
    differentiable = False

    def __init__(self, kind, axis, keepdims):
        super().__init__(axis, keepdims)
        self.kind = kind

    def forward(self, x):
        return (np.any if self.kind == "any" else np.all)(x, axis=self.axis, keepdims=self.keepdims)

    def dtype(self, x):
        return np.dtype(bool)


reduce_sum = _reduction(rd.sum, "Sum", "Sum over `axis` (None: all axes).")
reduce_mean = _reduction(rd.mean, "Mean", "Mean over `axis`; integer inputs give integers (TF1).",
                         integer_mean=True)
reduce_max = _reduction(rd.max, "Max", "Largest value over `axis`.")
reduce_min = _reduction(rd.min, "Min", "Smallest value over `axis`.")
reduce_any = _reduction(lambda x, a, k: _apply(_BoolReduction("any", a, k), x), "Any",
                        "True where any value over `axis` is true.")
reduce_all = _reduction(lambda x, a, k: _apply(_BoolReduction("all", a, k), x), "All",
                        "True where all values over `axis` are true.")


def _logsumexp(x, axis, keep):
    top = stop_gradient(rd.max(x, axis, True))
    out = ar.add(el.log(rd.sum(el.exp(ar.subtract(x, top)), axis, True)), top)
    if keep:
        return out
    axes = range(len(x.shape)) if axis is None else [a % len(x.shape) for a in np.atleast_1d(axis)]
    return mv.reshape(out, [-1 if d is None else d for i, d in enumerate(x.shape) if i not in axes])


reduce_logsumexp = _reduction(_logsumexp, "ReduceLogSumExp", "log(sum(exp(x))) over `axis`, "
                              "shifted by the maximum so it never overflows.",
                              public="reduce_logsumexp")


def count_nonzero(input_tensor, axis=None, keepdims=None, dtype=dtypes.int64, name=None,
                  reduction_indices=None, keep_dims=None):
    """How many values over `axis` are not zero."""
    def build():
        (x,) = inputs(input_tensor)
        return el.cast(rd.sum(ar.not_equal(x, 0), _axis(axis, reduction_indices),
                              bool(keepdims or keep_dims)), dtypes.as_dtype(dtype).dtype)
    return named(name or "count_nonzero", build)


def _index(passos_fn, default, doc):
    def fn(input, axis=None, name=None, dimension=None, output_type=dtypes.int64):  # noqa: A002
        axis = dimension if axis is None else axis

        def build():
            y = passos_fn(*inputs(input), 0 if axis is None else axis)
            to = dtypes.as_dtype(output_type).dtype
            return y if y.dtype == to else el.cast(y, to)
        return named(name or default, build)
    return _called(fn, default.lower(), doc)


argmax = _index(rd.argmax, "ArgMax", "Index of the largest value along `axis` (axis 0 when not "
                "given, as in TF1).")
argmin = _index(rd.argmin, "ArgMin", "Index of the smallest value along `axis` (axis 0 when not "
                "given, as in TF1).")



def arg_max(input, dimension, name=None, output_type=dtypes.int64):  # noqa: A002
    """TF1's older name of argmax(input, axis=dimension)."""
    return argmax(input, dimension, name=name, output_type=output_type)


def arg_min(input, dimension, name=None, output_type=dtypes.int64):  # noqa: A002
    """TF1's older name of argmin(input, axis=dimension)."""
    return argmin(input, dimension, name=name, output_type=output_type)


def tensordot(a, b, axes, name=None):
    """Sum of a * b over a's axes[0] paired with b's axes[1] (axes = n: a's last n with b's
    first n), as one matrix product of the two reshaped operands: a's free axes, then b's.
    The contracted sizes must be known; one free size may be unknown (a batch)."""
    def build():
        x, y = inputs(a, b)
        if x.shape is None or y.shape is None:
            raise ValueError("tensordot: needs operands of known rank")
        x_axes, y_axes = _paired_axes(axes, x.ndim, y.ndim)
        for i, j in zip(x_axes, y_axes):
            if x.shape[i] is None or x.shape[i] != y.shape[j]:
                raise ValueError(f"tensordot: axis {i} of a {describe(x.shape)} has size "
                                 f"{x.shape[i]} but axis {j} of b {describe(y.shape)} has "
                                 f"{y.shape[j]}; contracted sizes must be known and equal")
        x_free = [i for i in range(x.ndim) if i not in x_axes]
        y_free = [i for i in range(y.ndim) if i not in y_axes]
        out = [x.shape[i] for i in x_free] + [y.shape[i] for i in y_free]
        if out.count(None) > 1:
            raise ValueError(f"tensordot: at most one free axis may have an unknown size, got "
                             f"a {describe(x.shape)} and b {describe(y.shape)}")
        size = int(np.prod([x.shape[i] for i in x_axes], dtype=np.int64))
        left = mv.reshape(mv.transpose(x, x_free + x_axes), (-1, size))
        right = mv.reshape(mv.transpose(y, y_axes + y_free), (size, -1))
        return mv.reshape(mm.matmul(left, right), [-1 if d is None else d for d in out])
    return named(name or "Tensordot", build)


def einsum(equation, *inputs_, **kwargs):
    """Einstein summation (numpy.einsum's rules): tf.einsum("ij,jk->ik", a, b) is a @ b."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"einsum: unexpected keyword argument(s) {sorted(kwargs)}")
    return named(name or "einsum", lambda: es.einsum(equation, *inputs(*inputs_)))


def _paired_axes(axes, rank_a, rank_b):
    """([a's contracted axes], [b's]) from an int n or a pair of lists, each checked."""
    if isinstance(axes, (int, np.integer)):
        if not 0 <= axes <= min(rank_a, rank_b):
            raise ValueError(f"tensordot: axes = {axes} needs a and b of at least that rank, "
                             f"got ranks {rank_a} and {rank_b}")
        return list(range(rank_a - axes, rank_a)), list(range(axes))
    try:
        x_axes, y_axes = ([int(i)] if np.ndim(i) == 0 else [int(j) for j in i] for i in axes)
    except (TypeError, ValueError):
        raise ValueError(f"tensordot: axes must be an int or a pair of axis lists, "
                         f"got {axes!r}") from None
    if len(x_axes) != len(y_axes):
        raise ValueError(f"tensordot: axes pairs {x_axes} of a with {y_axes} of b; give as "
                         f"many of each")
    return [i % rank_a for i in x_axes], [j % rank_b for j in y_axes]


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """t limited to [clip_value_min, clip_value_max]."""
    def build():
        (x,) = inputs(t)
        if all(isinstance(v, (int, float, np.number)) for v in (clip_value_min, clip_value_max)):
            return ar.clip(x, clip_value_min, clip_value_max)
        return ar.maximum(ar.minimum(x, clip_value_max), clip_value_min)
    return named(name or "clip_by_value", build)


def global_norm(t_list, name=None):
    """sqrt of the sum of squares of all values in the tensors of `t_list` (None entries skipped)."""
    return named(name or "global_norm", lambda: el.sqrt(functools.reduce(
        ar.add, [rd.sum(el.square(t)) for t in t_list if t is not None])))


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """t scaled down so that its L2 norm (over `axes`) is at most `clip_norm`."""
    def build():
        (x,) = inputs(t)
        norm = el.sqrt(rd.sum(el.square(x), axes, True))
        return ar.divide(ar.multiply(x, clip_norm), ar.maximum(norm, clip_norm))
    return named(name or "clip_by_norm", build)


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """(t_list scaled by clip_norm / max(global_norm, clip_norm), global_norm)."""
    norm = use_norm if use_norm is not None else global_norm(t_list)
    with name_scope(name, "clip_by_global_norm"):
        scale = ar.divide(clip_norm, ar.maximum(norm, clip_norm))
        clipped = [None if t is None else ar.multiply(t, scale) for t in t_list]
    return clipped, norm
