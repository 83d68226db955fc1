"""tf.nn.sampled_softmax_loss, tf.nn.nce_loss and the candidate samplers: values against a
NumPy transcription of TF1's formula (sampled_values given), the samplers' distribution and
expected counts, gradients by finite differences, a word2vec-style run whose loss falls, and
the errors."""
import numpy as np
import pytest

import passos.compat.v1 as tf
from passos.gradcheck import numeric_gradient

from tf1_graphs import fresh_graph, run  # noqa: F401 - fresh_graph: an autouse fixture

rng = np.random.default_rng(0)
HIT = np.finfo(np.float32).min


def reference(W, b, labels, x, sampled, true_count, sampled_count, remove_hits, loss):
    """TF1's _compute_sampled_logits and the loss on top, in NumPy."""
    num_true = labels.shape[1]
    true_logits = np.einsum("bd,btd->bt", x, W[labels]) + b[labels]
    true_logits = true_logits - np.log(true_count, dtype=float)
    sampled_logits = x @ W[sampled].T + b[sampled]
    if remove_hits:
        hits = (labels[:, :, None] == sampled[None, None, :]).any(axis=1)
        sampled_logits = sampled_logits + np.where(hits, HIT, 0.0)
    sampled_logits = sampled_logits - np.log(sampled_count, dtype=float)
    z = np.concatenate([true_logits, sampled_logits], 1)
    y = np.concatenate([np.full(true_logits.shape, 1 / num_true),
                        np.zeros(sampled_logits.shape)], 1)
    if loss == "nce":
        return (np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))).sum(1)
    shifted = z - z.max(1, keepdims=True)
    return -(y * (shifted - np.log(np.exp(shifted).sum(1, keepdims=True)))).sum(1)


def problem(num_true, classes=7, dim=3, batch=4, num_sampled=3):
    W, b = rng.normal(size=(classes, dim)), rng.normal(size=classes)
    x = rng.normal(size=(batch, dim))
    labels = rng.integers(0, classes, size=(batch, num_true))
    sampled = np.array([labels[0, 0], 5, 2][:num_sampled])  # one accidental hit at least
    true_count = rng.uniform(0.2, 1.0, size=(batch, num_true)).astype(np.float32)
    sampled_count = rng.uniform(0.2, 1.0, size=num_sampled).astype(np.float32)
    return W, b, labels, x, (sampled, true_count, sampled_count)


LOSSES = {"nce": tf.nn.nce_loss, "softmax": tf.nn.sampled_softmax_loss}


@pytest.mark.parametrize("loss", ["nce", "softmax"])
@pytest.mark.parametrize("num_true, remove_hits", [(1, True), (1, False), (2, True), (3, False)])
def test_losses_match_tf1s_formula(loss, num_true, remove_hits):
    W, b, labels, x, values = problem(num_true)
    y = LOSSES[loss](tf.constant(W), tf.constant(b), labels, tf.constant(x), num_sampled=3,
                     num_classes=7, num_true=num_true, sampled_values=values,
                     remove_accidental_hits=remove_hits)
    assert tuple(y.shape) == (4,) and y.dtype == tf.float64
    want = reference(W, b, labels, x, *values, remove_hits, loss)
    np.testing.assert_allclose(run(y), want, rtol=1e-10)


def test_default_arguments_follow_tf1():
    W, b, labels, x, values = problem(1)
    args = (tf.constant(W), tf.constant(b), labels, tf.constant(x), 3, 7)
    nce = run(tf.nn.nce_loss(*args, sampled_values=values))  # no hits removed by default
    softmax = run(tf.nn.sampled_softmax_loss(*args, sampled_values=values))  # removed
    np.testing.assert_allclose(nce, reference(W, b, labels, x, *values, False, "nce"), rtol=1e-10)
    np.testing.assert_allclose(softmax, reference(W, b, labels, x, *values, True, "softmax"),
                               rtol=1e-10)
    shards = tf.nn.nce_loss([tf.constant(W[:4]), tf.constant(W[4:])], tf.constant(b), labels,
                            tf.constant(x), 3, 7, sampled_values=values, partition_strategy="div")
    np.testing.assert_allclose(run(shards), nce, rtol=1e-12)


@pytest.mark.parametrize("loss", ["nce", "softmax"])
def test_gradients_match_finite_differences(loss):
    W, b, labels, x, values = problem(2)
    arrays = [W, b, x]
    holders = [tf.placeholder(tf.float64, a.shape) for a in arrays]
    y = LOSSES[loss](holders[0], holders[1], labels, holders[2], 3, 7, num_true=2,
                     sampled_values=values)
    total = tf.reduce_sum(y * rng.normal(size=4))
    feed = dict(zip(holders, arrays))
    grads = run(tf.gradients(total, holders), feed)
    with tf.Session() as s:
        for name, a, g in zip(("weights", "biases", "inputs"), arrays, grads):
            numeric = numeric_gradient(lambda: float(s.run(total, feed)), a)
            np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-8, err_msg=name)


def log_uniform(c, n):
    return np.log((c + 2.0) / (c + 1.0)) / np.log(n + 1.0)


