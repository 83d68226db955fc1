"""passos.keras.backend, eagerly: every function against NumPy, gradients, settings and errors."""
import numpy as np
import pytest

import passos as P
import passos.keras
from passos.keras import backend as K

RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 4))
Y = RNG.normal(size=(3, 4))
P34 = RNG.uniform(0.1, 1.0, size=(3, 4))


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


# (name, call, NumPy value): each K function applied to NumPy arrays, compared after K.eval
VALUES = [
    ("mean", lambda: K.mean(X, axis=[0, 1], keepdims=True), X.mean(keepdims=True)),
    ("mean_bool", lambda: K.mean(X > 0, axis=0), (X > 0).mean(0)),
    ("sum", lambda: K.sum(X, axis=1), X.sum(1)),
    ("max", lambda: K.max(X, axis=-1, keepdims=True), X.max(-1, keepdims=True)),
    ("min", lambda: K.min(X), X.min()),
    ("prod", lambda: K.prod(X, axis=1), X.prod(1)),
    ("prod_all", lambda: K.prod(X[:2, :3], keepdims=True), X[:2, :3].prod(keepdims=True)),
    ("var", lambda: K.var(X, axis=0), X.var(0)),
    ("std", lambda: K.std(X, axis=1, keepdims=True), X.std(1, keepdims=True)),
    ("square", lambda: K.square(X), X ** 2),
    ("sqrt", lambda: K.sqrt(X), np.sqrt(np.maximum(X, 0))),
    ("abs", lambda: K.abs(X), np.abs(X)),
    ("exp", lambda: K.exp(X), np.exp(X)),
    ("log", lambda: K.log(P34), np.log(P34)),
    ("pow", lambda: K.pow(P34, 3), P34 ** 3),
    ("clip", lambda: K.clip(X, -0.5, 0.5), np.clip(X, -0.5, 0.5)),
    ("clip_max_below_min", lambda: K.clip(X, 0.5, 0.1), np.full_like(X, 0.5)),
    ("maximum", lambda: K.maximum(X, Y), np.maximum(X, Y)),
    ("minimum", lambda: K.minimum(X, Y), np.minimum(X, Y)),
    ("round", lambda: K.round(np.array([0.5, 1.5, -2.5, 2.6])), [0.0, 2.0, -2.0, 3.0]),
    ("sign", lambda: K.sign(np.array([-2.0, 0.0, 3.0])), [-1.0, 0.0, 1.0]),
    ("dot", lambda: K.dot(X, Y.T), X @ Y.T),
    ("dot_3d", lambda: K.dot(X, np.ones((2, 4, 5))), np.einsum("ij,bjk->ibk", X, np.ones((2, 4, 5)))),
    ("batch_dot_2d", lambda: K.batch_dot(X, Y, axes=1), (X * Y).sum(1, keepdims=True)),
    ("batch_dot_3d", lambda: K.batch_dot(np.ones((2, 3, 4)), np.ones((2, 4, 5))),
     np.full((2, 3, 5), 4.0)),
    ("batch_dot_axes", lambda: K.batch_dot(X.reshape(3, 4, 1), np.ones((3, 2, 4)), axes=[1, 2]),
     np.einsum("bki,bjk->bij", X.reshape(3, 4, 1), np.ones((3, 2, 4)))),
    ("concatenate", lambda: K.concatenate([X, Y]), np.concatenate([X, Y], -1)),
    ("reshape", lambda: K.reshape(X, (2, -1)), X.reshape(2, 6)),
    ("flatten", lambda: K.flatten(X), X.ravel()),
    ("batch_flatten", lambda: K.batch_flatten(np.ones((2, 3, 4))), np.ones((2, 12))),
    ("expand_dims", lambda: K.expand_dims(X, 1), X[:, None]),
    ("squeeze", lambda: K.squeeze(X[:, None], 1), X),
    ("permute_dimensions", lambda: K.permute_dimensions(np.ones((2, 3, 4)), (2, 0, 1)),
     np.ones((4, 2, 3))),
    ("transpose", lambda: K.transpose(X), X.T),
    ("stack", lambda: K.stack([X, Y], axis=1), np.stack([X, Y], 1)),
    ("ones", lambda: K.ones((2, 3)), np.ones((2, 3))),
    ("zeros", lambda: K.zeros((2,)), np.zeros(2)),
    ("ones_like", lambda: K.ones_like(X), np.ones_like(X)),
    ("zeros_like", lambda: K.zeros_like(X), np.zeros_like(X)),
    ("eye", lambda: K.eye(3), np.eye(3)),
    ("cast", lambda: K.cast(X > 0, "float32"), (X > 0).astype(np.float32)),
    ("equal", lambda: K.equal(X, X[0]), X == X[0]),
    ("not_equal", lambda: K.not_equal(X, X[0]), X != X[0]),
    ("greater", lambda: K.greater(X, Y), X > Y),
    ("less", lambda: K.less(X, Y), X < Y),
    ("argmax", lambda: K.argmax(X), X.argmax(-1)),
    ("argmin", lambda: K.argmin(X, axis=0), X.argmin(0)),
    ("relu", lambda: K.relu(X), np.maximum(X, 0)),
    ("relu_leaky_capped", lambda: K.relu(X, alpha=0.1, max_value=0.5),
     np.where(X > 0, np.minimum(X, 0.5), 0.1 * X)),
    ("sigmoid", lambda: K.sigmoid(X), 1 / (1 + np.exp(-X))),
    ("hard_sigmoid", lambda: K.hard_sigmoid(X), np.clip(0.2 * X + 0.5, 0, 1)),
    ("softmax", lambda: K.softmax(X), _softmax(X)),
    ("softplus", lambda: K.softplus(X * 30), np.logaddexp(0, X * 30)),
    ("tanh", lambda: K.tanh(X), np.tanh(X)),
    ("elu", lambda: K.elu(X, 0.5), np.where(X > 0, X, 0.5 * np.expm1(X))),
    ("l2_normalize", lambda: K.l2_normalize(X, axis=1), X / np.linalg.norm(X, axis=1, keepdims=True)),
    ("categorical_crossentropy", lambda: K.categorical_crossentropy(np.eye(4)[[0, 1, 2]], P34),
     -np.log((P34 / P34.sum(1, keepdims=True))[[0, 1, 2], [0, 1, 2]])),
    ("categorical_crossentropy_logits",
     lambda: K.categorical_crossentropy(np.eye(4)[[0, 1, 2]], X, from_logits=True),
     -np.log(_softmax(X)[[0, 1, 2], [0, 1, 2]])),
    ("sparse_categorical_crossentropy",
     lambda: K.sparse_categorical_crossentropy(np.array([3, 0, 1]), X, from_logits=True),
     -np.log(_softmax(X)[[0, 1, 2], [3, 0, 1]])),
    ("binary_crossentropy", lambda: K.binary_crossentropy(P34 > 0.5, P34),
     -np.where(P34 > 0.5, np.log(P34), np.log(1 - P34))),
    ("binary_crossentropy_logits", lambda: K.binary_crossentropy(P34 > 0.5, X, from_logits=True),
     -np.where(P34 > 0.5, np.log(1 / (1 + np.exp(-X))), np.log(1 - 1 / (1 + np.exp(-X))))),
    ("switch", lambda: K.switch(X[:, 0] > 0, X, Y), np.where((X[:, 0] > 0)[:, None], X, Y)),
    ("switch_bool", lambda: K.switch(False, lambda: X, lambda: Y), Y),
    ("in_train_phase", lambda: K.in_train_phase(X, Y, training=1), X),
    ("in_test_phase", lambda: K.in_test_phase(X, Y, training=1), Y),
    ("one_hot", lambda: K.one_hot(np.array([2, 0]), 3), np.eye(3)[[2, 0]]),
    ("gather", lambda: K.gather(X, [2, 0, 2]), X[[2, 0, 2]]),
    ("tile", lambda: K.tile(X, (2, 3)), np.tile(X, (2, 3))),
    ("repeat_elements", lambda: K.repeat_elements(X, 2, axis=1), np.repeat(X, 2, axis=1)),
    ("cumsum", lambda: K.cumsum(X, axis=1), np.cumsum(X, 1)),
    ("cumsum_default_axis", lambda: K.cumsum(X), np.cumsum(X, 0)),
    ("any", lambda: K.any(X > 1, axis=1), (X > 1).any(1)),
    ("all", lambda: K.all(X > -1, axis=0, keepdims=True), (X > -1).all(0, keepdims=True)),
    ("arange", lambda: K.arange(2, 9, 3), np.arange(2, 9, 3)),
    ("map_fn", lambda: K.map_fn(lambda row: K.sum(row * row), X), (X * X).sum(1)),
    ("stop_gradient", lambda: K.stop_gradient(X), X),
    ("shape", lambda: K.shape(X), [3, 4]),
]


