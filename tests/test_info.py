"""passos.info: entropy, KL divergence and cross-entropy of discrete distributions."""
import math
import warnings

import numpy as np
import pytest

import passos
from passos.info import cross_entropy, entropy, kl_divergence

P_, Q_ = [0.8, 0.2], [0.5, 0.5]


def _h(p, base):
    return -sum(x * math.log(x, base) for x in p if x > 0)


def _ce(p, q, base):
    return -sum(x * math.log(y, base) for x, y in zip(p, q) if x > 0)


def test_entropy_in_bits_by_default():
    assert entropy([0.5, 0.5]) == pytest.approx(1.0, abs=1e-15)
    assert entropy([0.25] * 4) == pytest.approx(2.0, abs=1e-15)
    assert entropy(P_) == pytest.approx(_h(P_, 2), rel=1e-14)
    assert round(entropy(P_), 2) == 0.72


def test_entropy_in_nats():
    assert entropy(Q_, base=math.e) == pytest.approx(math.log(2), rel=1e-14)
    assert entropy([0.7, 0.2, 0.1], base=math.e) == pytest.approx(_h([0.7, 0.2, 0.1], math.e), rel=1e-14)


def test_bits_and_nats_differ_by_ln2():
    p = [0.1, 0.6, 0.3]
    assert entropy(p, base=math.e) == pytest.approx(entropy(p) * math.log(2), rel=1e-14)


def test_kl_divergence_values():
    assert kl_divergence(P_, Q_) == pytest.approx(0.8 * math.log2(1.6) + 0.2 * math.log2(0.4), rel=1e-13)
    assert round(kl_divergence(P_, Q_), 2) == 0.28
    assert kl_divergence(P_, P_) == pytest.approx(0.0, abs=1e-15)
    assert kl_divergence(P_, Q_, base=math.e) == pytest.approx(
        0.8 * math.log(1.6) + 0.2 * math.log(0.4), rel=1e-13)


def test_kl_divergence_is_not_symmetric_and_non_negative():
    p, q = [0.9, 0.1], [0.4, 0.6]
    assert kl_divergence(p, q) > 0 and kl_divergence(q, p) > 0
    assert kl_divergence(p, q) != pytest.approx(kl_divergence(q, p))


@pytest.mark.parametrize("base", [2, math.e])
@pytest.mark.parametrize("p, q", [(P_, Q_), (P_, [0.88, 0.12]), ([0.1, 0.2, 0.7], [0.3, 0.3, 0.4]),
                                  ([0.0, 0.5, 0.5], [0.2, 0.2, 0.6])])
def test_cross_entropy_is_entropy_plus_kl(p, q, base):
    ce = cross_entropy(p, q, base=base)
    assert ce == pytest.approx(_ce(p, q, base), rel=1e-13)
    assert ce == pytest.approx(entropy(p, base=base) + kl_divergence(p, q, base=base), rel=1e-13)
    assert ce >= entropy(p, base=base)  # Gibbs' inequality


def test_zero_probability_terms_count_as_zero():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no 0 * log(0) warnings either
        assert entropy([1.0, 0.0]) == 0.0
        assert str(entropy([1.0, 0.0])) == "0.0"  # not -0.0
        assert entropy([0.5, 0.0, 0.5]) == pytest.approx(1.0)
        assert kl_divergence([0.5, 0.5, 0.0], [0.25, 0.25, 0.5]) == pytest.approx(1.0)
        assert cross_entropy([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]) == pytest.approx(1.0)
        assert kl_divergence([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]) == 0.0


def test_q_zero_where_p_is_not_gives_infinity():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cross_entropy([0.5, 0.5], [1.0, 0.0]) == math.inf
        assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf


def test_batches_along_the_last_axis():
    p = np.array([[0.5, 0.5], [1.0, 0.0], [0.8, 0.2]])
    q = np.array([[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]])
    np.testing.assert_allclose(entropy(p), [1.0, 0.0, _h(P_, 2)], rtol=1e-14)
    np.testing.assert_allclose(cross_entropy(p, q), [1.0, 1.0, 1.0], rtol=1e-14)
    np.testing.assert_allclose(kl_divergence(p, q), [0.0, 1.0, 1.0 - _h(P_, 2)], atol=1e-15)


def test_accepts_tensors_and_returns_python_floats():
    value = entropy(passos.tensor([0.5, 0.5], dtype="float64"))
    assert type(value) is float and value == pytest.approx(1.0)


@pytest.mark.parametrize("call, message", [
    (lambda: entropy([0.5, 0.6]), r"entropy: expected probabilities >= 0 summing to 1 along the last "
                                  r"axis, got \[0\.5, 0\.6\]"),
    (lambda: entropy([1.5, -0.5]), r"entropy: expected probabilities >= 0.*got \[1\.5, -0\.5\]"),
    (lambda: entropy(1.0), r"entropy: expected probabilities"),
    (lambda: kl_divergence(P_, [0.3, 0.3]), r"kl_divergence: expected probabilities >= 0 summing to 1"),
    (lambda: cross_entropy([0.2, 0.2], Q_), r"cross_entropy: expected probabilities"),
    (lambda: cross_entropy(P_, [0.2, 0.3, 0.5]), r"cross_entropy: p has shape \(2,\) but q has shape \(3,\)"),
    (lambda: kl_divergence(P_, [0.2, 0.3, 0.5]), r"kl_divergence: p has shape \(2,\) but q has shape \(3,\)"),
])
def test_bad_distributions_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
