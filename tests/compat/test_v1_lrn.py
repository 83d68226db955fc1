"""tf.nn.lrn / local_response_normalization: values against a NumPy transcription of TF's
formula and against torch.nn.functional.local_response_norm (TF's alpha is per square, torch's
per mean: alpha_torch = alpha * (2 r + 1)), gradients by finite differences, errors."""
import numpy as np
import pytest

import passos.compat.v1 as tf
from passos.gradcheck import numeric_gradient

from tf1_graphs import fresh_graph, run  # noqa: F401 - fresh_graph: an autouse fixture

rng = np.random.default_rng(0)


def tf_lrn(x, r, bias, alpha, beta):
    """TF's LRN as its docs write it: one loop over the channels."""
    out = np.empty_like(x)
    depth = x.shape[-1]
    for d in range(depth):
        window = x[..., max(0, d - r):min(depth, d + r + 1)]
        out[..., d] = x[..., d] / (bias + alpha * (window ** 2).sum(-1)) ** beta
    return out


@pytest.mark.parametrize("r, bias, alpha, beta", [(5, 1.0, 1.0, 0.5), (2, 2.0, 1e-4, 0.75),
                                                   (0, 1.5, 0.3, 1.0), (9, 1.0, 0.1, 0.5)])
def test_lrn_matches_the_formula(r, bias, alpha, beta):
    x = rng.normal(size=(2, 3, 4, 7))
    y = run(tf.nn.lrn(tf.constant(x), r, bias, alpha, beta))
    np.testing.assert_allclose(y, tf_lrn(x, r, bias, alpha, beta), rtol=1e-12)


def test_lrn_defaults_and_names():
    x = rng.normal(size=(1, 2, 2, 12)).astype(np.float32)
    y = tf.nn.local_response_normalization(x)
    assert y.dtype == tf.float32 and tuple(y.shape) == (1, 2, 2, 12) and y.name == "LRN:0"
    np.testing.assert_allclose(run(y), tf_lrn(x.astype(np.float64), 5, 1, 1, 0.5), rtol=1e-5)
    assert tf.nn.lrn is tf.nn.local_response_normalization


def test_lrn_matches_torch():
    torch = pytest.importorskip("torch")
    x = rng.normal(size=(2, 5, 4, 6))
    r, bias, alpha, beta = 2, 2.0, 1e-2, 0.75
    size = 2 * r + 1
    want = torch.nn.functional.local_response_norm(torch.tensor(x).movedim(-1, 1), size,
                                                   alpha=alpha * size, beta=beta, k=bias)
    y = run(tf.nn.lrn(tf.constant(x), r, bias, alpha, beta))
    np.testing.assert_allclose(y, want.movedim(1, -1).numpy(), rtol=1e-10)


def test_lrn_gradient_matches_finite_differences():
    value = rng.normal(size=(1, 2, 3, 5))
    x = tf.placeholder(tf.float64, value.shape)
    y = tf.nn.lrn(x, depth_radius=1, bias=1.5, alpha=0.4, beta=0.75)
    w = rng.normal(size=value.shape)
    loss = tf.reduce_sum(y * w)
    (g,) = run(tf.gradients(loss, [x]), {x: value})
    with tf.Session() as s:
        numeric = numeric_gradient(lambda: float(s.run(loss, {x: value})), value)
    np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-8)


def test_lrn_errors_name_the_op_and_shape():
    with pytest.raises(ValueError, match=r"local_response_normalization: input must be 4-D .*"
                                         r"got shape \(3, 4\)"):
        tf.nn.lrn(tf.zeros([3, 4]))
    with pytest.raises(ValueError, match=r"local_response_normalization: .*\(\?, 2, 2, \?\)"):
        tf.nn.lrn(tf.placeholder(tf.float32, [None, 2, 2, None]))
    with pytest.raises(ValueError, match="depth_radius must be >= 0, got -1"):
        tf.nn.lrn(tf.zeros([1, 1, 1, 3]), depth_radius=-1)
