"""tf.losses: TF1's losses, each reduced as TF1 does by default (SUM_BY_NONZERO_WEIGHTS).

The per-element losses times `weights` (broadcast) are summed, then divided by the number of
non-zero weights: with the default weights=1.0, the mean. Labels and predictions are cast to
float32, as TF1 does, and their shapes must match (no silent broadcasting of (N,) to (N, 1)).

>>> import passos.compat.v1 as tf
>>> with tf.Graph().as_default():
...     loss = tf.losses.huber_loss([0.0, 0.0], [0.5, 3.0])
...     float(tf.Session().run(loss))
1.3125
"""
from ...core.shapes import describe
from ...graph.graph import Symbol
from ...ops import arithmetic as ar, creation as cr, elementwise as el, nn as pn, reduce as rd
from . import dtypes
from .framework import GraphKeys, add_to_collection, get_collection, inputs, name_scope, named
from .framework import constant as _constant
from .math_ops import add_n as _add_n
from .nn import sigmoid_cross_entropy_with_logits as _sigmoid_cross_entropy_with_logits


class Reduction:
    """How a weighted loss is reduced."""

    NONE = "none"
    SUM = "weighted_sum"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    MEAN = "weighted_mean"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls):
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE, cls.SUM_BY_NONZERO_WEIGHTS)


def _float(x):
    (x,) = inputs(x)
    return el.cast(x, "float32") if isinstance(x, Symbol) and x.dtype != dtypes.float32 else x


def _floats(who, labels, predictions):
    """Both as float32, after checking that their shapes match."""
    labels, predictions = _float(labels), _float(predictions)
    a, b = [v.shape if isinstance(v, Symbol) else None for v in (labels, predictions)]
    if a is not None and b is not None and (len(a) != len(b) or any(
            x is not None and y is not None and x != y for x, y in zip(a, b))):
        raise ValueError(f"{who}: labels of shape {describe(a)} and predictions of shape "
                         f"{describe(b)} are incompatible; reshape one so both match (e.g. "
                         "tf.reshape(labels, [-1, 1]))")
    return labels, predictions


def _number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """The per-element `losses` times `weights`, reduced as `reduction` says."""
    if reduction not in Reduction.all():
        raise ValueError(f"compute_weighted_loss: unknown reduction {reduction!r}")
    with name_scope(scope, "weighted_loss"):
        weights = weights if _number(weights) else _float(weights)
        weighted = ar.multiply(losses, weights)
        if reduction == Reduction.NONE:
            loss = weighted
        elif reduction == Reduction.SUM:
            loss = rd.sum(weighted)
        elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
            loss = rd.mean(weighted)
        elif _number(weights):  # a constant weight: every element counts (or none, if 0)
            loss = rd.mean(weighted) if weights != 0 else rd.sum(weighted)
        else:
            spread = ar.multiply(weights, cr.ones_like(losses))  # weights broadcast to the losses
            count = rd.sum(spread if reduction == Reduction.MEAN
                           else el.cast(ar.not_equal(spread, 0.0), "float32"))
            total = rd.sum(weighted)
            loss = ar.where(ar.greater(count, 0.0), ar.divide(total, ar.maximum(count, 1e-38)), 0.0)
        loss = el.cast(loss, "float32") if loss.dtype != dtypes.float32 else loss
    if loss_collection:
        add_to_collection(loss_collection, loss)
    return loss


def _loss(default, losses_of, labels, predictions, weights, scope, loss_collection, reduction,
          who=None):
    """compute_weighted_loss of losses_of(labels, predictions), both float32 with matching shapes."""
    return named(scope or default, lambda: compute_weighted_loss(
        losses_of(*_floats(who or default, labels, predictions)), weights, None, loss_collection,
        reduction))


