"""Keras metrics: one value per sample, averaged over batches by the training loop.

'accuracy' (or 'acc') resolves, as in Keras, to categorical, sparse categorical or binary accuracy;
'crossentropy' (or 'ce') to the matching crossentropy. Every loss is also a metric. Logs name a
metric as compile was given it (see `metric_names` for the other Keras version's spelling).
"""
from ..ops import arithmetic as ar, elementwise as el, nn, reduce as rd
from ..ops.creation import arange
from ..ops.movement import reshape
from . import losses
from .losses import (
    MAE, MAPE, MSE, MSLE, binary_crossentropy, categorical_crossentropy, cosine, cosine_proximity,
    hinge, kullback_leibler_divergence, logcosh, mae, mape, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_error, mean_squared_logarithmic_error, mse, msle,
    poisson, sparse_categorical_crossentropy, squared_hinge)


def _scores(y_pred):
    """The logits behind a softmax output (same argmax, one op less), else y_pred."""
    logits = losses.logits_of(y_pred, nn.Softmax)
    return y_pred if logits is None else logits


def categorical_accuracy(y_true, y_pred):
    return el.cast(ar.equal(rd.argmax(y_true, axis=-1), rd.argmax(_scores(y_pred), axis=-1)),
                   "float32")


def sparse_categorical_accuracy(y_true, y_pred):
    labels = reshape(y_true, (-1,)) if len(y_pred.shape) == 2 else y_true
    return el.cast(ar.equal(el.cast(labels, "int64"), rd.argmax(_scores(y_pred), axis=-1)),
                   "float32")


def binary_accuracy(y_true, y_pred, threshold=0.5):
    hit = ar.equal(el.cast(y_true, "float32"), el.cast(ar.greater(y_pred, threshold), "float32"))
    return rd.mean(el.cast(hit, "float32"), axis=-1)


def _in_top_k(scores, labels, k):
    """1.0 where the label's score is among the k highest of its row (ties count as in, as in TF)."""
    classes = scores.shape[-1]
    one_hot = el.cast(ar.equal(reshape(el.cast(labels, "int64"), (-1, 1)), arange(classes)),
                      scores.dtype)
    label_score = rd.sum(scores * one_hot, axis=-1, keepdims=True)
    higher = rd.sum(el.cast(ar.greater(scores, label_score), "float32"), axis=-1)
    return el.cast(ar.less(higher, k), "float32")


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the true class (one-hot y_true) is among the k highest scores of y_pred."""
    return _in_top_k(y_pred, rd.argmax(y_true, axis=-1), k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the integer label y_true is among the k highest scores of y_pred."""
    return _in_top_k(y_pred, reshape(y_true, (-1,)), k)


_BY_NAME = {f.__name__: f for f in (categorical_accuracy, sparse_categorical_accuracy,
                                    binary_accuracy, top_k_categorical_accuracy,
                                    sparse_top_k_categorical_accuracy)}


def _by_loss(identifier, loss, output_shape):
    """'accuracy'/'acc' or 'crossentropy'/'ce': the variant that fits the compiled loss."""
    accuracy = identifier in ("accuracy", "acc")
    if loss is losses.sparse_categorical_crossentropy:
        return sparse_categorical_accuracy if accuracy else losses.sparse_categorical_crossentropy
    if loss is losses.binary_crossentropy or (output_shape and output_shape[-1] == 1):
        return binary_accuracy if accuracy else losses.binary_crossentropy
    return categorical_accuracy if accuracy else losses.categorical_crossentropy


__all__ = sorted(_BY_NAME) + [  # Keras 2's metrics module also offers the losses by name
    "MAE", "MAPE", "MSE", "MSLE", "binary_crossentropy", "categorical_crossentropy", "cosine",
    "cosine_proximity", "hinge", "kullback_leibler_divergence", "logcosh", "mae", "mape",
    "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error",
    "mean_squared_logarithmic_error", "mse", "msle", "poisson", "sparse_categorical_crossentropy",
    "squared_hinge", "get"]


def get(identifier, loss=None, output_shape=None):
    """(name shown in logs, function) for a metric identifier given the compiled loss."""
    if identifier in ("accuracy", "acc", "crossentropy", "ce"):
        return identifier, _by_loss(identifier, loss, output_shape)
    if callable(identifier):
        return identifier.__name__, identifier
    if identifier in _BY_NAME:
        return identifier, _BY_NAME[identifier]
    try:
        return identifier, losses.get(identifier)
    except ValueError:
        raise ValueError(f"unknown metric {identifier!r}; use 'accuracy', 'crossentropy', one of "
                         f"{sorted(_BY_NAME)}, a loss name, or a function") from None

from .unsupported import module_getattr as _module_getattr  # noqa: E402 (Keras names passos lacks)

__getattr__ = _module_getattr(__name__)
