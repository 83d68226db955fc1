"""tf.nn.sampled_softmax_loss and tf.nn.nce_loss: losses over the true classes and a few
sampled ones instead of the whole vocabulary (word2vec, large softmax layers).

As TF1 builds them: the logits of the true classes (inputs · weights[label] + biases[label])
and of the sampled classes (inputs @ weights[sampled].T + biases[sampled]), each less the log of
its expected count (log Q, from the candidate sampler); a sampled class equal to a true one
(an accidental hit) may have -FLT_MAX added. Sampled softmax is the softmax cross-entropy of
those logits with the true classes' labels 1 / num_true; NCE sums the sigmoid cross-entropies.
"""
import numpy as np

from ...core.shapes import describe
from ...graph.graph import Symbol
from ...ops import activations as ac, arithmetic as ar, creation as cr, elementwise as el
from ...ops import gather as ga, matmul as mm, movement as mv, nn as pn, reduce as rd
from ...ops.discrete import stop_gradient
from .candidate_sampling import log_uniform_candidate_sampler
from .framework import inputs, named

_HIT = float(np.finfo(np.float32).min)  # what TF adds to an accidental hit's logit


def _weights(weights, partition_strategy, who):
    """The class embeddings as one tensor: a list of shards is joined when split 'div'-wise."""
    if partition_strategy not in ("mod", "div"):
        raise ValueError(f"{who}: partition_strategy must be 'mod' or 'div', got "
                         f"{partition_strategy!r}")
    if not isinstance(weights, (list, tuple)):
        return weights
    if len(weights) == 1:
        return weights[0]
    if partition_strategy == "mod":
        raise ValueError(f"{who}: passos takes weights sharded only with partition_strategy="
                         f"'div' (shards in class order); got {len(weights)} shards with 'mod'. "
                         f"Pass one (num_classes, dim) tensor")
    return mv.concatenate(inputs(*weights), 0)


def _sampled_logits(weights, biases, labels, x, num_sampled, num_classes, num_true,
                    sampled_values, remove_accidental_hits, partition_strategy, seed, who):
    """(logits, labels), each (batch, num_true + num_sampled): the true classes first."""
    # 1. the classes: the true ones and the sampled ones with their expected counts
    W = _weights(weights, partition_strategy, who)
    W, b, x, labels = inputs(W, biases, x, labels)
    if W.shape is None or len(W.shape) != 2 or W.shape[1] is None:
        raise ValueError(f"{who}: weights must be (num_classes, dim) with dim known, got shape "
                         f"{describe(W.shape)}")
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{who}: labels must be integer class ids, got dtype {labels.dtype}")
    labels = el.cast(labels, np.int64)
    if labels.shape is not None and len(labels.shape) != 2:
        raise ValueError(f"{who}: labels must be (batch, num_true) = (batch, {num_true}), got "
                         f"shape {describe(labels.shape)}")
    if sampled_values is None:
        sampled_values = log_uniform_candidate_sampler(labels, num_true, num_sampled, True,
                                                       num_classes, seed)
    sampled, true_count, sampled_count = (stop_gradient(s) for s in inputs(*sampled_values))
    sampled = el.cast(sampled, np.int64)
    # 2. the true classes' logits: row-wise dots (batch, num_true)
    dim = W.shape[1]
    true_W = mv.reshape(ga.gather(W, mv.reshape(labels, (-1,))), (-1, num_true, dim))
    true_logits = rd.sum(ar.multiply(mv.reshape(x, (-1, 1, dim)), true_W), axis=-1)
    true_logits = ar.add(true_logits, ga.gather(b, labels))
    # 3. the sampled classes' logits (batch, num_sampled), accidental hits pushed down
    sampled_logits = ar.add(mm.matmul(x, mv.transpose(ga.gather(W, sampled))),
                            ga.gather(b, sampled))
    if remove_accidental_hits:
        hit = ar.equal(mv.reshape(labels, (-1, num_true, 1)), mv.reshape(sampled, (1, 1, -1)))
        hits = rd.max(el.cast(hit, np.dtype(sampled_logits.dtype)), axis=1)
        sampled_logits = ar.add(sampled_logits, ar.multiply(hits, _HIT))
    # 4. less log Q, then true and sampled side by side, with the labels 1 / num_true and 0
    to = np.dtype(true_logits.dtype)
    true_logits = ar.subtract(true_logits, el.log(el.cast(true_count, to)))
    sampled_logits = ar.subtract(sampled_logits, el.log(el.cast(sampled_count, to)))
    logits = mv.concatenate([true_logits, sampled_logits], axis=1)
    targets = mv.concatenate([ar.divide(cr.ones_like(true_logits), float(num_true)),
                              cr.zeros_like(sampled_logits)], axis=1)
    return logits, targets


def _check(num_sampled, num_classes, num_true, who):
    for what, value in (("num_sampled", num_sampled), ("num_classes", num_classes),
                        ("num_true", num_true)):
        if isinstance(value, (bool, Symbol)) or not isinstance(value, (int, np.integer)) \
                or value < 1:
            raise ValueError(f"{who}: {what} must be a positive int, got {value!r}")


def nce_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1,  # noqa: A002
             sampled_values=None, remove_accidental_hits=False, partition_strategy="mod",
             name="nce_loss"):
    """Noise-contrastive estimation: per example (batch,), the sum of the sigmoid
    cross-entropies of the true classes (label 1 / num_true) and the sampled ones (label 0).
    weights (num_classes, dim), biases (num_classes,), labels int (batch, num_true), inputs
    (batch, dim); sampled_values: a candidate sampler's triple (default: log-uniform)."""
    _check(num_sampled, num_classes, num_true, "nce_loss")

    def build():
        z, y = _sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes,
                               num_true, sampled_values, remove_accidental_hits,
                               partition_strategy, None, "nce_loss")
        return rd.sum(ar.subtract(ac.softplus(z), ar.multiply(z, y)), axis=1)
    return named(name or "nce_loss", build)


def sampled_softmax_loss(weights, biases, labels, inputs, num_sampled, num_classes,  # noqa: A002
                         num_true=1, sampled_values=None, remove_accidental_hits=True,
                         partition_strategy="mod", name="sampled_softmax_loss", seed=None):
    """Sampled softmax: per example (batch,), the softmax cross-entropy over the true and the
    sampled classes' logits (an underestimate of the full softmax loss; train with it,
    evaluate with the full one). Arguments as nce_loss."""
    _check(num_sampled, num_classes, num_true, "sampled_softmax_loss")

    def build():
        z, y = _sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes,
                               num_true, sampled_values, remove_accidental_hits,
                               partition_strategy, seed, "sampled_softmax_loss")
        return pn.softmax_cross_entropy(z, y)
    return named(name or "sampled_softmax_loss", build)
