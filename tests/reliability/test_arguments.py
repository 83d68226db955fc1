"""Every public argument is checked where it enters: the message names who, the argument, what
it got and what is allowed (TypeError for a wrong type, ValueError for a wrong value)."""
import numpy as np
import pytest

import passos as P
import passos.compat.v1 as tf
import passos.graph as G
from passos.core.shapes import ShapeError
from passos.keras import layers as L, optimizers
from passos.keras.models import Sequential

X = np.random.default_rng(0).random((20, 4)).astype(np.float32)
Y = np.random.default_rng(1).random((20, 1)).astype(np.float32)


def regression():
    model = Sequential([L.Dense(1, input_shape=(4,))])
    model.compile(optimizer="sgd", loss="mse")
    return model


def fit(**kwargs):
    arguments = {"x": X, "y": Y, "verbose": 0, **kwargs}
    return regression().fit(**arguments)


# -- fit / evaluate / predict / *_on_batch ----------------------------------------------------
@pytest.mark.parametrize("call, error, message", [
    (lambda: fit(batch_size=-5), ValueError, r"^fit: batch_size must be a positive integer, got -5$"),
    (lambda: fit(batch_size=0), ValueError, r"^fit: batch_size must be a positive integer, got 0$"),
    (lambda: fit(batch_size="8"), TypeError,
     r"^fit: batch_size must be a positive integer, got '8' \(str\)$"),
    (lambda: fit(batch_size=8.0), TypeError, r"^fit: batch_size must be a positive integer, got 8\.0$"),
    (lambda: fit(epochs=2.5), TypeError, r"^fit: epochs must be a non-negative integer, got 2\.5$"),
    (lambda: fit(epochs=None), TypeError,
     r"^fit: epochs must be a non-negative integer, got None \(NoneType\)$"),
    (lambda: fit(epochs=-1), ValueError, r"^fit: epochs must be a non-negative integer, got -1$"),
    (lambda: fit(initial_epoch=-1), ValueError, r"^fit: initial_epoch must be a non-negative"),
    (lambda: fit(x=X[:0], y=Y[:0]), ValueError,
     r"^fit: x has no samples \(shape \(0, 4\)\); pass at least one sample$"),
    (lambda: fit(validation_split=0.99), ValueError,
     r"^fit: validation_split=0\.99 leaves no training samples \(0 of 20 to train on\); use a "
     r"smaller validation_split or more samples$"),
    (lambda: fit(validation_split=1.5), ValueError,
     r"^fit: validation_split must be a number in \[0, 1\), got 1\.5$"),
    (lambda: fit(validation_split="0.2"), TypeError,
     r"^fit: validation_split must be a number in \[0, 1\), got '0\.2' \(str\)$"),
    (lambda: fit(y=None), TypeError,
     r"^fit: y is None, but the loss needs targets; pass them, e\.g\. model\.fit\(x, y\)$"),
    (lambda: fit(validation_data=(X,)), ValueError,
     r"^fit: validation_data must be a tuple \(x_val, y_val\) or \(x_val, y_val, "
     r"sample_weight_val\), got a tuple of 1 item$"),
    (lambda: fit(validation_data=X), TypeError,
     r"^fit: validation_data must be a tuple .* got an ndarray of shape \(20, 4\)$"),
    (lambda: fit(validation_data=(X[:0], Y[:0])), ValueError,
     r"^fit \(validation_data\): x has no samples \(shape \(0, 4\)\)"),
    (lambda: fit(x=[["a"] * 4] * 20), TypeError,
     r"^fit: x holds strings \('a'\), not numbers; convert text to numbers first"),
    (lambda: fit(x=[[1, 2, 3, 4], [1, 2, 3]], y=Y[:2]), ValueError,
     r"^fit: x is a ragged nested sequence \(lists of lengths 3, 4 at nesting level 1\); "
     r"give rows of one length, or a NumPy array$"),
    (lambda: fit(y=[["1"]] * 20), TypeError, r"^fit: y holds strings \('1'\), not numbers"),
    (lambda: fit(sample_weight=["w"] * 20), TypeError,
     r"^fit: sample_weight holds strings \('w'\), not numbers"),
    (lambda: fit(x=[[1, 2, 3, None]] * 20), TypeError,
     r"^fit: x holds NoneType values \(None\) among its numbers; give only numbers$"),
    (lambda: fit(x=5.0), ValueError, r"^fit: x must have a batch axis \(one row per sample\), "
                                     r"got the single value 5\.0"),
    (lambda: fit(y=Y[:19]), ValueError, r"^fit: x has 20 samples but y has 19; they must match$"),
    (lambda: fit(sample_weight=np.ones(3)), ValueError,
     r"^fit: sample_weight has 3 values for 20 samples$"),
    (lambda: regression().evaluate(X, None, verbose=0), TypeError,
     r"^evaluate: y is None, but the loss needs targets; pass them, e\.g\. "
     r"model\.evaluate\(x, y\)$"),
    (lambda: regression().evaluate(X[:0], Y[:0], verbose=0), ValueError,
     r"^evaluate: x has no samples \(shape \(0, 4\)\)"),
    (lambda: regression().evaluate(X, Y, batch_size=0, verbose=0), ValueError,
     r"^evaluate: batch_size must be a positive integer, got 0$"),
    (lambda: regression().predict(X, batch_size=-1), ValueError,
     r"^predict: batch_size must be a positive integer, got -1$"),
    (lambda: regression().predict([["a", "b", "c", "d"]]), TypeError,
     r"^predict: x holds strings \('a'\), not numbers"),
    (lambda: regression().train_on_batch(X[:0], Y[:0]), ValueError,
     r"^train_on_batch: x has no samples"),
    (lambda: regression().test_on_batch(X, None), TypeError, r"^test_on_batch: y is None"),
])
def test_training_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_valid_training_edges_still_work():
    history = fit(batch_size=100, epochs=np.int64(2))  # a batch larger than the data
    assert len(history.history["loss"]) == 2 and history.history["loss"][0] > 0
    assert len(fit(batch_size=np.int32(7)).history["loss"]) == 1
    assert fit(batch_size=None).params["batch_size"] == 32  # None means 32, as in Keras
    history = regression().fit(X[:2], Y[:2], validation_split=0.5, verbose=0)  # one sample each
    assert history.params["samples"] == 1 and "val_loss" in history.history
    assert fit(epochs=0).history == {}
    model = regression()
    assert model.predict(X, batch_size=np.int64(100)).shape == (20, 1)
    assert model.predict(X[:0]).shape == (0, 1)  # no samples, no outputs: not an error
    assert model.evaluate(X.tolist(), Y.tolist(), batch_size=3, verbose=0) > 0


