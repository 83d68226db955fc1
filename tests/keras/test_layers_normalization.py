"""BatchNormalization: weights, batch statistics, Keras 2 moving averages, eager and compiled."""
import json

import numpy as np
import pytest

import passos as P
from passos.keras import layers as L
from passos.keras import optimizers
from passos.keras.models import Sequential

RNG = np.random.default_rng(77)
EPS = 1e-3  # Keras 2's default epsilon


def arr(*shape, mean=0.0, std=1.0):
    return (RNG.normal(size=shape) * std + mean).astype(np.float32)


def summary_lines(model):
    lines = []
    model.summary(print_fn=lines.append)
    return "\n".join(lines)


def features_last(x, axis):
    """x with the feature axis moved last and the rest flattened: (n, features)."""
    x = np.moveaxis(np.asarray(x, np.float64), axis, -1)
    return x.reshape(-1, x.shape[-1])


def np_batch_norm(x, axis, mean, variance, gamma=1.0, beta=0.0, epsilon=EPS):
    """gamma (x - mean) / sqrt(variance + epsilon) + beta, per feature along `axis`."""
    shape = [1] * x.ndim
    shape[axis] = -1

    def b(v):
        return np.reshape(np.broadcast_to(v, (x.shape[axis],)), shape)
    return b(gamma) * (x - b(mean)) / np.sqrt(b(variance) + epsilon) + b(beta)


# -- weights --------------------------------------------------------------------------------------
def test_weights_shapes_initial_values_and_keras_counts():
    layer = L.BatchNormalization()
    layer(P.tensor(arr(4, 32)))
    assert [w.shape for w in layer.weights] == [(32,)] * 4
    assert layer.count_params() == 128
    assert len(layer.trainable_weights) == 2 and len(layer.non_trainable_weights) == 2
    assert sum(w.data.size for w in layer.trainable_weights) == 64
    gamma, beta, moving_mean, moving_variance = layer.get_weights()
    np.testing.assert_array_equal(gamma, 1)
    np.testing.assert_array_equal(beta, 0)
    np.testing.assert_array_equal(moving_mean, 0)
    np.testing.assert_array_equal(moving_variance, 1)
    assert [w.name.split("/")[-1] for w in layer.weights] == [
        "gamma", "beta", "moving_mean", "moving_variance"]
    assert layer.moving_mean.requires_grad is False and layer.gamma.requires_grad is True


def test_summary_after_conv_counts_trainable_and_non_trainable():
    model = Sequential([L.Conv2D(32, 3, input_shape=(28, 28, 1)), L.BatchNormalization()])
    assert model.output_shape == (None, 26, 26, 32)
    assert model.layers[1].output_shape_built == (None, 26, 26, 32)
    assert model.layers[1].count_params() == 128
    text = summary_lines(model)
    assert "Total params: 448" in text
    assert "Trainable params: 384" in text and "Non-trainable params: 64" in text


@pytest.mark.parametrize("center,scale,total,trainable", [
    (False, True, 96, 32), (True, False, 96, 32), (False, False, 64, 0)])
def test_center_and_scale_off_drop_beta_and_gamma(center, scale, total, trainable):
    layer = L.BatchNormalization(center=center, scale=scale)
    x = arr(8, 32, mean=2.0, std=3.0)
    y = layer(P.tensor(x), training=True).numpy()
    assert layer.count_params() == total
    assert sum(w.data.size for w in layer.trainable_weights) == trainable
    np.testing.assert_allclose(y, np_batch_norm(x, 1, x.mean(0), x.var(0)), rtol=1e-4, atol=1e-5)


def test_trainable_false_makes_every_weight_non_trainable():
    model = Sequential([L.BatchNormalization(trainable=False, input_shape=(5,))])
    assert model.layers[0].trainable_weights == []
    assert len(model.layers[0].non_trainable_weights) == 4  # gamma, beta and the moving stats
    assert "Trainable params: 0" in summary_lines(model)
    gamma, beta = (w.copy() for w in model.get_weights()[:2])
    model.compile(loss="mse", optimizer=optimizers.SGD(learning_rate=0.5))
    model.fit(arr(8, 5), arr(8, 5), batch_size=4, epochs=1, verbose=0)
    np.testing.assert_array_equal(model.get_weights()[0], gamma)
    np.testing.assert_array_equal(model.get_weights()[1], beta)


