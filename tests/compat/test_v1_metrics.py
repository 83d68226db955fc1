"""tf.metrics: (value, update_op) pairs over local variables, as TF1 streams them."""
import numpy as np
import pytest

import passos.compat.v1 as tf

from tf1_graphs import fresh_graph  # noqa: F401 - an autouse fixture

rng = np.random.default_rng(0)


def test_accuracy_streams_over_batches_and_resets_with_the_local_initializer():
    labels, predictions = tf.placeholder(tf.int64, [None]), tf.placeholder(tf.int64, [None])
    accuracy, update = tf.metrics.accuracy(labels, predictions)
    w = tf.Variable(1.0)
    assert tf.global_variables() == [w]
    assert [v.name.split("/")[-1].split(":")[0] for v in tf.local_variables()] == \
        ["total", "count"]
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        with pytest.raises(Exception, match="total"):  # the local variables are not set yet
            s.run(update, {labels: [1], predictions: [1]})
        s.run(tf.local_variables_initializer())
        assert s.run(accuracy) == 0.0  # nothing seen: 0, not nan
        assert s.run(update, {labels: [1, 2, 3], predictions: [1, 2, 0]}) == pytest.approx(2 / 3)
        assert s.run(update, {labels: [0, 4], predictions: [0, 0]}) == pytest.approx(3 / 5)
        assert s.run(accuracy) == pytest.approx(3 / 5)
        assert s.run(accuracy) == pytest.approx(3 / 5)  # reading changes nothing
        s.run(tf.local_variables_initializer())
        assert s.run(update, {labels: [5], predictions: [5]}) == 1.0
        assert s.run(w) == 1.0


def test_weighted_mean_and_errors_match_numpy():
    batches = [(rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), rng.uniform(size=(4, 1)))
               for _ in range(3)]
    y, p = tf.placeholder(tf.float32, [None, 3]), tf.placeholder(tf.float32, [None, 3])
    weight = tf.placeholder(tf.float32, [None, 1])
    mse, mse_update = tf.metrics.mean_squared_error(y, p, weights=weight)
    mae, mae_update = tf.metrics.mean_absolute_error(y, p)
    avg, avg_update = tf.metrics.mean(p)
    with tf.Session() as s:
        s.run(tf.local_variables_initializer())
        for labels, preds, weights in batches:
            s.run([mse_update, mae_update, avg_update], {y: labels, p: preds, weight: weights})
        got = s.run([mse, mae, avg])
    labels, preds, weights = (np.concatenate(b) for b in zip(*batches))
    weights = np.broadcast_to(weights, labels.shape)
    np.testing.assert_allclose(got, [np.sum((labels - preds) ** 2 * weights) / weights.sum(),
                                     np.abs(labels - preds).mean(), preds.mean()], rtol=1e-5)


def test_precision_and_recall_count_positives():
    labels = np.array([1, 0, 1, 1, 0, 0, 1])
    predictions = np.array([1, 1, 0, 1, 0, 1, 1])  # tp 3, fp 2, fn 1
    precision, p_update = tf.metrics.precision(labels, predictions)
    recall, r_update = tf.metrics.recall(tf.constant(labels), tf.constant(predictions))
    nothing, n_update = tf.metrics.precision([1, 0], [0, 0], name="no_positives")
    with tf.Session() as s:
        s.run(tf.local_variables_initializer())
        assert s.run(p_update) == pytest.approx(3 / 5)
        assert s.run(r_update) == pytest.approx(3 / 4)
        assert s.run([precision, recall]) == pytest.approx([3 / 5, 3 / 4])
        assert s.run(p_update) == pytest.approx(3 / 5)  # the same batch again: the same ratio
        assert s.run(n_update) == 0.0


def test_metrics_collections_get_the_pair():
    value, update = tf.metrics.accuracy([1], [1], metrics_collections=["values"],
                                        updates_collections=[tf.GraphKeys.UPDATE_OPS])
    assert tf.get_collection("values") == [value]
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == [update]