# -- Keras layer constructors ------------------------------------------------------------------
@pytest.mark.parametrize("make, error, message", [
    (lambda: L.Conv2D(2, (0, 3), name="conv2d_1"), ValueError,
     r"^Conv2D 'conv2d_1': kernel_size must be a positive integer or 2 positive integers, "
     r"got \(0, 3\)$"),
    (lambda: L.Conv2D(0, 3, name="c"), ValueError, r"^Conv2D 'c': filters must be a positive "
                                                   r"integer, got 0$"),
    (lambda: L.Conv2D(-1, 3, name="c"), ValueError, r"^Conv2D 'c': filters must be a positive "
                                                    r"integer, got -1$"),
    (lambda: L.Conv2D(2.5, 3, name="c"), TypeError, r"^Conv2D 'c': filters must be a positive "
                                                    r"integer, got 2\.5$"),
    (lambda: L.Conv2D(2, 3, strides=1.5, name="c"), TypeError,
     r"^Conv2D 'c': strides must be a positive integer or 2 positive integers, got 1\.5$"),
    (lambda: L.Conv1D(2, 3, dilation_rate=0, name="c"), ValueError,
     r"^Conv1D 'c': dilation_rate must be a positive integer, got 0$"),
    (lambda: L.Conv2D(2, 3, padding="full", name="c"), ValueError,
     r"^Conv2D 'c': padding must be 'valid' or 'same', got 'full'$"),
    (lambda: L.Conv2D(2, 3, data_format="NHWC", name="c"), ValueError,
     r"^Conv2D 'c': data_format must be 'channels_last' or 'channels_first', got 'NHWC'$"),
    (lambda: L.Dense(0, name="d"), ValueError, r"^Dense 'd': units must be a positive integer, "
                                               r"got 0$"),
    (lambda: L.Dense(-3, name="d"), ValueError, r"^Dense 'd': units must be a positive integer"),
    (lambda: L.Dense("8", name="d"), TypeError, r"^Dense 'd': units must be a positive integer, "
                                                r"got '8' \(str\)$"),
    (lambda: L.Dense(1, input_shape=(-4,), name="d"), ValueError,
     r"^Dense 'd': input_shape must be a tuple of positive integers \(None for an unknown "
     r"size\), got \(-4,\)$"),
    (lambda: L.Dense(1, input_shape=(0,), name="d"), ValueError,
     r"^Dense 'd': input_shape must be a tuple of positive integers .* got \(0,\)$"),
    (lambda: L.Dense(1, input_shape=4, name="d"), TypeError,
     r"^Dense 'd': input_shape must be a tuple .* got 4; write \(4,\) for one dimension$"),
    (lambda: L.Dense(1, input_shape=(2.5,), name="d"), TypeError, r"input_shape must be a tuple"),
    (lambda: L.Dense(1, batch_input_shape=(None, -1), name="d"), ValueError,
     r"^Dense 'd': batch_input_shape must be a tuple of positive integers"),
    (lambda: L.Dense(1, input_dim=0, name="d"), ValueError,
     r"^Dense 'd': input_dim must be a positive integer, got 0$"),
    (lambda: L.Dense(1, input_shape=(4,), batch_size=-2, name="d"), ValueError,
     r"^Dense 'd': batch_size must be a positive integer, got -2$"),
    (lambda: L.Input(shape=(None, -3)), ValueError, r"^InputLayer '\w+': input_shape must be"),
    (lambda: L.Dropout(1.5, name="r"), ValueError, r"^Dropout 'r': rate must be a number in "
                                                   r"\[0, 1\), got 1\.5$"),
    (lambda: L.Dropout("a", name="r"), TypeError, r"^Dropout 'r': rate must be a number in "
                                                  r"\[0, 1\), got 'a' \(str\)$"),
    (lambda: L.MaxPooling2D(0, name="p"), ValueError,
     r"^MaxPooling2D 'p': pool_size must be a positive integer or 2 positive integers, got 0$"),
    (lambda: L.AveragePooling2D(2, strides=(1, 0), name="p"), ValueError,
     r"^AveragePooling2D 'p': strides must be .* got \(1, 0\)$"),
    (lambda: L.UpSampling2D(0, name="u"), ValueError, r"^UpSampling2D 'u': size must be a "
                                                      r"positive integer"),
    (lambda: L.ZeroPadding2D(-1, name="z"), ValueError,
     r"^ZeroPadding2D 'z': padding must be a non-negative integer, 2 of them or 2 "
     r"\(before, after\) pairs, got -1$"),
    (lambda: L.Cropping1D("a", name="c"), TypeError,
     r"^Cropping1D 'c': cropping must be a non-negative integer or one \(before, after\) pair, "
     r"got 'a'$"),
    (lambda: L.Reshape((0, 4), name="r"), ValueError,
     r"^Reshape 'r': target_shape must be positive integers, with at most one -1 for a size "
     r"to infer, got \(0, 4\)$"),
    (lambda: L.BatchNormalization(momentum=2, name="b"), ValueError,
     r"^BatchNormalization 'b': momentum must be a number in \[0, 1\], got 2$"),
])
def test_layer_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_valid_layer_edges_still_work():
    model = Sequential([L.Conv2D(np.int64(2), 1, padding="SAME", input_shape=(8, 8, 1)),
                        L.MaxPooling2D((2, 2)), L.Flatten(), L.Dense(1)])
    assert model.layers[0].padding == "same" and model.layers[0].kernel_size == (1, 1)
    assert model.predict(np.zeros((3, 8, 8, 1))).shape == (3, 1)
    assert Sequential([L.Dense(1, input_shape=[4])]).predict(X).shape == (20, 1)
    assert L.Dense(3, input_dim=np.int64(4)).batch_input_shape == (None, 4)
    assert L.Dropout(0).rate == 0.0 and L.ZeroPadding1D((1, 2)).padding == ((1, 2),)


