"""Regression tests for the classic autodiff pitfalls of the eager engine."""
import numpy as np
import pytest

import passos as P


def leaf(values, dtype="float64"):
    return P.tensor(values, dtype=dtype, requires_grad=True)


# -- the chain rule where a value is used more than once ------------------------------
def test_x_times_x():
    x = leaf([1.0, -2.0, 3.0])
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, -4.0, 6.0])


def test_a_plus_a():
    a = leaf([1.0, 2.0])
    (a + a).sum().backward()
    np.testing.assert_array_equal(a.grad, [2.0, 2.0])


def test_fan_out_sums_over_paths():
    """y = x*x + exp(x) + 3x: dy/dx is the sum over the three paths."""
    x = leaf([0.5, -1.0])
    y = x * x + P.exp(x) + 3 * x
    y.sum().backward()
    np.testing.assert_allclose(x.grad, 2 * x.data + np.exp(x.data) + 3)


def test_fan_out_through_an_intermediate():
    """h = 2x is used by two later ops; the gradient flows back through h once per use."""
    x = leaf([1.5])
    h = x * 2
    y = h * h + P.tanh(h)
    y.backward()
    expected = 2 * (2 * h.data + (1 - np.tanh(h.data) ** 2))
    np.testing.assert_allclose(x.grad, expected)


def test_diamond_graph():
    x = leaf(2.0)
    a = x * 3
    b = x + 1
    (a * b).backward()  # d/dx (3x (x + 1)) = 6x + 3
    assert x.grad == pytest.approx(15.0)


def test_broadcast_reduction_bias_add():
    x = leaf(np.arange(6.0).reshape(3, 2))
    b = leaf([0.5, -0.5])
    c = leaf([[1.0], [2.0], [3.0]])
    ((x + b) * c).sum().backward()
    assert b.grad.shape == (2,)
    np.testing.assert_array_equal(b.grad, [6.0, 6.0])
    assert c.grad.shape == (3, 1)
    np.testing.assert_array_equal(c.grad, (x.data + b.data).sum(axis=1, keepdims=True))


def test_scalar_broadcast_leaf():
    s = leaf(2.0)
    x = leaf(np.ones((2, 3)))
    (x * s).sum().backward()
    assert s.grad.shape == () and s.grad == 6.0


# -- backward's contract ---------------------------------------------------------------
def test_non_scalar_backward_without_grad_is_an_error():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"shape \(2,\).*not a single value.*\.sum\(\)"):
        (x * 2).backward()


def test_non_scalar_backward_with_grad():
    x = leaf([1.0, 2.0])
    (x * x).backward(grad=np.array([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 40.0])


def test_backward_grad_of_wrong_shape_is_an_error():
    x = leaf([1.0, 2.0])
    with pytest.raises(ValueError, match=r"grad has shape \(3,\).*shape \(2,\)"):
        (x * x).backward(grad=np.ones(3))


def test_backward_twice_through_freed_graph_is_an_error():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_backward_twice_through_a_shared_freed_part_is_an_error():
    x = leaf([1.0, 2.0])
    h = x * x
    h.sum().backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        (h * 2).sum().backward()


def test_retain_graph_allows_a_second_backward():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad, [4.0, 8.0])


def test_grad_accumulates_across_backward_calls():
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0 + 2.0, 3.0 + 4.0])
    x.zero_grad()
    assert x.grad is None


def test_backward_of_tensor_without_grad_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        P.tensor([1.0]).sum().backward()


def test_leaf_grads_are_not_aliased():
    a = leaf([1.0, 2.0])
    b = leaf([3.0, 4.0])
    (a + b).sum().backward()
    assert a.grad is not b.grad
    assert not np.shares_memory(a.grad, b.grad)
    a.grad += 1.0  # an in-place change of one must not show in the other
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    np.testing.assert_array_equal(a.grad, [2.0, 2.0])


def test_leaf_grads_are_not_aliased_through_a_view():
    """a's gradient is a reshaped view of the one w receives; storing both must not alias."""
    a = leaf(np.ones((2, 3)))
    w = leaf(np.zeros(6))
    ((a.reshape(6) + w) * np.arange(6.0)).sum().backward()
    assert not np.shares_memory(a.grad, w.grad)
    w.grad[:] = 0.0
    np.testing.assert_array_equal(a.grad, np.arange(6.0).reshape(2, 3))