# -- output shapes --------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,axis", [((6, 4), -1), ((3, 5, 4), -1), ((2, 3, 3, 4), -1),
                                        ((2, 4, 3, 3), 1), ((2, 2, 2, 2, 4), 4)])
def test_output_shape_eager_and_in_sequential(shape, axis):
    layer = L.BatchNormalization(axis=axis)
    assert layer(P.tensor(arr(*shape))).shape == shape
    assert layer.weights[0].shape == (shape[axis],)
    model = Sequential([L.BatchNormalization(axis=axis, input_shape=shape[1:])])
    assert model.output_shape == (None,) + shape[1:]


# -- training mode: batch statistics --------------------------------------------------------------
@pytest.mark.parametrize("shape,axis", [((64, 5), -1), ((8, 4, 4, 3), -1), ((8, 3, 4, 4), 1)])
def test_training_output_has_zero_mean_unit_variance_per_feature(shape, axis):
    feature_shape = [1] * len(shape)
    feature_shape[axis] = shape[axis]
    # features with very different means and scales
    x = (arr(*shape) * (1 + 4 * RNG.random(feature_shape))
         + 10 * RNG.normal(size=feature_shape)).astype(np.float32)
    layer = L.BatchNormalization(axis=axis)
    y = layer(P.tensor(x), training=True).numpy()
    flat, xs = features_last(y, axis), features_last(x, axis)
    np.testing.assert_allclose(flat.mean(0), 0, atol=1e-5)
    v = xs.var(0)
    np.testing.assert_allclose(flat.var(0), v / (v + EPS), rtol=1e-4)  # epsilon's small bias
    np.testing.assert_allclose(flat.var(0), 1, atol=2e-3)
    # with gamma and beta: scaled then shifted
    gamma, beta = RNG.normal(size=shape[axis]), RNG.normal(size=shape[axis])
    layer.set_weights([gamma, beta] + layer.get_weights()[2:])
    y = layer(P.tensor(x), training=True).numpy()
    np.testing.assert_allclose(features_last(y, axis).mean(0), beta, atol=1e-5)
    expected = np_batch_norm(x.astype(np.float64), axis % len(shape), xs.mean(0), v, gamma, beta)
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("shape,axis,momentum", [((16, 3), -1, 0.99), ((4, 3, 2, 5), -1, 0.9),
                                                 ((4, 3, 2, 5), 1, 0.5)])
