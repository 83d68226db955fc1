"""Every op of the table through float64 finite differences, in eager and in graph mode."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import passos as P
import passos.graph as G
from passos.core.apply import apply
from passos.core.op import ElementwiseOp
from op_table import CASES, Case, case_inputs, is_float, separated

EPS = 1e-6


def _close(actual, expected, atol=1e-5, rtol=1e-4):
    np.testing.assert_allclose(np.asarray(actual, np.float64), np.asarray(expected, np.float64),
                               atol=atol, rtol=rtol)


# -- eager ---------------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=repr)
def test_eager_gradcheck(case):
    assert P.gradcheck(case.fn, *case_inputs(case), **case.tol)


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_eager_float64_stays_float64(case):
    """float64 inputs give float64 outputs and float64 gradients of the same shapes."""
    arrays = case_inputs(case)
    xs = [P.tensor(x, requires_grad=is_float(x)) for x in arrays]
    y = case.fn(*xs)
    assert y.dtype == np.float64
    y.sum().backward()
    for x in xs:
        if x.requires_grad:
            assert x.grad is not None, case.name
            assert x.grad.shape == x.shape and x.grad.dtype == np.float64


# -- graph ---------------------------------------------------------------------------
def build_graph(case, arrays):
    """The case on placeholders (float64 where the input is float), some axes left None."""
    graph = G.Graph()
    placeholders = []
    with graph.as_default():
        for i, x in enumerate(arrays):
            free = case.free[i] if i < len(case.free) else ()
            shape = tuple(None if axis in free else d for axis, d in enumerate(x.shape))
            placeholders.append(G.placeholder(x.dtype, shape, name=f"x{i}"))
        y = case.fn(*placeholders)
    return graph, placeholders, y


def graph_check(case, arrays, eps=EPS, atol=1e-5, rtol=1e-4):
    """Graph-mode value equals eager; gradients() equals central differences through the Session."""
    eager = case.fn(*[P.tensor(x) for x in arrays]).data
    graph, placeholders, y = build_graph(case, arrays)
    # static shape and dtype agree with what eager computed
    assert y.shape is not None and len(y.shape) == eager.ndim, (y.shape, eager.shape)
    assert all(d is None or d == e for d, e in zip(y.shape, eager.shape)), (y.shape, eager.shape)
    assert y.dtype == eager.dtype
    weights = np.random.default_rng(1).normal(size=eager.shape) + 1.0
    checked = [i for i, x in enumerate(arrays) if is_float(x)]
    with graph.as_default():
        loss = P.sum(y * weights)
        grads = G.gradients(loss, [placeholders[i] for i in checked])
    assert all(g is not None for g in grads)
    session = G.Session(graph)
    feed = {p: x for p, x in zip(placeholders, arrays)}
    value, analytic = session.run([y, grads], feed)
    _close(value, eager, atol=1e-12, rtol=1e-12)
    for i, g in zip(checked, analytic):
        assert g.shape == arrays[i].shape
        numeric = np.zeros(arrays[i].shape)
        for j in range(arrays[i].size):
            moved = dict(feed)
            for sign in (1, -1):
                x = arrays[i].copy()
                x.flat[j] += sign * eps
                moved[placeholders[i]] = x
                numeric.flat[j] += sign * float(session.run(loss, moved)) / (2 * eps)
        _close(g, numeric, atol=atol, rtol=rtol)
    return session


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_graph_gradients(case):
    session = graph_check(case, case_inputs(case), **case.tol)
    # every finite-difference step reused two plans: the loss, and [y, grads]
    assert len(session._plans) == 2


# -- random broadcasting shapes --------------------------------------------------------
_BROADCASTING = {
    "add": (P.add, lambda a, b: [a, b]),
    "subtract": (P.subtract, lambda a, b: [a, b]),
    "multiply": (P.multiply, lambda a, b: [a, b]),
    "divide": (P.divide, lambda a, b: [a, np.where(np.abs(b) < 0.5, 0.5 + np.abs(b), b)]),
}


@settings(max_examples=12, deadline=None)
@given(name=st.sampled_from(sorted(_BROADCASTING) + ["maximum"]),
       shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
       seed=st.integers(0, 2 ** 16))
def test_broadcasting_gradients_random_shapes(name, shapes, seed):
    a_shape, b_shape = shapes.input_shapes
    rng = np.random.default_rng(seed)
    if name == "maximum":
        fn, arrays = P.maximum, separated(a_shape, b_shape)(rng)
    else:
        fn, fix = _BROADCASTING[name]
        arrays = fix(rng.normal(size=a_shape), rng.normal(size=b_shape))
    arrays = [np.asarray(x, np.float64) for x in arrays]
    assert P.gradcheck(fn, *arrays)
    case = Case(name, fn, None, None, free=((0,) if len(a_shape) > 1 else (), ()))
    graph_check(case, arrays)


# -- the checker itself must be able to fail --------------------------------------------
class _WrongVjp(ElementwiseOp):
    kind = "wrong_square"

    def forward(self, x):
        return x * x

    def vjp(self, gy, xs, y, saved, needs):
        return (gy * xs[0],)  # missing the factor 2


def test_gradcheck_catches_a_wrong_vjp():
    with pytest.raises(P.GradientCheckError, match="input 0"):
        P.gradcheck(lambda x: apply(_WrongVjp(), x), np.array([1.0, 2.0]))


def test_graph_check_catches_a_wrong_vjp():
    case = Case("wrong", lambda x: apply(_WrongVjp(), x), None, None)
    with pytest.raises(AssertionError):
        graph_check(case, [np.array([1.0, 2.0])])