def mean_squared_error(labels, predictions, weights=1.0, scope=None,
                       loss_collection=GraphKeys.LOSSES,
                       reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """(predictions - labels)², weighted and reduced."""
    return _loss("mean_squared_error", lambda y, p: el.square(ar.subtract(p, y)),
                 labels, predictions, weights, scope, loss_collection, reduction)


def absolute_difference(labels, predictions, weights=1.0, scope=None,
                        loss_collection=GraphKeys.LOSSES,
                        reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """|predictions - labels|, weighted and reduced."""
    return _loss("absolute_difference", lambda y, p: el.abs(ar.subtract(p, y)),
                 labels, predictions, weights, scope, loss_collection, reduction)


def huber_loss(labels, predictions, weights=1.0, delta=1.0, scope=None,
               loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """0.5 e² where |e| <= delta, else delta (|e| - 0.5 delta), e = predictions - labels."""
    def huber(y, p):
        error = el.abs(ar.subtract(p, y))
        quadratic = ar.minimum(error, delta)
        linear = ar.subtract(error, quadratic)
        return ar.add(ar.multiply(el.square(quadratic), 0.5), ar.multiply(linear, delta))
    return _loss("huber_loss", huber, labels, predictions, weights, scope, loss_collection,
                 reduction)


def log_loss(labels, predictions, weights=1.0, epsilon=1e-7, scope=None,
             loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """-labels log(predictions + eps) - (1 - labels) log(1 - predictions + eps)."""
    def log(y, p):
        positive = ar.multiply(y, el.log(ar.add(p, epsilon)))
        negative = ar.multiply(ar.subtract(1.0, y), el.log(ar.add(ar.subtract(1.0, p), epsilon)))
        return ar.negative(ar.add(positive, negative))
    return _loss("log_loss", log, labels, predictions, weights, scope, loss_collection, reduction)


def hinge_loss(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """max(0, 1 - (2 labels - 1) logits) for 0/1 labels."""
    return _loss("hinge_loss", lambda y, z: el.relu(
        ar.subtract(1.0, ar.multiply(ar.subtract(ar.multiply(y, 2.0), 1.0), z))),
        labels, logits, weights, scope, loss_collection, reduction)


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Cross-entropy of softmax(logits) against one-hot labels (smoothed toward uniform if asked)."""
    def cross_entropy(y, z):
        if label_smoothing:
            y = ar.add(ar.multiply(y, 1.0 - label_smoothing), label_smoothing / z.shape[-1])
        return pn.softmax_cross_entropy(z, y)
    return _loss("softmax_cross_entropy_loss", cross_entropy, onehot_labels, logits, weights, scope,
                 loss_collection, reduction, who="softmax_cross_entropy")


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None,
                                 loss_collection=GraphKeys.LOSSES,
                                 reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Cross-entropy of softmax(logits) against integer class labels."""
    def build():
        y, z = inputs(labels, logits)
        return compute_weighted_loss(pn.sparse_softmax_cross_entropy(_float(z), y), weights, None,
                                     loss_collection, reduction)
    return named(scope or "sparse_softmax_cross_entropy_loss", build)


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Binary cross-entropy of sigmoid(logits) against 0/1 labels, elementwise."""
    def cross_entropy(y, z):
        if label_smoothing:
            y = ar.add(ar.multiply(y, 1.0 - label_smoothing), 0.5 * label_smoothing)
        return _sigmoid_cross_entropy_with_logits(labels=y, logits=z)
    return _loss("sigmoid_cross_entropy_loss", cross_entropy, multi_class_labels, logits, weights,
                 scope, loss_collection, reduction, who="sigmoid_cross_entropy")


def add_loss(loss, loss_collection=GraphKeys.LOSSES):
    add_to_collection(loss_collection, loss)


def get_losses(scope=None, loss_collection=GraphKeys.LOSSES):
    return get_collection(loss_collection, scope)


def get_regularization_losses(scope=None):
    return get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope=None, name="total_regularization_loss"):
    """The sum of the regularization losses (0.0 when there are none)."""
    parts = get_regularization_losses(scope)
    return _add_n(parts, name=name) if parts else _constant(0.0, name=name)


def get_total_loss(add_regularization_losses=True, name="total_loss", scope=None):
    """The sum of the collected losses (and regularization losses)."""
    parts = get_losses(scope) + (get_regularization_losses(scope) if add_regularization_losses
                                 else [])
    if not parts:
        raise ValueError("get_total_loss: no losses have been collected")
    return _add_n(parts, name=name)


from .unsupported import module_getattr as _module_getattr  # noqa: E402 (TF1 names passos lacks)

__getattr__ = _module_getattr(__name__)
