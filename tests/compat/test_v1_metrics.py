"""tf.metrics: (value, update_op) pairs over local variables, as TF1 streams them."""
import numpy as np
import pytest

import passos.compat.v1 as tf

rng = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


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