# -- eager and graph ops -----------------------------------------------------------------------
def eager(*shape, dtype=np.float32):
    return P.tensor(np.zeros(shape, dtype))


@pytest.mark.parametrize("call, error, message", [
    (lambda: P.conv2d(eager(1, 8, 8, 1), np.zeros((0, 3, 1, 2), np.float32)), ShapeError,
     r"^conv2d: the kernel of shape \(0, 3, 1, 2\) has an empty spatial axis; kernel sizes "
     r"must be at least 1 \(kernel_size \(0, 3\)\)$"),
    (lambda: P.conv2d(eager(1, 8, 8, 1), np.zeros((3, 3, 1, 2)), strides=1.5), TypeError,
     r"^conv2d: strides must be a positive integer or 2 positive integers, got 1\.5$"),
    (lambda: P.max_pool2d(eager(1, 4, 4, 1), (2, "2")), TypeError,
     r"^max_pool2d: pool_size must be a positive integer or 2 positive integers, "
     r"got \(2, '2'\) \(tuple\)$"),
    (lambda: P.tensor("abc"), TypeError,
     r"^tensor: cannot make a tensor of strings \('abc'\); convert text to numbers first"),
    (lambda: P.tensor(["1.5"], dtype="float32"), TypeError,
     r"^tensor: cannot make a tensor of strings \('1\.5'\)"),
    (lambda: P.tensor([[1.0, 2.0], [3.0]]), ValueError,
     r"^tensor: cannot make a tensor from a ragged nested sequence \(lists of lengths 1, 2 at "
     r"nesting level 1\)"),
    (lambda: P.tensor({"a": 1}), TypeError, r"^tensor: cannot make a tensor from dict data"),
    (lambda: P.reshape(eager(2, 3), None), TypeError,
     r"^reshape: shape must be non-negative integers, with at most one -1 for a size to "
     r"infer, got None \(NoneType\)$"),
    (lambda: P.reshape(eager(2, 3), (-2, -3)), ValueError,
     r"^reshape: shape must be non-negative integers, .* got \(-2, -3\)$"),
    (lambda: P.reshape(eager(2, 3), (2, 1.5)), TypeError, r"^reshape: shape must be"),
    (lambda: eager(2, 3).reshape(-1, -1), ShapeError,
     r"^reshape: only one dimension of \(-1, -1\) may be -1$"),
    (lambda: P.softmax(eager(2, 0)), ShapeError,
     r"^softmax: axis -1 of the input of shape \(2, 0\) is empty; softmax needs at least one "
     r"value along it$"),
    (lambda: P.log_softmax(eager(3, 0), axis=1), ShapeError, r"^log_softmax: axis 1 .* is empty"),
    (lambda: eager(2, 3) + "a", TypeError,
     r"^operator \+: the other operand holds strings \('a'\), not numbers"),
    (lambda: "a" * eager(2, 3), TypeError, r"^operator \*: the other operand holds strings"),
    (lambda: P.add(eager(2, 3), "a"), TypeError, r"^add: cannot make a tensor of strings \('a'\)"),
    (lambda: P.matmul(eager(2, 3), [["x"]]), TypeError, r"^matmul: cannot make a tensor of strings"),
    (lambda: eager(2, 3) - [[1, 2], [3]], ValueError,
     r"^operator -: the other operand is a ragged nested sequence"),
    (lambda: eager(2) < {"a": 1}, TypeError, r"^operator <: the other operand is dict data"),
    (lambda: P.zeros((2, -1)), ValueError,
     r"^zeros: shape must be a tuple of non-negative integers, got \(2, -1\)$"),
    (lambda: P.crop(eager(1, 4, 4, 1), -1), ValueError, r"^crop: cropping must be a "
                                                        r"non-negative integer"),
])
def test_op_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_graph_ops_check_arguments_when_built():
    with G.Graph().as_default():
        x = G.placeholder("float32", (None, 0), name="x")
        with pytest.raises(ShapeError, match=r"^softmax: axis -1 of the input of shape \(\?, 0\) "
                                             r"is empty; .*\(building node 'softmax' from 'x'"):
            P.softmax(x)
        with pytest.raises(ShapeError, match=r"^conv2d: the kernel of shape \(0, 3, 1, 2\)"):
            P.conv2d(G.placeholder("float32", (None, 8, 8, 1)), np.zeros((0, 3, 1, 2)))