@pytest.mark.parametrize("name, call, expected", VALUES, ids=[v[0] for v in VALUES])
def test_values_match_numpy(name, call, expected):
    result = call()
    assert isinstance(result, P.Tensor)
    np.testing.assert_allclose(K.eval(result), expected, rtol=1e-5, atol=1e-6)


def test_shapes_dtypes_and_creation():
    assert passos.keras.__version__ == "2.2.4"
    v = K.variable(np.ones((2, 3)), name="v")
    assert K.int_shape(v) == (2, 3) and K.ndim(v) == 2 and K.dtype(v) == "float32"
    assert K.dtype(K.arange(3)) == "int32"
    assert K.int_shape(K.batch_dot(K.ones((32, 20, 1)), K.ones((32, 30, 20)), axes=[1, 2])) == \
        (32, 1, 30)
    c = K.constant(2.0, shape=(2,))
    np.testing.assert_array_equal(K.eval(c), [2.0, 2.0])
    assert K.eval(K.random_normal((50, 2), 1.0, 0.1, seed=1)).mean() == pytest.approx(1.0, abs=0.1)
    u = K.eval(K.random_uniform((100,), -1.0, 1.0, seed=2))
    assert u.min() >= -1 and u.max() < 1
    assert set(np.unique(K.eval(K.random_binomial((100,), 0.5, seed=3)))) == {0.0, 1.0}
    np.testing.assert_array_equal(K.eval(K.random_uniform((3,), seed=4)),
                                  K.eval(K.random_uniform((3,), seed=4)))
    assert K.is_keras_tensor(v) is False
    assert K.backend() == "passos"


