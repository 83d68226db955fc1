"""ConvPool (ReLU convolution + 2x2 max pooling as one op) and the Keras layers plans fuse in it."""
import numpy as np
import pytest

import passos as P
import passos.graph as G
from passos.core.apply import apply
from passos.kernels.threads import compute_threads
from passos.keras import layers as L
from passos.keras.models import Sequential
from passos.ops.conv import Conv
from passos.ops.conv_pool import ConvPool

CASES = [((3, 8, 8, 1), (3, 3, 1, 4), "same", True),
         ((2, 9, 7, 3), (2, 2, 3, 5), "valid", False),
         ((2, 6, 6, 2), (3, 3, 2, 3), "valid", True),
         ((1, 4, 6, 2), (1, 1, 2, 2), "same", True)]


def separate(padding):
    return lambda *xs: P.max_pool2d(apply(Conv(2, 1, padding, activation="relu"), *xs), 2)


def fused(padding):
    return lambda *xs: apply(ConvPool(padding), *xs)


def values_and_grads(fn, inputs, weights):
    tensors = [P.tensor(v, requires_grad=True) for v in inputs]
    y = fn(*tensors)
    (y * weights).sum().backward()
    return [y.numpy()] + [t.grad for t in tensors]


def planned_values_and_grads(fn, inputs, weights):
    """values_and_grads through a Session's plan: plans split ops over the compute threads."""
    graph = G.Graph()
    with graph.as_default():
        xs = [G.placeholder(str(v.dtype), v.shape) for v in inputs]
        y = fn(*xs)
        grads = G.gradients(P.sum(y * weights), xs)
    with G.Session(graph) as session:
        return session.run([y, *grads], dict(zip(xs, inputs)))


@pytest.mark.parametrize("shape, kernel, padding, bias", CASES)
def test_equals_convolution_relu_then_pooling(shape, kernel, padding, bias):
    rng = np.random.default_rng(0)
    inputs = [rng.normal(size=shape), rng.normal(size=kernel)] + \
        ([rng.normal(size=kernel[-1])] if bias else [])
    weights = rng.normal(size=separate(padding)(*inputs).shape)
    expected = values_and_grads(separate(padding), inputs, weights)
    got = values_and_grads(fused(padding), inputs, weights)
    assert got[0].shape == expected[0].shape
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape, kernel, padding, bias", CASES[:3])
def test_gradcheck(shape, kernel, padding, bias):
    rng = np.random.default_rng(1)
    inputs = [rng.normal(size=shape), rng.normal(size=kernel)] + \
        ([rng.normal(size=kernel[-1])] if bias else [])
    assert P.gradcheck(fused(padding), *inputs)


# Ties at different cells of the 2x2 windows; the first maximum in row-major order is marked.
TIED = np.array([[2, 2, 1, 3],    # window (0, 0): cells (0,0)* (0,1) tie
                 [1, 0, 0, 3],    # window (0, 1): cells (0,1)* (1,1) tie
                 [0, 1, 4, 1],    # window (1, 0): cells (0,1)* (1,0) (1,1) tie
                 [1, 1, 2, 4]])   # window (1, 1): cells (0,0)* (1,1) tie
FIRST_MAXIMA = np.array([[1, 0, 0, 2],
                         [0, 0, 0, 0],
                         [0, 3, 4, 0],
                         [0, 0, 0, 0]])  # each window's weight at its first maximum


@pytest.mark.parametrize("fn", [fused("valid"), separate("valid")], ids=["fused", "separate"])
def test_ties_give_the_gradient_to_the_first_maximum_in_row_major_order(fn):
    x = TIED.reshape(1, 4, 4, 1).astype(float)
    kernel, bias = np.ones((1, 1, 1, 1)), np.zeros(1)  # the convolution passes x through
    weights = np.arange(1.0, 5.0).reshape(1, 2, 2, 1)
    y, gx, gW, gb = values_and_grads(fn, [x, kernel, bias], weights)
    np.testing.assert_array_equal(y[0, :, :, 0], [[2, 3], [1, 4]])
    np.testing.assert_array_equal(gx[0, :, :, 0], FIRST_MAXIMA)
    assert gW.item() == (FIRST_MAXIMA * TIED).sum() and gb.item() == weights.sum()


