"""tf.metrics: streaming metrics, each a (value, update_op) pair over local variables.

Every metric keeps running totals in local variables (collection LOCAL_VARIABLES), which
`tf.local_variables_initializer()` sets to zero, and resets: run it before each evaluation.
Running `update_op` adds a batch to the totals and returns the metric so far; `value` reads
the totals without changing them. An empty total gives 0, as TF1's div_no_nan does.

>>> import numpy as np, passos.compat.v1 as tf
>>> with tf.Graph().as_default():
...     labels, predictions = tf.placeholder(tf.int64, [None]), tf.placeholder(tf.int64, [None])
...     accuracy, update = tf.metrics.accuracy(labels, predictions)
...     with tf.Session() as s:
...         _ = s.run(tf.local_variables_initializer())
...         _ = s.run(update, {labels: [1, 2, 3], predictions: [1, 2, 0]})
...         _ = s.run(update, {labels: [0], predictions: [0]})
...         print(s.run(accuracy))
0.75
"""
import numpy as np

from ...graph import graph as passos_graph
from ...ops import arithmetic as ar, creation as cr, elementwise as el, movement as mv
from ...ops import reduce as rd
from .array_ops import size
from .framework import GraphKeys, add_to_collection, inputs, name_scope
from .math_ops import cast, logical_and, logical_not


def _total(name, size=None):
    """A float32 local variable starting at 0: a scalar, or a vector of `size`."""
    zero = np.float32(0) if size is None else np.zeros(size, np.float32)
    var = passos_graph.Variable(zero, name=name, dtype=np.float32, trainable=False)
    add_to_collection(GraphKeys.LOCAL_VARIABLES, var)
    add_to_collection(GraphKeys.METRIC_VARIABLES, var)
    return var


def _ratio(numerator, denominator):
    """numerator / denominator, 0 where the denominator is 0 (TF1's div_no_nan)."""
    nonzero = ar.greater(denominator, 0)
    safe = ar.where(nonzero, denominator, cr.ones_like(denominator))
    return ar.where(nonzero, ar.divide(numerator, safe), 0.0)


def _collect(value, update, metrics_collections, updates_collections):
    for key in metrics_collections or ():
        add_to_collection(key, value)
    for key in updates_collections or ():
        add_to_collection(key, update)
    return value, update


def _weighted_sums(values, weights):
    """(sum of values * weights, sum of the weights broadcast to values), float32; no weights:
    (sum of values, their count)."""
    values = cast(values, np.float32)
    if weights is None:
        return rd.sum(values), cast(size(values), np.float32)
    (weights,) = inputs(weights)
    weights = ar.multiply(cr.ones_like(values), cast(weights, np.float32))  # broadcast
    return rd.sum(ar.multiply(values, weights)), rd.sum(weights)


