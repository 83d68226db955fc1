"""tf.losses: TF1's losses, each reduced as TF1 does by default (SUM_BY_NONZERO_WEIGHTS).

The per-element losses are multiplied by `weights` (broadcast) and summed,
then divided by the number of non-zero weights: with the default weights=1.0
that is the mean. Labels and predictions are cast to float32, as TF1 does,
and must have compatible shapes (no silent broadcasting of (N,) against (N, 1)).

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
    if isinstance(x, Symbol):
        return x if x.dtype == dtypes.float32 else el.cast(x, "float32")
    return x


def _floats(who, labels, predictions):
    """Both as float32, after checking that their shapes match."""
    labels, predictions = _float(labels), _float(predictions)
    a, b = [v.shape if isinstance(v, Symbol) else None for v in (labels, predictions)]
    if a is None or b is None:
        return labels, predictions
    if len(a) != len(b) or any(x is not None and y is not None and x != y for x, y in zip(a, b)):
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
            if reduction == Reduction.MEAN:
                count = rd.sum(spread)
            else:
                count = rd.sum(el.cast(ar.not_equal(spread, 0.0), "float32"))
            total = rd.sum(weighted)
            loss = ar.where(ar.greater(count, 0.0), ar.divide(total, ar.maximum(count, 1e-38)), 0.0)
        loss = el.cast(loss, "float32") if loss.dtype != dtypes.float32 else loss
    if loss_collection:
        add_to_collection(loss_collection, loss)
    return loss


def _loss(default, build, scope, weights, loss_collection, reduction):
    return named(scope or default, lambda: compute_weighted_loss(
        build(), weights, None, loss_collection, reduction))


def mean_squared_error(labels, predictions, weights=1.0, scope=None,
                       loss_collection=GraphKeys.LOSSES,
                       reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """(predictions - labels)², weighted and reduced."""
    def build():
        y, p = _floats("mean_squared_error", labels, predictions)
        return el.square(ar.subtract(p, y))
    return _loss("mean_squared_error", build, scope, weights, loss_collection, reduction)


def absolute_difference(labels, predictions, weights=1.0, scope=None,
                        loss_collection=GraphKeys.LOSSES,
                        reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """|predictions - labels|, weighted and reduced."""
    def build():
        y, p = _floats("absolute_difference", labels, predictions)
        return el.abs(ar.subtract(p, y))
    return _loss("absolute_difference", build, scope, weights, loss_collection, reduction)


def huber_loss(labels, predictions, weights=1.0, delta=1.0, scope=None,
               loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """0.5 e² where |e| <= delta, else delta (|e| - 0.5 delta), e = predictions - labels."""
    def build():
        y, p = _floats("huber_loss", labels, predictions)
        error = el.abs(ar.subtract(p, y))
        quadratic = ar.minimum(error, delta)
        linear = ar.subtract(error, quadratic)
        return ar.add(ar.multiply(el.square(quadratic), 0.5), ar.multiply(linear, delta))
    return _loss("huber_loss", build, scope, weights, loss_collection, reduction)


def log_loss(labels, predictions, weights=1.0, epsilon=1e-7, scope=None,
             loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """-labels log(predictions + eps) - (1 - labels) log(1 - predictions + eps)."""
    def build():
        y, p = _floats("log_loss", labels, predictions)
        positive = ar.multiply(y, el.log(ar.add(p, epsilon)))
        negative = ar.multiply(ar.subtract(1.0, y), el.log(ar.add(ar.subtract(1.0, p), epsilon)))
        return ar.negative(ar.add(positive, negative))
    return _loss("log_loss", build, scope, weights, loss_collection, reduction)


def hinge_loss(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """max(0, 1 - (2 labels - 1) logits) for 0/1 labels."""
    def build():
        y, z = _floats("hinge_loss", labels, logits)
        return el.relu(ar.subtract(1.0, ar.multiply(ar.subtract(ar.multiply(y, 2.0), 1.0), z)))
    return _loss("hinge_loss", build, scope, weights, loss_collection, reduction)


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Cross-entropy of softmax(logits) against one-hot labels (smoothed toward uniform if asked)."""
    def build():
        y, z = _floats("softmax_cross_entropy", onehot_labels, logits)
        if label_smoothing:
            classes = z.shape[-1]
            y = ar.add(ar.multiply(y, 1.0 - label_smoothing), label_smoothing / classes)
        return pn.softmax_cross_entropy(z, y)
    return _loss("softmax_cross_entropy_loss", build, scope, weights, loss_collection, reduction)


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None,
                                 loss_collection=GraphKeys.LOSSES,
                                 reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Cross-entropy of softmax(logits) against integer class labels."""
    def build():
        y, z = inputs(labels, logits)
        return pn.sparse_softmax_cross_entropy(_float(z), y)
    return _loss("sparse_softmax_cross_entropy_loss", build, scope, weights, loss_collection,
                 reduction)


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Binary cross-entropy of sigmoid(logits) against 0/1 labels, elementwise."""
    from .nn import sigmoid_cross_entropy_with_logits

    def build():
        y, z = _floats("sigmoid_cross_entropy", multi_class_labels, logits)
        if label_smoothing:
            y = ar.add(ar.multiply(y, 1.0 - label_smoothing), 0.5 * label_smoothing)
        return sigmoid_cross_entropy_with_logits(labels=y, logits=z)
    return _loss("sigmoid_cross_entropy_loss", build, scope, weights, loss_collection, reduction)


def add_loss(loss, loss_collection=GraphKeys.LOSSES):
    add_to_collection(loss_collection, loss)


def get_losses(scope=None, loss_collection=GraphKeys.LOSSES):
    return get_collection(loss_collection, scope)


def get_regularization_losses(scope=None):
    return get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope=None, name="total_regularization_loss"):
    """The sum of the regularization losses (0.0 when there are none)."""
    from .math_ops import add_n
    from .framework import constant
    parts = get_regularization_losses(scope)
    return add_n(parts, name=name) if parts else constant(0.0, name=name)


def get_total_loss(add_regularization_losses=True, name="total_loss", scope=None):
    """The sum of the collected losses (and regularization losses)."""
    from .math_ops import add_n
    parts = get_losses(scope) + (get_regularization_losses(scope) if add_regularization_losses
                                 else [])
    if not parts:
        raise ValueError("get_total_loss: no losses have been collected")
    return add_n(parts, name=name)
