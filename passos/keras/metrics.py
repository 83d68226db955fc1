"""Keras metrics: one value per sample, averaged over batches by the training loop.

'accuracy' (or 'acc') resolves, as in Keras, to categorical, sparse categorical or binary accuracy.
"""
from ..ops import arithmetic as ar, elementwise as el, nn, reduce as rd
from ..ops.movement import reshape
from . import losses


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


_BY_NAME = {f.__name__: f for f in (categorical_accuracy, sparse_categorical_accuracy,
                                    binary_accuracy)}


def get(identifier, loss=None, output_shape=None):
    """(name shown in logs, function) for a metric identifier given the compiled loss."""
    if identifier in ("accuracy", "acc"):
        if loss is losses.sparse_categorical_crossentropy:
            return identifier, sparse_categorical_accuracy
        if loss is losses.binary_crossentropy or (output_shape and output_shape[-1] == 1):
            return identifier, binary_accuracy
        return identifier, categorical_accuracy
    if callable(identifier):
        return identifier.__name__, identifier
    if identifier in _BY_NAME:
        return identifier, _BY_NAME[identifier]
    try:
        return identifier, losses.get(identifier)
    except ValueError:
        raise ValueError(f"unknown metric {identifier!r}; use 'accuracy', one of "
                         f"{sorted(_BY_NAME)}, a loss name, or a function") from None

from .unsupported import module_getattr as _module_getattr  # noqa: E402 (Keras names passos lacks)

__getattr__ = _module_getattr(__name__)
