"""Values and gradients of every op of the table against PyTorch (float64)."""
import numpy as np
import pytest

import passos as P
from op_table import CASES, case_inputs, is_float

torch = pytest.importorskip("torch", reason="PyTorch parity tests need torch (pip install torch)")


def _both(fn, torch_fn, arrays, seed=2):
    """(passos value, grads) and (torch value, grads) of the same weighted sum."""
    xs = [P.tensor(x, requires_grad=is_float(x)) for x in arrays]
    ts = [torch.tensor(x, requires_grad=is_float(x)) for x in arrays]
    y = fn(*xs)
    ty = torch_fn(*ts)
    weights = np.random.default_rng(seed).normal(size=y.shape) + 1.0
    (y * weights).sum().backward()
    (ty * torch.tensor(weights)).sum().backward()
    ours = [x.grad for x in xs if x.requires_grad]
    theirs = [t.grad for t in ts if t.requires_grad]
    return (y.data, ours), (ty.detach().numpy(), [None if g is None else g.numpy() for g in theirs])


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_matches_torch(case):
    (value, grads), (expected, expected_grads) = _both(case.fn, case.torch, case_inputs(case))
    assert value.shape == expected.shape
    assert value.dtype == np.float64
    np.testing.assert_allclose(value, expected, rtol=1e-10, atol=1e-12)
    for g, expected_g in zip(grads, expected_grads):
        expected_g = np.zeros(g.shape) if expected_g is None else expected_g
        assert g.shape == expected_g.shape
        np.testing.assert_allclose(g, expected_g, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("red, torch_red", [(P.max, torch.amax), (P.min, torch.amin)])
def test_tied_extremes_share_the_gradient_like_torch_amax(red, torch_red):
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0], [-1.0, 0.0, -1.0]])
    (value, grads), (expected, expected_grads) = _both(
        lambda t: red(t, axis=1), lambda t: torch_red(t, dim=1), [x])
    np.testing.assert_allclose(value, expected)
    np.testing.assert_allclose(grads[0], expected_grads[0])


def test_softmax_cross_entropy_extreme_logits_match_torch():
    """Stable even where a naive exp would overflow."""
    logits = np.array([[1000.0, 0.0, -1000.0], [-800.0, 800.0, 0.0]])
    labels = np.array([0, 2])
    (value, grads), (expected, expected_grads) = _both(
        P.sparse_softmax_cross_entropy,
        lambda l, t: torch.nn.functional.cross_entropy(l, t, reduction="none"), [logits, labels])
    assert np.all(np.isfinite(value))
    np.testing.assert_allclose(value, expected)
    np.testing.assert_allclose(grads[0], expected_grads[0], atol=1e-12)
