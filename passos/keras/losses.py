"""Keras losses: each maps (y_true, y_pred) to one value per sample.

From a softmax (or sigmoid) output the loss is computed from the logits instead, fused
and numerically stable as in Keras' backends: log(softmax) never underflows to -inf.
"""
import numpy as np

from ..graph.graph import Symbol
from ..ops import arithmetic as ar, elementwise as el, nn, reduce as rd
from ..ops.creation import arange
from ..ops.activations import softplus
from ..ops.movement import reshape

EPSILON = 1e-7


def logits_of(y_pred, op_type):
    """The input of the `op_type` op (softmax, sigmoid) that produced y_pred, if it did."""
    if isinstance(y_pred, Symbol):
        node, op = y_pred, y_pred.primitive
    else:  # an eager result: the autodiff node that made it
        node = getattr(y_pred, "_node", None)
        op = getattr(node, "op", None)
    if not isinstance(op, op_type):
        return None
    last = len(y_pred.shape) - 1 if y_pred.shape is not None else -2
    return node.inputs[0] if getattr(op, "axis", -1) in (-1, last) else None


def categorical_crossentropy(y_true, y_pred):
    """-sum(y_true * log(y_pred)) over the last axis; y_true one-hot (or soft) rows."""
    logits = logits_of(y_pred, nn.Softmax)
    if logits is not None:
        return nn.softmax_cross_entropy(logits, y_true)
    y_pred = y_pred / rd.sum(y_pred, axis=-1, keepdims=True)
    y_pred = ar.clip(y_pred, EPSILON, 1 - EPSILON)
    return -rd.sum(y_true * el.log(y_pred), axis=-1)


def sparse_categorical_crossentropy(y_true, y_pred):
    """-log(y_pred[label]) with integer labels of shape (batch,) or (batch, 1)."""
    inner = tuple(y_pred.shape[1:-1])  # labels (batch, ...) or (batch, ..., 1) -> (batch, ...)
    labels = reshape(y_true, (-1,) + inner) if None not in inner else y_true
    logits = logits_of(y_pred, nn.Softmax)
    if logits is not None:
        return nn.sparse_softmax_cross_entropy(logits, labels)
    classes = y_pred.shape[-1]
    one_hot = el.cast(ar.equal(reshape(labels, (-1,) + inner + (1,)), arange(classes)),
                      y_pred.dtype)
    return categorical_crossentropy(one_hot, y_pred)  # Keras 2 renormalises and clips


def binary_crossentropy(y_true, y_pred):
    """Mean over the last axis of -(y log p + (1 - y) log(1 - p))."""
    logits = logits_of(y_pred, el.Sigmoid)
    if logits is not None:  # max(z, 0) - z y + log(1 + e^-|z|), stable for any z
        # -|z| written as z - 2 max(z, 0): the kinks cancel, so the gradient at z = 0 is 0.5 - y
        relu = el.relu(logits)
        per_value = relu - logits * y_true + el.log(1 + el.exp(logits - 2 * relu))
    else:
        p = ar.clip(y_pred, EPSILON, 1 - EPSILON)
        per_value = -(y_true * el.log(p) + (1 - y_true) * el.log(1 - p))
    return rd.mean(per_value, axis=-1)


def mean_squared_error(y_true, y_pred):
    return rd.mean(el.square(y_pred - y_true), axis=-1)