def test_leaf_grad_is_not_a_readonly_view():
    """Sum's vjp broadcasts; the stored .grad must still be a writable array of its own."""
    x = leaf(np.ones((2, 3)))
    x.sum().backward()
    x.grad *= 0.5  # an optimizer may update .grad in place
    np.testing.assert_array_equal(x.grad, np.full((2, 3), 0.5))


def test_intermediate_has_no_grad_unless_retained():
    x = leaf([1.0, 2.0])
    h = x * 2
    k = (x * 3).retain_grad()
    (h * k).sum().backward()
    assert h.grad is None and not h.is_leaf
    np.testing.assert_array_equal(k.grad, h.data)


# -- modes -----------------------------------------------------------------------------
def test_no_grad_records_nothing():
    x = leaf([1.0, 2.0])
    with P.no_grad():
        y = x * x + 1
    assert not y.requires_grad and y.is_leaf
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.sum().backward()
    assert (x * x).requires_grad  # restored on exit


def test_no_grad_restored_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with P.no_grad():
            1 / 0
    assert (leaf([1.0]) * 2).requires_grad


def test_detach_cuts_the_graph():
    x = leaf([1.0, 2.0])
    d = (x * x).detach()
    assert not d.requires_grad and d.is_leaf
    (x * d).sum().backward()  # d is a constant: dy/dx = d
    np.testing.assert_array_equal(x.grad, [1.0, 4.0])


def test_ops_on_tensors_without_grad_record_nothing():
    y = P.tensor([1.0]) * 2
    assert not y.requires_grad and y.is_leaf


# -- dtypes ----------------------------------------------------------------------------
def test_float_data_defaults_to_float32():
    assert P.tensor([1.0, 2.0]).dtype == np.float32
    assert P.tensor(1.5).dtype == np.float32
    assert P.tensor([[1, 2]], dtype="float").dtype == np.float32
    assert P.zeros(3).dtype == P.ones((2, 2)).dtype == P.full(2, 0.5).dtype == np.float32
    assert P.arange(0.0, 1.0, 0.5).dtype == np.float32
    assert P.random.normal((2,)).dtype == P.random.uniform((2,)).dtype == np.float32


def test_integer_data_stays_integer_and_numpy_arrays_keep_their_dtype():
    assert P.tensor([1, 2]).dtype.kind == "i"
    assert P.arange(3).dtype.kind == "i"
    assert P.tensor(np.array([1.0])).dtype == np.float64  # as torch.tensor(ndarray)


def test_float64_everywhere():
    x = P.tensor([1.0, 2.0], dtype="float64", requires_grad=True)
    assert x.dtype == np.float64
    y = P.softmax(P.tanh(x) * 2.0 + 1) @ P.exp(x)
    assert y.dtype == np.float64
    y.backward()
    assert x.grad.dtype == np.float64
    for t in (P.zeros(2, dtype="float64"), P.ones(2, dtype="float64"),
              P.full(2, 1.0, dtype="float64"), P.arange(2, dtype="float64"),
              P.random.normal(2, dtype="float64"), P.zeros_like(x), P.ones_like(x)):
        assert t.dtype == np.float64


def test_python_scalars_keep_float32():
    x = P.tensor([1.0, 2.0], requires_grad=True)
    for y in (x * 2.0, 2.0 * x, x + 1, 1 - x, x / 3.0, 3.0 / x, x ** 2, 2 ** x,
              P.maximum(x, 0.5), P.where(x > 1, x, 0.0), P.clip(x, 0.0, 1.5),
              P.elu(x), P.hard_sigmoid(x), P.softmax(x)):
        assert y.dtype == np.float32, y
    (x * 2.0).sum().backward()
    assert x.grad.dtype == np.float32


def test_numpy_float64_array_promotes_like_numpy():
    x = P.tensor([1.0, 2.0])
    assert (x + np.array([1.0, 1.0])).dtype == np.float64
    assert (x + np.float64(1.0)).dtype == np.float32  # NumPy scalars are weak, like Python's


def test_cast_between_floats_keeps_gradient_dtype():
    x = P.tensor([1.0, 2.0], requires_grad=True)  # float32
    y = P.cast(x, "float64")
    assert y.dtype == np.float64
    (y * np.array([1.0, 3.0])).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [1.0, 3.0])