def test_eager_training_moving_averages_follow_momentum_with_unbiased_variance(shape, axis,
                                                                               momentum):
    layer = L.BatchNormalization(axis=axis, momentum=momentum)
    mean, variance = 0.0, 1.0  # Keras' initial moving statistics
    for step in range(3):
        x = arr(*shape, mean=step + 1.0, std=step + 2.0)
        layer(P.tensor(x), training=True)
        xs = features_last(x, axis)
        n = xs.shape[0]
        mean = momentum * mean + (1 - momentum) * xs.mean(0)
        # Keras 2 keeps the unbiased variance: the batch variance times n / (n - 1)
        variance = momentum * variance + (1 - momentum) * xs.var(0) * n / (n - 1)
        np.testing.assert_allclose(layer.moving_mean.data, mean, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(layer.moving_variance.data, variance, rtol=1e-5)
    assert layer.moving_mean.dtype == np.float32


def test_eager_training_updates_moving_stats_for_numpy_inputs_too():
    x = arr(10, 3, mean=4.0, std=2.0)
    for data in (P.tensor(x), x):
        layer = L.BatchNormalization()
        layer(data, training=True)
        np.testing.assert_allclose(layer.moving_mean.data, 0.01 * x.mean(0), rtol=1e-5)
        np.testing.assert_allclose(layer.moving_variance.data,
                                   0.99 + 0.01 * x.var(0, ddof=1), rtol=1e-5)


def test_training_and_moving_stats_vs_torch():
    torch = pytest.importorskip("torch")
    x = arr(6, 3, 2, 4, mean=1.5, std=2.0)  # channels_last: features on axis -1
    layer = L.BatchNormalization(momentum=0.9)
    layer(P.tensor(x))
    gamma, beta = RNG.normal(size=4), RNG.normal(size=4)
    layer.set_weights([gamma, beta, np.zeros(4), np.ones(4)])
    running_mean = torch.zeros(4, dtype=torch.float64)
    running_var = torch.ones(4, dtype=torch.float64)
    for step in range(2):
        batch = x + step
        y = layer(P.tensor(batch), training=True).numpy()
        # torch's momentum weighs the new value: Keras' 0.9 is torch's 0.1
        expected = torch.nn.functional.batch_norm(
            torch.from_numpy(batch.transpose(0, 3, 1, 2).astype(np.float64)), running_mean,
            running_var, torch.from_numpy(gamma), torch.from_numpy(beta), training=True,
            momentum=0.1, eps=EPS).numpy().transpose(0, 2, 3, 1)
        np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(layer.moving_mean.data, running_mean.numpy(), rtol=1e-5)
        np.testing.assert_allclose(layer.moving_variance.data, running_var.numpy(), rtol=1e-5)
    # inference against torch's eval mode
    y = layer(P.tensor(x)).numpy()
    expected = torch.nn.functional.batch_norm(
        torch.from_numpy(x.transpose(0, 3, 1, 2).astype(np.float64)), running_mean, running_var,
        torch.from_numpy(gamma), torch.from_numpy(beta), training=False,
        eps=EPS).numpy().transpose(0, 2, 3, 1)
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-5)