def test_log_uniform_sampler_draws_zipf_and_counts_as_tf():
    true = tf.constant([[0], [7]], tf.int64)
    sampled, true_count, sampled_count = tf.random.log_uniform_candidate_sampler(
        true, 1, 2000, unique=False, range_max=10, seed=3)
    assert tuple(sampled.shape) == (2000,) and sampled.dtype == tf.int64
    assert tuple(true_count.shape) == (2, 1) and sampled_count.dtype == tf.float32
    s, t, c = run([sampled, true_count, sampled_count])
    frequencies = np.bincount(s, minlength=10) / len(s)
    np.testing.assert_allclose(frequencies, log_uniform(np.arange(10), 10), atol=0.03)
    np.testing.assert_allclose(t, log_uniform(np.array([[0], [7]]), 10) * 2000, rtol=1e-6)
    np.testing.assert_allclose(c, log_uniform(s, 10) * 2000, rtol=1e-6)


def test_unique_samples_count_the_tries():
    sampled, true_count, sampled_count = tf.nn.log_uniform_candidate_sampler(
        [[1, 2]], 2, 6, unique=True, range_max=8)
    s, t, c = run([sampled, true_count, sampled_count])
    assert len(set(s.tolist())) == 6 and ((0 <= s) & (s < 8)).all()
    # c = 1 - (1 - p)^tries for one whole number of tries, shared by every class
    tries = np.log1p(-np.concatenate([c, t.ravel()]).astype(np.float64)) / \
        np.log1p(-log_uniform(np.concatenate([s, [1, 2]]), 8))
    assert tries[0] >= 6 and abs(tries[0] - round(tries[0])) < 1e-3
    np.testing.assert_allclose(tries, tries[0], rtol=1e-4)


def test_uniform_sampler_and_seeds():
    draw = tf.random.uniform_candidate_sampler([[0]], 1, 5, unique=True, range_max=5, seed=7)
    with tf.Session() as s:
        first, second = s.run(draw[0]), s.run(draw[0])
        counts = s.run(draw[2])
    assert sorted(first.tolist()) == [0, 1, 2, 3, 4] and not np.array_equal(first, second)
    assert run(draw[0]).tolist() == first.tolist()  # a seeded op restarts with each session
    assert ((counts > 0) & (counts <= 1)).all()
    plain = tf.random.uniform_candidate_sampler([[0]], 1, 4, unique=False, range_max=10)
    np.testing.assert_allclose(run(plain[1]), [[0.4]], rtol=1e-6)


@pytest.mark.parametrize("loss", ["nce", "softmax"])
def test_word2vec_style_training_lowers_the_loss(loss):
    """Skip-gram on a corpus where each word predicts its two neighbours on a cycle of 40."""
    tf.set_random_seed(1)
    vocabulary, dim, batch = 40, 8, 32
    centre = tf.placeholder(tf.int32, [batch])
    context = tf.placeholder(tf.int64, [batch, 1])
    embeddings = tf.Variable(tf.random_uniform([vocabulary, dim], -1.0, 1.0))
    weights = tf.Variable(tf.truncated_normal([vocabulary, dim], stddev=dim ** -0.5))
    biases = tf.Variable(tf.zeros([vocabulary]))
    x = tf.nn.embedding_lookup(embeddings, centre)
    cost = tf.reduce_mean(LOSSES[loss](weights, biases, context, x, num_sampled=8,
                                       num_classes=vocabulary))
    step = tf.train.GradientDescentOptimizer(0.5).minimize(cost)
    data = np.random.default_rng(2)
    losses = []
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        for _ in range(300):
            words = data.integers(0, vocabulary, batch)
            near = (words + data.choice([-1, 1], batch)) % vocabulary
            losses.append(s.run([cost, step], {centre: words, context: near[:, None]})[0])
    first, last = np.mean(losses[:30]), np.mean(losses[-30:])
    assert last < 0.6 * first, (first, last)


def test_errors_name_the_function_and_values():
    W, b, labels, x, values = problem(1)
    with pytest.raises(ValueError, match=r"nce_loss: passos takes weights sharded only with "
                                         r"partition_strategy='div'.*2 shards with 'mod'"):
        tf.nn.nce_loss([W[:4], W[4:]], b, labels, x, 3, 7, sampled_values=values)
    with pytest.raises(ValueError, match=r"sampled_softmax_loss: partition_strategy must be"):
        tf.nn.sampled_softmax_loss(W, b, labels, x, 3, 7, partition_strategy="rows")
    with pytest.raises(ValueError, match=r"sampled_softmax_loss: labels must be \(batch, "
                                         r"num_true\) = \(batch, 1\), got shape \(4,\)"):
        tf.nn.sampled_softmax_loss(W, b, labels[:, 0], x, 3, 7)
    with pytest.raises(ValueError, match=r"nce_loss: num_sampled must be a positive int, got 0"):
        tf.nn.nce_loss(W, b, labels, x, 0, 7)
    with pytest.raises(ValueError, match=r"log_uniform_candidate_sampler: cannot draw "
                                         r"num_sampled=9 distinct classes from range_max=7"):
        tf.nn.sampled_softmax_loss(W, b, labels, x, 9, 7)
    with pytest.raises(ValueError, match=r"uniform_candidate_sampler: true_classes must be "
                                         r"\(batch, num_true\) = \(batch, 2\), got shape \(4, 1\)"):
        tf.nn.uniform_candidate_sampler(labels, 2, 3, True, 7)
    with pytest.raises(TypeError, match=r"uniform_candidate_sampler: true_classes must be "
                                        r"integers .*float"):
        tf.nn.uniform_candidate_sampler([[1.0]], 1, 3, True, 7)