def test_cast_to_int_has_no_gradient():
    x = leaf([1.5, 2.5])
    y = P.cast(x, "int64")
    assert y.dtype == np.int64 and not y.requires_grad


def test_requires_grad_needs_a_float_dtype():
    with pytest.raises(TypeError, match="floating-point"):
        P.tensor([1, 2], requires_grad=True)


# -- comparisons -----------------------------------------------------------------------
@pytest.mark.parametrize("compare", [
    lambda x: x > 1, lambda x: x >= 1, lambda x: x < 1, lambda x: x <= 1,
    lambda x: x == 1, lambda x: x != 1, lambda x: P.greater(x, 1.0), lambda x: P.equal(x, x)])
def test_comparisons_give_bool_tensors_without_gradient(compare):
    x = leaf([0.5, 1.0, 2.0])
    c = compare(x)
    assert isinstance(c, P.Tensor)
    assert c.dtype == np.bool_ and not c.requires_grad


def test_comparison_values():
    x = P.tensor([0.5, 1.0, 2.0])
    np.testing.assert_array_equal((x > 1).data, [False, False, True])
    np.testing.assert_array_equal((x == 1).data, [False, True, False])
    np.testing.assert_array_equal((1 < x).data, [False, False, True])


def test_where_with_a_comparison_routes_gradient():
    x = leaf([-1.0, 2.0, -3.0])
    P.where(x > 0, x * 2, -x).sum().backward()
    np.testing.assert_array_equal(x.grad, [-1.0, 2.0, -1.0])


# -- indexing --------------------------------------------------------------------------
def test_slicing_with_gradient():
    x = leaf(np.arange(12.0).reshape(3, 4))
    y = x[1:, ::2]
    np.testing.assert_array_equal(y.data, [[4.0, 6.0], [8.0, 10.0]])
    y.sum().backward()
    expected = np.zeros((3, 4))
    expected[1:, ::2] = 1
    np.testing.assert_array_equal(x.grad, expected)


def test_integer_and_negative_index_with_gradient():
    x = leaf([1.0, 2.0, 3.0])
    (x[-1] * x[0]).backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])


def test_fancy_index_with_repeats_accumulates():
    x = leaf([1.0, 2.0, 3.0])
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])


def test_index_with_a_tensor_and_a_bool_mask():
    x = leaf([1.0, -2.0, 3.0])
    x[P.tensor([2, 2])].sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 2.0])
    x.zero_grad()
    x[x > 0].sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 1.0])


# -- operators with NumPy arrays and Python numbers on the left -------------------------
@pytest.mark.parametrize("op, expected_grad", [
    (lambda t: 2 * t, [2.0, 2.0]),
    (lambda t: 2.0 + t, [1.0, 1.0]),
    (lambda t: 1 - t, [-1.0, -1.0]),
    (lambda t: 4.0 / t, [-4.0, -1.0]),
    (lambda t: 2 ** t, [2 * np.log(2), 4 * np.log(2)]),
    (lambda t: np.array([1.0, 3.0]) + t, [1.0, 1.0]),
    (lambda t: np.array([1.0, 3.0]) * t, [1.0, 3.0]),
    (lambda t: np.array([1.0, 3.0]) - t, [-1.0, -1.0]),
    (lambda t: np.array([2.0, 8.0]) / t, [-2.0, -2.0]),
    (lambda t: np.array([[1.0, 1.0], [0.0, 2.0]]) @ t, [1.0, 3.0]),
])
def test_left_operand_is_not_a_tensor(op, expected_grad):
    t = leaf([1.0, 2.0])
    y = op(t)
    assert isinstance(y, P.Tensor) and y.requires_grad
    y.sum().backward()
    np.testing.assert_allclose(t.grad, expected_grad)


def test_methods_match_functions():
    x = leaf(np.arange(6.0).reshape(2, 3) + 1)
    np.testing.assert_array_equal(x.T.data, x.data.T)
    np.testing.assert_array_equal(x.reshape(3, 2).data, x.data.reshape(3, 2))
    np.testing.assert_array_equal(x.reshape((3, 2)).data, x.data.reshape(3, 2))
    np.testing.assert_array_equal(x.transpose(1, 0).data, x.data.T)
    assert x.sum(axis=1, keepdims=True).shape == (2, 1)
    assert x.mean().item() == pytest.approx(3.5)
    assert x.astype("float32").dtype == np.float32
    np.testing.assert_array_equal(abs(-x).data, x.data)