# -- inference mode: moving averages --------------------------------------------------------------
@pytest.mark.parametrize("shape,axis", [((5, 4), -1), ((2, 4, 3, 3), 1)])
def test_inference_uses_the_moving_averages_and_leaves_them(shape, axis):
    layer = L.BatchNormalization(axis=axis)
    x = arr(*shape, mean=3.0)
    layer(P.tensor(x))
    n = shape[axis]
    weights = [RNG.normal(size=n), RNG.normal(size=n), RNG.normal(size=n), 0.5 + RNG.random(n)]
    layer.set_weights(weights)
    expected = np_batch_norm(x.astype(np.float64), axis % len(shape), weights[2], weights[3],
                             weights[0], weights[1])
    np.testing.assert_allclose(layer(P.tensor(x)).numpy(), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(layer(P.tensor(x), training=False).numpy(), expected, rtol=1e-5,
                               atol=1e-5)
    for before, after in zip(weights, layer.get_weights()):
        np.testing.assert_allclose(after, before, rtol=1e-6)  # nothing moved
    # the fresh layer's inference is x / sqrt(1 + epsilon): moving mean 0, variance 1
    fresh = L.BatchNormalization(axis=axis)
    np.testing.assert_allclose(fresh(P.tensor(x)).numpy(), x / np.sqrt(1 + EPS), rtol=1e-6)


# -- compiled models (graph mode) -----------------------------------------------------------------
def test_compiled_train_step_updates_moving_stats_exactly_and_trains_gamma_beta():
    x, y = arr(16, 4, mean=2.0, std=3.0), arr(16, 1)
    model = Sequential([L.BatchNormalization(input_shape=(4,)), L.Dense(1)])
    model.compile(loss="mse", optimizer=optimizers.SGD(learning_rate=0.1))
    bn = model.layers[0]
    # predict and evaluate run the inference plan: no update
    dense_w, dense_b = model.layers[1].get_weights()
    np.testing.assert_allclose(model.predict(x), x / np.sqrt(1 + EPS) @ dense_w + dense_b,
                               rtol=1e-5, atol=1e-5)
    model.evaluate(x, y, verbose=0)
    np.testing.assert_array_equal(bn.get_weights()[2], 0)
    np.testing.assert_array_equal(bn.get_weights()[3], 1)
    model.train_on_batch(x, y)
    gamma, beta, moving_mean, moving_variance = bn.get_weights()
    np.testing.assert_allclose(moving_mean, 0.01 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(moving_variance, 0.99 + 0.01 * x.var(0, ddof=1), rtol=1e-5)
    assert not np.allclose(gamma, 1) and not np.allclose(beta, 0)
    # the inference plan now reads the new moving averages and gamma/beta
    dense_w, dense_b = model.layers[1].get_weights()
    expected = np_batch_norm(x, 1, moving_mean, moving_variance, gamma, beta) @ dense_w + dense_b
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-4, atol=1e-5)


def test_fit_moving_stats_follow_every_batch_in_order():
    x, y = arr(24, 3, mean=-1.0, std=2.0), arr(24, 3)
    model = Sequential([L.BatchNormalization(momentum=0.8, input_shape=(3,))])
    model.compile(loss="mse", optimizer="sgd")
    model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    mean, variance = np.zeros(3), np.ones(3)
    for _ in range(3):
        for start in range(0, 24, 8):
            batch = x[start:start + 8].astype(np.float64)
            mean = 0.8 * mean + 0.2 * batch.mean(0)
            variance = 0.8 * variance + 0.2 * batch.var(0, ddof=1)
    layer = model.layers[0]
    np.testing.assert_allclose(layer.moving_mean.data, mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.moving_variance.data, variance, rtol=1e-5)


def test_compiled_train_step_after_conv_counts_every_cell_in_the_variance():
    """After a conv, statistics are over batch, rows and cols: n = N * H * W."""
    x, y = arr(4, 5, 5, 2), arr(4, 3 * 3 * 3)
    conv = L.Conv2D(3, 3, input_shape=(5, 5, 2))
    model = Sequential([conv, L.BatchNormalization(momentum=0.9), L.Flatten()])
    model.compile(loss="mse", optimizer=optimizers.SGD(learning_rate=0.1))
    h = features_last(conv(P.tensor(x)).numpy(), -1)  # with the kernel before the step
    assert h.shape == (4 * 3 * 3, 3)
    bn = model.layers[1]
    model.train_on_batch(x, y)
    np.testing.assert_allclose(bn.moving_mean.data, 0.1 * h.mean(0), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.data, 0.9 + 0.1 * h.var(0, ddof=1), rtol=1e-4)
    gamma, beta = bn.get_weights()[:2]
    assert not np.allclose(gamma, 1) and not np.allclose(beta, 0)


def test_the_moving_average_update_is_one_op_eager_and_in_plans():
    """No graph branch: the same update op runs now (eager) and as a plan's update node."""
    from passos.graph.graph import Graph, placeholder
    from passos.graph.session import Session
    from passos.ops.moving_average import MovingAverageUpdate
    x = arr(8, 3, mean=1.0)
    bn = L.BatchNormalization(momentum=0.5)
    for _ in range(3):  # eager: the weights move now, nothing is kept for plans
        bn(P.tensor(x), training=True)
    assert bn._updates == []
    np.testing.assert_allclose(bn.moving_mean.data, 0.875 * x.mean(0), rtol=1e-6)
    with Graph().as_default() as graph:
        bn(placeholder("float32", (None, 3)), training=True)
    assert [type(u.primitive) for u in bn._updates] == [MovingAverageUpdate] * 2
    # the updates read the layer's weights live: each run moves them again
    session, feed = Session(graph), {graph.get_tensor_by_name("placeholder"): x}
    mean, _ = session.run(bn._updates, feed)
    np.testing.assert_allclose(bn.moving_mean.data, 0.9375 * x.mean(0), rtol=1e-6)
    # a fetched value is a copy: later updates do not change it under the caller
    assert not np.shares_memory(mean, bn.moving_mean.data)
    session.run(bn._updates, feed)
    np.testing.assert_allclose(mean, 0.9375 * x.mean(0), rtol=1e-6)
    np.testing.assert_allclose(bn.moving_mean.data, 0.96875 * x.mean(0), rtol=1e-6)


def test_moving_average_update_checks_shapes():
    from passos.graph.graph import Graph, placeholder
    from passos.ops.moving_average import moving_average_update
    with Graph().as_default():
        with pytest.raises(P.ShapeError, match=r"moving_average_update: the average has shape "
                                               r"\(3,\), the value has shape \(4,\)"):
            moving_average_update(P.tensor(np.zeros(3)), placeholder("float32", (4,)), 0.9)


# -- gradients ------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,axis,training", [((5, 3), -1, True), ((5, 3), -1, False),
                                                 ((2, 2, 3, 2), 1, True),
                                                 ((2, 2, 2, 3), -1, True)])