def mean(values, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """The (weighted) mean of every value seen: (value, update_op)."""
    with name_scope(name or "mean"):
        (values,) = inputs(values)
        total, count = _total("total"), _total("count")
        batch_total, batch_count = _weighted_sums(values, weights)
        update = _ratio(total.assign_add(batch_total), count.assign_add(batch_count))
        return _collect(_ratio(total, count), update, metrics_collections, updates_collections)


def accuracy(labels, predictions, weights=None, metrics_collections=None,
             updates_collections=None, name=None):
    """How often predictions equal labels (both class indices, or both values)."""
    with name_scope(name or "accuracy"):
        labels, predictions = inputs(labels, predictions)
        correct = cast(ar.equal(cast(predictions, labels.dtype), labels), np.float32)
        return mean(correct, weights, metrics_collections, updates_collections, "mean")


def _mean_error(error, default, doc):
    """tf.metrics.<default>(labels, predictions, ...): the mean of error(predictions - labels)."""
    def metric(labels, predictions, weights=None, metrics_collections=None,
               updates_collections=None, name=None):
        with name_scope(name or default):
            labels, predictions = inputs(labels, predictions)
            errors = error(ar.subtract(cast(predictions, np.float32), cast(labels, np.float32)))
            return mean(errors, weights, metrics_collections, updates_collections, "mean")
    metric.__name__ = metric.__qualname__ = default
    metric.__doc__ = doc
    return metric


mean_squared_error = _mean_error(el.square, "mean_squared_error",
                                 "The mean of (labels - predictions)² over everything seen.")
mean_absolute_error = _mean_error(el.abs, "mean_absolute_error",
                                  "The mean of |labels - predictions| over everything seen.")


def _counted(labels, predictions, weights, second, name, collections):
    """true positives / (true positives + `second`), `second` counting false positives
    (precision) or false negatives (recall); labels and predictions read as booleans."""
    with name_scope(name):
        labels, predictions = inputs(labels, predictions)
        truth = ar.not_equal(cast(labels, np.float32), 0.0)
        guess = ar.not_equal(cast(predictions, np.float32), 0.0)
        other = logical_and(logical_not(truth), guess) if second == "false_positives" \
            else logical_and(truth, logical_not(guess))
        hits, misses = _total("true_positives"), _total(second)
        batch_hits = _weighted_sums(logical_and(truth, guess), weights)[0]
        batch_misses = _weighted_sums(other, weights)[0]
        new_hits = hits.assign_add(batch_hits)
        update = _ratio(new_hits, ar.add(new_hits, misses.assign_add(batch_misses)))
        return _collect(_ratio(hits, ar.add(hits, misses)), update, *collections)


def precision(labels, predictions, weights=None, metrics_collections=None,
              updates_collections=None, name=None):
    """true positives / predicted positives, over everything seen."""
    return _counted(labels, predictions, weights, "false_positives", name or "precision",
                    (metrics_collections, updates_collections))


def recall(labels, predictions, weights=None, metrics_collections=None,
           updates_collections=None, name=None):
    """true positives / actual positives, over everything seen."""
    return _counted(labels, predictions, weights, "false_negatives", name or "recall",
                    (metrics_collections, updates_collections))


CURVES, SUMMATIONS = ("ROC", "PR"), ("trapezoidal", "minoring", "majoring", "careful_interpolation")


def _counts_at(labels, predictions, weights, thresholds):
    """(tp, fn, tn, fp) of this batch, one per threshold: a prediction above it is positive."""
    above = ar.greater(mv.reshape(cast(predictions, np.float32), (-1, 1)), thresholds)
    truth = mv.reshape(ar.not_equal(cast(labels, np.float32), 0.0), (-1, 1))
    weight = None
    if weights is not None:
        (weights,) = inputs(weights)
        weight = mv.reshape(ar.multiply(cr.ones_like(cast(predictions, np.float32)),
                                        cast(weights, np.float32)), (-1, 1))
    counts = []
    for actual, guessed in ((truth, above), (truth, logical_not(above)),
                            (logical_not(truth), logical_not(above)), (logical_not(truth), above)):
        hits = cast(logical_and(actual, guessed), np.float32)
        counts.append(rd.sum(hits if weight is None else ar.multiply(hits, weight), axis=0))
    return counts


def _area(tp, fn, tn, fp, curve, summation):
    """TF1's area under the ROC or PR curve from confusion counts at decreasing thresholds."""
    epsilon, first, rest = np.float32(1e-6), slice(None, -1), slice(1, None)
    if curve == "PR" and summation == "careful_interpolation":  # Davis & Goadrich (2006)
        dtp = ar.subtract(tp[first], tp[rest])
        p = ar.add(tp, fp)
        slope = _ratio(dtp, ar.maximum(ar.subtract(p[first], p[rest]), 0.0))
        intercept = ar.subtract(tp[rest], ar.multiply(slope, p[rest]))
        both = logical_and(ar.greater(p[first], 0.0), ar.greater(p[rest], 0.0))
        p_ratio = ar.where(both, _ratio(p[first], ar.maximum(p[rest], 0.0)), cr.ones_like(p[rest]))
        increment = ar.multiply(slope, ar.add(dtp, ar.multiply(intercept, el.log(p_ratio))))
        return rd.sum(_ratio(increment, ar.maximum(ar.add(tp[rest], fn[rest]), 0.0)))
    recall_ = ar.divide(ar.add(tp, epsilon), ar.add(ar.add(tp, fn), epsilon))
    if curve == "ROC":
        x, y = ar.divide(fp, ar.add(ar.add(fp, tn), epsilon)), recall_
    else:
        x, y = recall_, ar.divide(ar.add(tp, epsilon), ar.add(ar.add(tp, fp), epsilon))
    height = {"minoring": ar.minimum, "majoring": ar.maximum}.get(
        summation, lambda a, b: ar.multiply(ar.add(a, b), 0.5))(y[first], y[rest])
    return rd.sum(ar.multiply(ar.subtract(x[first], x[rest]), height))


def auc(labels, predictions, weights=None, num_thresholds=200, metrics_collections=None,
        updates_collections=None, curve="ROC", name=None, summation_method="trapezoidal"):
    """The area under the ROC (or precision-recall) curve, from true/false positive and
    negative counts at `num_thresholds` thresholds over [0, 1], as TF1 approximates it."""
    if curve not in CURVES:
        raise ValueError(f"tf.metrics.auc: curve must be one of {CURVES}, got {curve!r}")
    if summation_method not in SUMMATIONS:
        raise ValueError(f"tf.metrics.auc: summation_method must be one of {SUMMATIONS}, got "
                         f"{summation_method!r}")
    if not isinstance(num_thresholds, int) or num_thresholds < 2:
        raise ValueError(f"tf.metrics.auc: num_thresholds must be an int of at least 2, got "
                         f"{num_thresholds!r}")
    kepsilon = 1e-7  # the end thresholds lie just outside [0, 1], so they count everything
    inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    thresholds = np.array([-kepsilon] + inner + [1 + kepsilon], np.float32)
    with name_scope(name or "auc"):
        labels, predictions = inputs(labels, predictions)
        totals = [_total(n, num_thresholds) for n in ("true_positives", "false_negatives",
                                                     "true_negatives", "false_positives")]
        batch = _counts_at(labels, predictions, weights, thresholds)
        updated = [total.assign_add(counts) for total, counts in zip(totals, batch)]
        return _collect(_area(*totals, curve, summation_method),
                        _area(*updated, curve, summation_method),
                        metrics_collections, updates_collections)


from .unsupported import module_getattr as _module_getattr  # noqa: E402 (TF1 names passos lacks)

__getattr__ = _module_getattr(__name__)