def test_split_over_threads_gives_the_same_numbers(splits):
    rng = np.random.default_rng(2)
    inputs = [rng.normal(size=(32, 14, 14, 32)).astype(np.float32),
              rng.normal(size=(3, 3, 32, 32)).astype(np.float32),
              rng.normal(size=32).astype(np.float32)]
    weights = rng.normal(size=(32, 7, 7, 32)).astype(np.float32)
    with compute_threads(1):  # plans with convolutions enter compute_threads on their own
        whole = planned_values_and_grads(fused("same"), inputs, weights)
    assert not splits
    with compute_threads(2):
        split = planned_values_and_grads(fused("same"), inputs, weights)
    assert splits == [2, 2]  # forward and backward each ran in two parts
    for a, b in zip(split, whole):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-3)


def two_blocks_apart(x, W1, W2, b2):
    return separate("valid")(separate("same")(x, W1), W2, b2)


def two_blocks_fused(*inputs):
    return apply(ConvPool("same", "valid", biases=(False, True)), *inputs)


def test_two_blocks_in_one_op_equal_the_blocks_one_after_the_other():
    rng = np.random.default_rng(8)
    inputs = [rng.normal(size=(3, 12, 12, 2)), rng.normal(size=(3, 3, 2, 4)),
              rng.normal(size=(3, 3, 4, 5)), rng.normal(size=5)]
    weights = rng.normal(size=(3, 2, 2, 5))
    expected = values_and_grads(two_blocks_apart, inputs, weights)
    got = values_and_grads(two_blocks_fused, inputs, weights)
    assert got[0].shape == (3, 2, 2, 5)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_two_blocks_gradcheck_and_split_over_threads():
    rng = np.random.default_rng(9)
    small = [rng.normal(size=(2, 8, 8, 1)), rng.normal(size=(3, 3, 1, 2)),
             rng.normal(size=(3, 3, 2, 3)), rng.normal(size=3)]
    assert P.gradcheck(two_blocks_fused, *small)
    large = [rng.normal(size=(32, 16, 16, 1)), rng.normal(size=(3, 3, 1, 32)),
             rng.normal(size=(3, 3, 32, 32)), rng.normal(size=32)]
    weights = rng.normal(size=(32, 3, 3, 32))
    whole = planned_values_and_grads(two_blocks_fused, large, weights)
    with compute_threads(2):
        split = planned_values_and_grads(two_blocks_fused, large, weights)
    for a, b in zip(split, whole):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)


def test_inputs_that_do_not_match_the_blocks_are_a_clear_error():
    op = ConvPool("same", "same", biases=(True, True))
    with pytest.raises(P.ShapeError, match=r"conv_pool2d: expects x, then a kernel per block "
                                           r"and a bias where the block has one \(5 inputs\), "
                                           r"got 4 inputs"):
        apply(op, np.zeros((1, 8, 8, 1)), np.zeros((3, 3, 1, 2)), np.zeros(2),
              np.zeros((3, 3, 2, 2)))
    with pytest.raises(ValueError, match="2 blocks but 1 bias flags"):
        ConvPool("same", "same", biases=(True,))


def test_an_odd_convolution_output_is_a_clear_error():
    with pytest.raises(P.ShapeError, match=r"conv_pool2d: the convolution's output of size "
                                           r"\(27, 27\) .* must be even"):
        apply(ConvPool("same"), np.zeros((1, 27, 27, 1)), np.zeros((3, 3, 1, 2)))


def assert_predicts_what_the_layers_compute(model, x):
    layer_by_layer = P.tensor(x)
    for layer in model.layers:  # eager calls: every layer on its own, no fusion
        layer_by_layer = layer(layer_by_layer)
    np.testing.assert_allclose(model.predict(x), layer_by_layer.numpy(), rtol=1e-5, atol=1e-6)


def course_cnn(data_format="channels_last", size=28):
    P.random.seed(0)
    shape = (1, size, size) if data_format == "channels_first" else (size, size, 1)
    return Sequential([L.Conv2D(8, (3, 3), padding="same", activation="relu",
                                input_shape=shape, data_format=data_format),
                       L.MaxPooling2D((2, 2), data_format=data_format),
                       L.Flatten(), L.Dense(3, activation="softmax")])