def test_gradcheck_input_float64(shape, axis, training):
    layer = L.BatchNormalization(axis=axis, dtype="float64")
    x = RNG.normal(size=shape) * 2 + 1
    layer(P.tensor(x))
    n = shape[axis]
    layer.set_weights([RNG.normal(size=n), RNG.normal(size=n), RNG.normal(size=n),
                       0.5 + RNG.random(n)])
    assert P.gradcheck(lambda t: layer(t, training=training), x)


def test_gamma_and_beta_gradients_vs_finite_differences(weight_gradients_match):
    layer = L.BatchNormalization(dtype="float64")
    x = RNG.normal(size=(6, 3)) * 2 + 1
    layer(P.tensor(x))
    layer.set_weights([RNG.normal(size=3), RNG.normal(size=3), np.zeros(3), np.ones(3)])
    r = RNG.normal(size=(6, 3))
    weight_gradients_match(layer, x, r, training=True)
    # the independent formula: dgamma = sum(r * x_hat), dbeta = sum(r)
    x_hat = (x - x.mean(0)) / np.sqrt(x.var(0) + EPS)
    np.testing.assert_allclose(layer.gamma.grad, (r * x_hat).sum(0), rtol=1e-10)
    np.testing.assert_allclose(layer.beta.grad, r.sum(0), rtol=1e-10)
    assert layer.moving_mean.grad is None and layer.moving_variance.grad is None


# -- configuration and errors ---------------------------------------------------------------------
def test_config_round_trip():
    layer = L.BatchNormalization(axis=1, momentum=0.9, epsilon=1e-5, center=False,
                                 gamma_initializer="random_normal",
                                 moving_variance_initializer="zeros", name="bn_1",
                                 input_shape=(3, 4, 4))
    config = layer.get_config()
    assert config["axis"] == 1 and config["momentum"] == 0.9 and config["epsilon"] == 1e-5
    assert config["center"] is False and config["scale"] is True and config["name"] == "bn_1"
    assert json.loads(json.dumps(config)) == config
    clone = L.BatchNormalization.from_config(config)
    assert clone.get_config() == config
    clone(P.tensor(arr(2, 3, 4, 4)))
    assert [w.shape for w in clone.weights] == [(3,)] * 3
    np.testing.assert_array_equal(clone.moving_variance.data, 0)


def test_wrong_feature_count_and_axis_are_clear_errors():
    layer = L.BatchNormalization(name="bn_a")
    layer(P.tensor(arr(2, 3)))
    with pytest.raises(ValueError, match=r"BatchNormalization 'bn_a' was built for 3 features "
                                         r"on axis -1, got inputs of shape \(2, 4\)"):
        layer(P.tensor(arr(2, 4)))
    with pytest.raises(ValueError, match=r"BatchNormalization 'bn_b' has axis 3, out of range "
                                         r"for inputs of shape \(\?, 3\)"):
        L.BatchNormalization(axis=3, name="bn_b")(P.tensor(arr(2, 3)))
    # a channels_first axis on channels_last data: caught when the next input disagrees
    bn = L.BatchNormalization(axis=1, name="bn_c")
    Sequential([L.Conv2D(4, 3, input_shape=(6, 6, 2)), bn])
    assert bn.weights[0].shape == (4,)
    with pytest.raises(ValueError, match=r"'bn_c' was built for 4 features on axis 1, got "
                                         r"inputs of shape \(1, 5, 4, 4\)"):
        bn(P.tensor(arr(1, 5, 4, 4)))