def reference_auc(labels, scores, weights, num_thresholds, curve, summation):
    """TF1's tf.metrics.auc in NumPy: counts at thresholds, then its sums (Davis & Goadrich's
    interpolation for PR with careful_interpolation)."""
    inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    thresholds = np.array([-1e-7] + inner + [1 + 1e-7], np.float32)
    above = scores.astype(np.float32)[:, None] > thresholds
    truth = (labels != 0)[:, None]
    w = weights[:, None]
    tp, fn = ((truth & above) * w).sum(0), ((truth & ~above) * w).sum(0)
    tn, fp = ((~truth & ~above) * w).sum(0), ((~truth & above) * w).sum(0)
    eps = 1e-6
    if curve == "PR" and summation == "careful_interpolation":
        dtp, p = tp[:-1] - tp[1:], tp + fp
        dp = np.maximum(p[:-1] - p[1:], 0)
        slope = np.divide(dtp, dp, out=np.zeros_like(dtp), where=dp > 0)
        intercept = tp[1:] - slope * p[1:]
        ratio = np.ones_like(p[1:])
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio[both] = p[:-1][both] / p[1:][both]
        positives = tp[1:] + fn[1:]
        inc = slope * (dtp + intercept * np.log(ratio))
        return np.sum(np.divide(inc, positives, out=np.zeros_like(inc), where=positives > 0))
    recall = (tp + eps) / (tp + fn + eps)
    x, y = (fp / (fp + tn + eps), recall) if curve == "ROC" else \
        (recall, (tp + eps) / (tp + fp + eps))
    height = {"minoring": np.minimum(y[:-1], y[1:]), "majoring": np.maximum(y[:-1], y[1:])}.get(
        summation, (y[:-1] + y[1:]) / 2)
    return np.sum((x[:-1] - x[1:]) * height)


@pytest.mark.parametrize("curve,summation", [("ROC", "trapezoidal"), ("ROC", "minoring"),
                                             ("ROC", "majoring"), ("PR", "trapezoidal"),
                                             ("PR", "careful_interpolation")])
def test_auc_streams_tf1_s_approximation(curve, summation):
    labels = rng.integers(0, 2, 120)
    scores = np.clip(labels * 0.3 + rng.uniform(size=120) * 0.7, 0, 1).astype(np.float32)
    scores[:4] = [0.0, 1.0, 0.0, 1.0]  # the end thresholds lie just outside [0, 1]
    weights = rng.uniform(0.5, 2, 120).astype(np.float32)
    y, p = tf.placeholder(tf.int64, [None]), tf.placeholder(tf.float32, [None])
    w = tf.placeholder(tf.float32, [None])
    value, update = tf.metrics.auc(y, p, weights=w, num_thresholds=50, curve=curve,
                                   summation_method=summation)
    with tf.Session() as s:
        s.run(tf.local_variables_initializer())
        assert s.run(value) == pytest.approx(0.0, abs=1e-5)
        for part in (slice(0, 70), slice(70, None)):
            last = s.run(update, {y: labels[part], p: scores[part], w: weights[part]})
        got = s.run(value)
    expected = reference_auc(labels, scores, weights, 50, curve, summation)
    assert last == pytest.approx(got) and got == pytest.approx(expected, rel=1e-5)
    assert 0.6 < got < 1.0  # the scores lean towards the positives


def test_auc_of_perfect_and_reversed_scores():
    labels = np.array([0, 0, 1, 1])
    y, p = tf.placeholder(tf.int64, [None]), tf.placeholder(tf.float32, [None])
    value, update = tf.metrics.auc(y, p)
    with tf.Session() as s:
        for scores, expected in (([0.1, 0.2, 0.8, 0.9], 1.0), ([0.9, 0.8, 0.2, 0.1], 0.0)):
            s.run(tf.local_variables_initializer())
            assert s.run(update, {y: labels, p: scores}) == pytest.approx(expected, abs=1e-3)


def test_auc_checks_its_settings():
    y, p = tf.placeholder(tf.int64, [None]), tf.placeholder(tf.float32, [None])
    with pytest.raises(ValueError, match=r"tf.metrics.auc: curve must be one of \('ROC', 'PR'\)"):
        tf.metrics.auc(y, p, curve="RC")
    with pytest.raises(ValueError, match=r"summation_method must be one of"):
        tf.metrics.auc(y, p, summation_method="simpson")
    with pytest.raises(ValueError, match=r"num_thresholds must be an int of at least 2"):
        tf.metrics.auc(y, p, num_thresholds=1)