def mean_absolute_error(y_true, y_pred):
    return rd.mean(el.abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """100 * mean(|y_true - y_pred| / max(|y_true|, eps)) over the last axis."""
    diff = el.abs((y_true - y_pred) / ar.clip(el.abs(y_true), EPSILON, None))
    return 100.0 * rd.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """Mean of (log(1 + y_pred) - log(1 + y_true))² over the last axis (both clipped at eps)."""
    first = el.log(ar.clip(y_pred, EPSILON, None) + 1.0)
    second = el.log(ar.clip(y_true, EPSILON, None) + 1.0)
    return rd.mean(el.square(first - second), axis=-1)


def squared_hinge(y_true, y_pred):
    """Mean of max(1 - y_true * y_pred, 0)² over the last axis; y_true in {-1, 1}."""
    return rd.mean(el.square(el.relu(1.0 - y_true * y_pred)), axis=-1)


def hinge(y_true, y_pred):
    """Mean of max(1 - y_true * y_pred, 0) over the last axis; y_true in {-1, 1}."""
    return rd.mean(el.relu(1.0 - y_true * y_pred), axis=-1)


def categorical_hinge(y_true, y_pred):
    """max(0, max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1): one-hot y_true."""
    positive = rd.sum(y_true * y_pred, axis=-1)
    negative = rd.max((1.0 - y_true) * y_pred, axis=-1)
    return el.relu(negative - positive + 1.0)


def logcosh(y_true, y_pred):
    """Mean of log(cosh(y_pred - y_true)): about x²/2 for small errors, |x| - log 2 for large."""
    x = y_pred - y_true
    return rd.mean(x + softplus(-2.0 * x) - float(np.log(2.0)), axis=-1)


def kullback_leibler_divergence(y_true, y_pred):
    """sum(y_true * log(y_true / y_pred)) over the last axis, both clipped to [eps, 1]."""
    y_true = ar.clip(y_true, EPSILON, 1)
    y_pred = ar.clip(y_pred, EPSILON, 1)
    return rd.sum(y_true * el.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """Mean of y_pred - y_true * log(y_pred + eps) over the last axis (y_pred a positive rate)."""
    return rd.mean(y_pred - y_true * el.log(y_pred + EPSILON), axis=-1)


def cosine_proximity(y_true, y_pred):
    """-cos(angle between y_true and y_pred) along the last axis: -1 when they point alike."""
    return -rd.sum(l2_normalize(y_true) * l2_normalize(y_pred), axis=-1)


def l2_normalize(x, axis=-1):
    """x / sqrt(max(sum(x²), 1e-12)) along `axis`, as TensorFlow's l2_normalize."""
    return x / el.sqrt(ar.maximum(rd.sum(el.square(x), axis=axis, keepdims=True), 1e-12))


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence
cosine = cosine_proximity

_BY_NAME = {f.__name__: f for f in (
    categorical_crossentropy, sparse_categorical_crossentropy, binary_crossentropy,
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, squared_hinge, hinge, categorical_hinge, logcosh,
    kullback_leibler_divergence, poisson, cosine_proximity)}
_BY_NAME.update(mse=mse, mae=mae, MSE=MSE, MAE=MAE, mape=mape, MAPE=MAPE, msle=msle, MSLE=MSLE,
                kld=kld, KLD=KLD, cosine=cosine)


def get(identifier):
    """The loss function for a Keras name or a function(y_true, y_pred)."""
    if callable(identifier):
        return identifier
    if identifier in _BY_NAME:
        return _BY_NAME[identifier]
    raise ValueError(f"unknown loss {identifier!r}; choose one of {sorted(_BY_NAME)} or pass "
                     "a function(y_true, y_pred)")


def target_spec(loss, output_shape):
    """(dtype, shape) of the targets that `loss` expects for a model output shape."""
    if loss is sparse_categorical_crossentropy:
        return np.dtype(np.int64), tuple(output_shape[:-1])
    return np.dtype(np.float32), tuple(output_shape)


def check_targets(loss, y, output_shape):
    """A clear error when targets `y` do not fit `loss` and the model's output shape."""
    name = getattr(loss, "__name__", "loss")
    y_shape, out = np.shape(y), tuple(output_shape)
    if loss is sparse_categorical_crossentropy:
        if len(y_shape) == len(out) and y_shape[-1] == out[-1] and out[-1] != 1:
            raise ValueError(
                f"{name} expects integer class labels of shape {(y_shape[0],) + out[1:-1]}, got "
                f"targets of shape {y_shape} (one-hot?); use loss='categorical_crossentropy' for "
                "one-hot targets, or pass the labels themselves (e.g. y.argmax(-1))")
        if len(y_shape) not in (len(out) - 1, len(out)):
            raise ValueError(f"{name}: targets of shape {y_shape} do not fit the model's output "
                             f"of shape {(None,) + out[1:]}")
        return
    if len(y_shape) == 1 and len(out) == 2 and out[-1] == 1:
        return  # Keras 2 expands 1-D targets to (n, 1) for a single-unit output
    if len(y_shape) != len(out) or any(o is not None and o != t for o, t in zip(out[1:], y_shape[1:])):
        hint = ""
        if name == "categorical_crossentropy" and len(y_shape) in (1, len(out)) and (
                len(y_shape) == 1 or y_shape[-1] == 1):
            hint = (f"; these look like integer labels: use to_categorical(y, {out[-1]}) or "
                    "loss='sparse_categorical_crossentropy'")
        raise ValueError(f"{name} expects targets shaped like the model's output "
                         f"{(None,) + out[1:]}, got shape {y_shape}{hint}")

from .unsupported import module_getattr as _module_getattr  # noqa: E402 (Keras names passos lacks)

__getattr__ = _module_getattr(__name__)