def test_variables_round_trip():
    v = K.variable([1.0, 2.0])
    K.set_value(v, [3.0, 4.0])
    np.testing.assert_array_equal(K.get_value(v), [3.0, 4.0])
    w = K.variable(np.zeros((2, 2)))
    K.batch_set_value([(v, [5.0, 6.0]), (w, np.eye(2))])
    got = K.batch_get_value([v, w])
    np.testing.assert_array_equal(got[0], [5.0, 6.0])
    np.testing.assert_array_equal(got[1], np.eye(2))


# -- gradients through K.gradients of the composed functions, against finite differences ------
GRADIENTS = [
    ("prod", lambda x: K.prod(x, axis=1), (3, 5)),
    ("cumsum", lambda x: K.cumsum(x, axis=1), (3, 4)),
    ("var", lambda x: K.var(x, axis=0), (3, 4)),
    ("std", lambda x: K.std(x), (3, 4)),
    ("softplus", K.softplus, (3, 4)),
    ("l2_normalize", lambda x: K.l2_normalize(x, axis=-1), (3, 4)),
    ("batch_dot", lambda x: K.batch_dot(x, K.reshape(x, (3, 4, 1)) * 2.0, axes=(1, 1)), (3, 4)),
    ("dot_3d", lambda x: K.dot(x, K.reshape(K.tile(x, (2, 1)), (2, 4, 3))), (3, 4)),
    ("tile", lambda x: K.tile(x, (1, 2)) * np.arange(8.0), (3, 4)),
    ("repeat_elements", lambda x: K.repeat_elements(x, 3, axis=0), (3, 4)),
    ("gather", lambda x: K.gather(x, [0, 2, 2]), (3, 4)),
    ("categorical_crossentropy", lambda x: K.categorical_crossentropy(np.eye(4)[:3], K.softmax(x)),
     (3, 4)),
    ("binary_crossentropy", lambda x: K.binary_crossentropy(np.ones((3, 4)) * 0.3, K.sigmoid(x)),
     (3, 4)),
    ("relu_leaky", lambda x: K.relu(x, alpha=0.2, max_value=3.0), (3, 4)),
]