@pytest.mark.parametrize("make, error, message", [
    (lambda: G.placeholder("float32", (None, 2.5)), TypeError,
     r"^placeholder: shape must be a tuple of non-negative integers \(None for an unknown "
     r"size\), got \(None, 2\.5\) \(tuple\)$"),
    (lambda: tf.placeholder(tf.float32, [-2, 3]), ValueError,
     r"^placeholder: shape must be a tuple of non-negative integers .* got \[-2, 3\]$"),
    (lambda: G.Variable("abc"), TypeError,
     r"^Variable: initial_value holds strings \('abc'\), not numbers"),
])
def test_graph_sources(make, error, message):
    with G.Graph().as_default():
        with pytest.raises(error, match=message):
            make()
        assert G.placeholder("float32", (-1, 3)).shape == (None, 3)
        assert tf.placeholder(tf.float32, tf.TensorShape([None, 3])).shape == (None, 3)


def test_valid_op_edges_still_work():
    image = np.random.default_rng(2).random((1, 4, 4, 1)) > 0.5
    pooled = P.max_pool2d(image, 2).numpy()  # booleans: a max is an any
    assert pooled.dtype == np.bool_
    assert (pooled[0, :, :, 0] == image[0].reshape(2, 2, 2, 2).any(axis=(1, 3))).all()
    assert P.conv2d(eager(1, 8, 8, 1), np.ones((1, 1, 1, 2), np.float32)).shape == (1, 8, 8, 2)
    assert P.reshape(eager(2, 3), 6).shape == (6,)
    assert P.reshape(eager(2, 3), np.array([3, -1])).shape == (3, 2)
    assert P.softmax(eager(0, 3)).shape == (0, 3)  # an empty batch is fine, an empty axis not
    assert (eager(2) + [1.5, 2.5]).dtype == np.float32  # lists stay float32 operands
    assert P.tensor(np.array([1, 2], np.uint8)).dtype == np.uint8
    assert P.zeros(3).shape == (3,)