def test_keras_pair_runs_as_one_op_and_predicts_what_the_layers_compute():
    model = course_cnn()
    x = np.random.default_rng(3).random((5, 28, 28, 1)).astype(np.float32)
    kinds = [n.primitive.kind for n in model._plan("predict").nodes]
    assert "conv_pool2d" in kinds and "max_pool2d" not in kinds
    assert_predicts_what_the_layers_compute(model, x)


def test_keras_course_cnn_runs_both_blocks_as_one_op():
    P.random.seed(0)
    model = Sequential([L.Conv2D(4, 3, padding="same", activation="relu", input_shape=(12, 12, 1)),
                        L.MaxPooling2D(), L.Conv2D(4, 3, padding="same", activation="relu"),
                        L.MaxPooling2D(), L.Dropout(0.25), L.Flatten(),
                        L.Dense(3, activation="softmax")])
    kinds = [n.primitive.kind for n in model._plan("predict").nodes]
    assert kinds.count("conv_pool2d") == 1 and "conv2d" not in kinds
    x = np.random.default_rng(6).random((4, 12, 12, 1)).astype(np.float32)
    assert_predicts_what_the_layers_compute(model, x)


def test_functional_course_cnn_fuses_its_blocks_like_sequential():
    from passos.keras.layers import Input
    from passos.keras.models import Model
    P.random.seed(0)
    inputs = Input(shape=(12, 12, 1))
    h = L.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    h = L.MaxPooling2D()(h)
    h = L.Conv2D(4, 3, padding="same", activation="relu")(h)
    h = L.Flatten()(L.MaxPooling2D()(h))
    model = Model(inputs, L.Dense(3, activation="softmax")(h))
    kinds = [n.primitive.kind for n in model._plan("predict").nodes]
    assert kinds.count("conv_pool2d") == 1 and "max_pool2d" not in kinds
    x = np.random.default_rng(10).random((4, 12, 12, 1)).astype(np.float32)
    assert_predicts_what_the_layers_compute(model, x)


def test_keras_training_with_the_fused_pair_matches_the_layers_run_apart():
    rng = np.random.default_rng(4)
    x, y = rng.random((16, 28, 28, 1)).astype(np.float32), np.eye(3)[rng.integers(0, 3, 16)]
    fused_model = course_cnn()
    apart = Sequential([L.Conv2D(8, (3, 3), padding="same", input_shape=(28, 28, 1)),
                        L.Activation("relu"), L.MaxPooling2D((2, 2)), L.Flatten(),
                        L.Dense(3, activation="softmax")])
    apart.set_weights(fused_model.get_weights())
    for model in (fused_model, apart):
        model.compile(loss="categorical_crossentropy", optimizer="sgd")
        model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(fused_model.get_weights(), apart.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("data_format, size", [("channels_first", 28), ("channels_last", 27)])
def test_pairs_that_do_not_fit_run_layer_by_layer(data_format, size):
    model = course_cnn(data_format, size)
    shape = (2, 1, size, size) if data_format == "channels_first" else (2, size, size, 1)
    x = np.random.default_rng(5).random(shape).astype(np.float32)
    kinds = [n.primitive.kind for n in model._plan("predict").nodes]
    assert "conv_pool2d" not in kinds and "max_pool2d" in kinds
    assert model.predict(x).shape == (2, 3)


def test_seeded_cnn_training_split_over_threads_is_bit_identical(splits):
    """Ops split their batch the same way every run: two seeded runs match bit for bit."""
    rng = np.random.default_rng(7)
    x = rng.random((64, 14, 14, 32)).astype(np.float32)  # large enough that the conv splits
    y = np.eye(3)[rng.integers(0, 3, 64)]

    def run():
        P.random.seed(3)
        model = Sequential([L.Conv2D(32, 3, padding="same", activation="relu",
                                     input_shape=(14, 14, 32)),
                            L.MaxPooling2D(), L.Dropout(0.25), L.Flatten(),
                            L.Dense(3, activation="softmax")])
        model.compile(loss="categorical_crossentropy", optimizer="sgd")
        with compute_threads(2):
            history = model.fit(x, y, batch_size=32, epochs=2, verbose=0)
        return model.get_weights(), history.history["loss"]
    (w1, h1), (w2, h2) = run(), run()
    assert splits  # the convolution did split
    assert h1 == h2
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)
