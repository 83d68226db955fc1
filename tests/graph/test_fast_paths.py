"""Fast paths taken only by large arrays give exactly what the plain NumPy call gives."""
import numpy as np
import pytest

import passos as P
from passos.core.shapes import sum_rows
from passos.ops.elementwise import relu_array


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_of_a_large_array_equals_maximum_with_zero(dtype):
    specials = np.array([-1.5, -0.0, 0.0, 2.0, np.nan, -np.inf, np.inf], dtype)
    x = np.concatenate([specials, np.random.default_rng(0).normal(size=4998).astype(dtype)])
    expected = np.maximum(x, 0)
    got = relu_array(x.reshape(-1, 7))
    assert got.dtype == dtype
    np.testing.assert_array_equal(got.ravel(), expected)
    assert not np.signbit(got).any()  # never -0.0
    out = np.empty_like(x)
    relu_array(x, out=out)
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(P.relu(x).numpy(), expected)


def test_relu_keeps_integer_inputs_integer():
    x = np.arange(-2000, 2000)
    np.testing.assert_array_equal(relu_array(x), np.maximum(x, 0))


@pytest.mark.parametrize("shape", [(25088, 32), (3, 5), (1, 4)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_column_sums_equal_numpy_sums(shape, dtype):
    g = np.random.default_rng(1).normal(size=shape).astype(dtype) if dtype != np.int64 \
        else np.arange(np.prod(shape)).reshape(shape)
    expected = g.astype(np.float64).sum(axis=0)
    got = sum_rows(g)
    assert got.dtype == g.dtype
    np.testing.assert_allclose(got, expected, rtol=1e-5 if dtype == np.float32 else 1e-12,
                               atol=1e-3 if dtype == np.float32 else 1e-9)


def test_dense_op_errors_name_the_op_and_shapes():
    from passos.ops.dense import Dense, dense
    with pytest.raises(P.ShapeError, match=r"dense: inputs of shape \(2, 3\) have 3 features but "
                                           r"the kernel of shape \(4, 5\) expects 4"):
        dense(np.zeros((2, 3)), np.zeros((4, 5)))
    with pytest.raises(P.ShapeError, match=r"dense: the bias must hold one value per unit, "
                                           r"shape \(5,\) .* got shape \(4,\)"):
        dense(np.zeros((2, 4)), np.zeros((4, 5)), np.zeros(4))
    with pytest.raises(ValueError, match="dense: activation must be None or 'relu', got 'tanh'"):
        Dense("tanh")


def test_keras_dense_layers_run_as_one_op_with_the_same_numbers():
    from passos.keras.layers import Dense
    from passos.keras.models import Sequential
    rng = np.random.default_rng(6)
    model = Sequential([Dense(5, activation="relu", input_shape=(4,)), Dense(3)])
    x = rng.normal(size=(7, 4)).astype(np.float32)
    kinds = [n.primitive.kind for n in model._plan("predict").nodes]
    assert kinds.count("dense") == 2 and "relu" not in kinds and "add" not in kinds
    (W1, b1), (W2, b2) = model.layers[0].get_weights(), model.layers[1].get_weights()
    expected = np.maximum(x @ W1 + b1, 0) @ W2 + b2
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-5, atol=1e-6)