# -- placeholder feeds ---------------------------------------------------------------------------
def feed_passos(value):
    graph = G.Graph()
    with graph.as_default():
        x = G.placeholder("float32", (None, 2), name="x")
        return G.Session(graph).run(x * 2, {x: value})


def feed_v1(value):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, (None, 2), name="x")
        with tf.Session() as session:
            return session.run(x * 2, feed_dict={x: value})


def v1_max_pool(strides, padding="VALID"):
    with tf.Graph().as_default():
        return tf.nn.max_pool(tf.placeholder(tf.float32, (None, 8, 8, 1)), [1, 2, 2, 1], strides,
                              padding)


@pytest.mark.parametrize("strides, padding, error, message", [
    ([1, 1.5, 1, 1], "VALID", TypeError,
     r"^MaxPool: strides must be a positive integer or 4 positive integers, got \[1, 1\.5, 1, 1\]"),
    ([1, 0, 1, 1], "VALID", ValueError, r"^MaxPool: strides must be .* got \[1, 0, 1, 1\]$"),
    ([1, 2, 2], "VALID", ValueError, r"^MaxPool: strides must have 4 entries"),
    ([1, 2, 2, 1], 1, ValueError, r"^MaxPool: padding must be 'valid' or 'same', got 1$"),
])
def test_v1_window_arguments(strides, padding, error, message):
    with pytest.raises(error, match=message):
        v1_max_pool(strides, padding)
    assert v1_max_pool([1, 2, 2, 1], "SAME").shape == (None, 4, 4, 1)