@pytest.mark.parametrize("name, fn, shape", GRADIENTS, ids=[g[0] for g in GRADIENTS])
def test_gradients_match_finite_differences(name, fn, shape):
    x0 = np.random.default_rng(1).uniform(0.2, 1.5, size=shape) * \
        np.random.default_rng(2).choice([-1.0, 1.0], size=shape)
    assert P.gradcheck(fn, x0)
    x = K.variable(x0, dtype="float64")
    (grad,) = K.gradients(K.sum(fn(x)), [x])
    expected = P.tensor(x0, requires_grad=True)
    fn(expected).sum().backward()
    np.testing.assert_allclose(K.eval(grad), expected.grad, rtol=1e-10)
    assert x.grad is None  # K.gradients leaves .grad alone


def test_gradients_none_where_unconnected_and_stopped():
    a, b = K.variable([1.0]), K.variable([2.0])
    grads = K.gradients(K.sum(a * K.stop_gradient(b)), [a, b])
    np.testing.assert_array_equal(K.eval(grads[0]), [2.0])
    assert grads[1] is None


# -- settings and errors ------------------------------------------------------------------
def test_settings_round_trip():
    try:
        K.set_image_data_format("channels_first")
        assert K.image_data_format() == "channels_first"
        K.set_floatx("float64")
        assert K.floatx() == "float64" and K.dtype(K.variable(1.0)) == "float64"
        K.set_epsilon(1e-5)
        assert K.epsilon() == 1e-5
    finally:
        K.set_image_data_format("channels_last")
        K.set_floatx("float32")
        K.set_epsilon(1e-7)


@pytest.mark.parametrize("call, message", [
    (lambda: K.set_image_data_format("bogus"), "set_image_data_format: unknown data format 'bogus'"),
    (lambda: K.set_floatx("float8"), "set_floatx: unknown float type 'float8'"),
    (lambda: K.set_epsilon(-1), "set_epsilon: expected a small positive number"),
    (lambda: K.set_learning_phase(2), "set_learning_phase: expected 0 (test) or 1 (train)"),
    (lambda: K.batch_dot(np.ones((2, 3)), np.ones((2, 4)), axes=1), "batch_dot: axis 1 of x"),
    (lambda: K.batch_dot(np.ones((2, 3)), np.ones((2, 3)), axes=0), "include the batch axis 0"),
    (lambda: K.squeeze(np.ones((2, 3)), 1), "squeeze: axis 1 of the tensor of shape (2, 3)"),
    (lambda: K.permute_dimensions(np.ones((2, 3)), (0, 0)), "permute_dimensions: pattern (0, 0)"),
    (lambda: K.tile(np.ones((2, 3)), (2,)), "tile: n=[2] needs one count per axis"),
    (lambda: K.set_value(K.variable([1.0]), [1.0, 2.0]), "set_value: variable 'variable' has shape"),
    (lambda: K.get_value(np.ones(2)), "get_value: expected a variable"),
    (lambda: K.is_keras_tensor(3), "is_keras_tensor: expected a tensor, got int"),
    (lambda: K.prod(np.ones((2, 3)), axis=5), "prod: axis 5 is out of range"),
    (lambda: K.function(K.placeholder((2,)), []), "K.function: inputs must be a list"),
])
def test_clear_errors(call, message):
    with pytest.raises((ValueError, TypeError)) as caught:
        call()
    assert message in str(caught.value)