@pytest.mark.parametrize("feed", [feed_passos, feed_v1])
@pytest.mark.parametrize("value, error, message", [
    ([["a", "b"]], TypeError, r"^feed_dict: the value fed to placeholder 'x' holds strings "
                              r"\('a'\), not numbers"),
    ([[1, 2], [1]], ValueError, r"^feed_dict: the value fed to placeholder 'x' is a ragged "
                                r"nested sequence \(lists of lengths 1, 2 at nesting level 1\)"),
    ([[1, None]], TypeError, r"^feed_dict: the value fed to placeholder 'x' holds NoneType"),
])
def test_feeds_refuse_what_is_not_numbers(feed, value, error, message):
    with pytest.raises(error, match=message):
        feed(value)
    assert feed([[1, 2]]).tolist() == [[2.0, 4.0]]


@pytest.mark.parametrize("make, message", [
    (lambda: optimizers.Adam(beta_1=1.0), r"^Adam: beta_1 must be a number in \[0, 1\), got 1\.0$"),
    (lambda: optimizers.Adam(beta_2=-0.1), r"^Adam: beta_2 must be a number in \[0, 1\)"),
    (lambda: optimizers.SGD(lr=-0.01), r"^SGD: learning_rate must be a number in \[0, inf\), got -0\.01$"),
    (lambda: optimizers.SGD(momentum=float("nan")), r"^SGD: momentum must be a number in \[0, inf\), got nan$"),
    (lambda: optimizers.RMSprop(rho=1.5), r"^RMSprop: rho must be a number in \[0, 1\], got 1\.5$"),
    (lambda: optimizers.Adagrad(epsilon=-1e-7), r"^Adagrad: epsilon must be a number in \[0, inf\)"),
    (lambda: optimizers.Adam(decay=-1), r"^Adam: decay must be a number in \[0, inf\)"),
])
def test_optimizer_hyperparameters_outside_their_ranges(make, message):
    """Values that give NaN or a wrong-way step at the first update are refused, as PyTorch does."""
    with pytest.raises(ValueError, match=message):
        make()


def test_tf1_optimizer_hyperparameters_are_checked_by_the_same_rules():
    graph = tf.Graph()
    with graph.as_default():
        w = tf.Variable([1.0, 2.0], name="w")
        with pytest.raises(ValueError, match=r"^Adam: beta_1 must be a number in \[0, 1\)"):
            tf.train.AdamOptimizer(beta1=1.0).minimize(tf.reduce_sum(w * w))


def test_a_learning_rate_set_later_is_checked_too():
    optimizer = optimizers.SGD()
    with pytest.raises(ValueError, match=r"^SGD: learning_rate must be a number in \[0, inf\)"):
        optimizer.lr = -1.0
    optimizer.lr = 0.5
    assert optimizer.get_config()["learning_rate"] == 0.5
