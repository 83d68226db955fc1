"""Nadam against Keras 2.2.4's update in NumPy; clipnorm/clipvalue against hand values; aliases."""
import numpy as np
import pytest

from passos.keras import optimizers
from passos.keras.layers import Dense
from passos.keras.models import Sequential

P0 = np.array([[0.5, -1.0, 2.0], [0.0, 3.0, -0.25]])
Q0 = np.array([1.5, -0.5])


def grads_at(p, q, t):
    """Gradients that depend on the parameters and the step."""
    return 2.0 * p + np.sin(t + np.arange(6).reshape(2, 3)), q * np.cos(t) - 0.3


def ref_nadam(steps, lr=0.002, beta_1=0.9, beta_2=0.999, epsilon=1e-7, schedule_decay=0.004):
    """Keras 2.2.4's Nadam.get_updates, written out step by step for two parameters."""
    params, m_schedule = [P0.copy(), Q0.copy()], 1.0
    ms, vs = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params]
    for step in range(steps):
        t = step + 1.0
        momentum_cache_t = beta_1 * (1.0 - 0.5 * 0.96 ** (t * schedule_decay))
        momentum_cache_t_1 = beta_1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * schedule_decay))
        m_schedule_new = m_schedule * momentum_cache_t
        m_schedule_next = m_schedule * momentum_cache_t * momentum_cache_t_1
        m_schedule = m_schedule_new
        for i, g in enumerate(grads_at(*params, step)):
            g_prime = g / (1.0 - m_schedule_new)
            ms[i] = beta_1 * ms[i] + (1.0 - beta_1) * g
            m_t_prime = ms[i] / (1.0 - m_schedule_next)
            vs[i] = beta_2 * vs[i] + (1.0 - beta_2) * g ** 2
            v_t_prime = vs[i] / (1.0 - beta_2 ** t)
            m_t_bar = (1.0 - momentum_cache_t) * g_prime + momentum_cache_t_1 * m_t_prime
            params[i] = params[i] - lr * m_t_bar / (np.sqrt(v_t_prime) + epsilon)
    return params


def run(opt, steps):
    params = [P0.copy(), Q0.copy()]
    for t in range(steps):
        opt.step(params, list(grads_at(*params, t)))
    return params


@pytest.mark.parametrize("hyper", [{}, {"lr": 0.05, "beta_1": 0.8, "schedule_decay": 0.05}])
def test_nadam_follows_keras_2_2_4(hyper):
    for got, want in zip(run(optimizers.Nadam(**hyper), 8), ref_nadam(8, **hyper)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_nadam_resumes_its_schedule_from_a_restored_iteration_count():
    opt = optimizers.Nadam(lr=0.05)
    params = run(opt, 5)
    resumed = optimizers.Nadam(lr=0.05)  # as load_model restores it: iterations and slots
    resumed.iterations = opt.iterations
    copies = [p.copy() for p in params]
    resumed.slots = {id(c): {k: a.copy() for k, a in opt.slots[id(p)].items()}
                     for c, p in zip(copies, params)}
    opt.step(params, list(grads_at(*params, 5)))
    resumed.step(copies, list(grads_at(*copies, 5)))
    for got, want in zip(copies, params):
        np.testing.assert_allclose(got, want, rtol=1e-13)
    for got, want in zip(params, ref_nadam(6, lr=0.05)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_nadam_by_name_trains_a_model():
    x = np.random.default_rng(0).normal(size=(32, 3)).astype(np.float32)
    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile("nadam", "mse")
    assert isinstance(model.optimizer, optimizers.Nadam) and model.optimizer.lr == 0.002
    history = model.fit(x, x.sum(1, keepdims=True), epochs=3, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_clipnorm_scales_all_gradients_by_their_joint_norm():
    # Keras 2.2.4: norm = sqrt(sum of every gradient's squares) = 13; each gradient times 2.6 / 13
    p, q = np.zeros(2), np.zeros(1)
    optimizers.SGD(lr=1.0, clipnorm=2.6).step([p, q], [np.array([3.0, 4.0]), np.array([12.0])])
    np.testing.assert_allclose(p, [-0.6, -0.8])
    np.testing.assert_allclose(q, [-2.4])
    small = np.zeros(2)  # a norm under clipnorm leaves the gradient as it is
    optimizers.SGD(lr=1.0, clipnorm=10.0).step([small], [np.array([3.0, 4.0])])
    np.testing.assert_allclose(small, [-3.0, -4.0])


def test_clipvalue_clips_each_value_after_clipnorm():
    p = np.zeros(3)
    optimizers.SGD(lr=0.5, clipvalue=1.0).step([p], [np.array([3.0, -0.25, -2.0])])
    np.testing.assert_allclose(p, [-0.5, 0.125, 0.5])
    q = np.zeros(2)  # clipnorm 5 -> 0.5 * (3, 4) = (1.5, 2), then clipvalue 1.8 -> (1.5, 1.8)
    np.testing.assert_allclose(optimizers.SGD(clipnorm=2.5, clipvalue=1.8).clip(
        [np.array([3.0, 4.0])])[0], [1.5, 1.8])
    g = np.array([3.0, 4.0])
    optimizers.SGD(clipnorm=1.0).step([q], [g])
    np.testing.assert_array_equal(g, [3.0, 4.0])  # the gradient itself is not changed


@pytest.mark.parametrize("clip", [{"clipnorm": 0.01}, {"clipvalue": 0.004}])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_compiled_training_step_clips(clip, momentum):
    # one Dense(1) without bias on MSE: gradient 2/n x^T (x W - y), worked out here in NumPy
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(8, 3)).astype(np.float32), rng.normal(size=(8, 1)).astype(np.float32)
    model = Sequential([Dense(1, use_bias=False, input_shape=(3,))])
    model.compile(optimizers.SGD(lr=0.5, momentum=momentum, **clip), "mse")
    w0 = model.get_weights()[0].astype(np.float64)
    g = 2.0 / len(x) * x.T.astype(np.float64) @ (x @ w0 - y)
    if "clipnorm" in clip:
        g = g * min(1.0, clip["clipnorm"] / np.linalg.norm(g))
    else:
        g = np.clip(g, -clip["clipvalue"], clip["clipvalue"])
    model.train_on_batch(x, y)
    np.testing.assert_allclose(model.get_weights()[0], w0 - 0.5 * g, rtol=1e-5, atol=1e-7)


def test_lowercase_aliases_and_config():
    assert optimizers.sgd is optimizers.SGD and optimizers.nadam is optimizers.Nadam
    for name in ("sgd", "rmsprop", "adagrad", "adadelta", "adam", "adamax", "nadam"):
        opt = getattr(optimizers, name)(lr=0.01, clipnorm=1.0, clipvalue=0.5)
        assert opt.lr == 0.01 and type(opt) is type(optimizers.get(name))
        config = opt.get_config()
        assert config["clipnorm"] == 1.0 and config["clipvalue"] == 0.5
        again = optimizers.get({"class_name": type(opt).__name__, "config": config})
        assert (again.clipnorm, again.clipvalue, again.lr) == (1.0, 0.5, 0.01)
    assert "clipnorm" not in optimizers.Adam().get_config()
    assert optimizers.Adam(epsilon=None).hyper["epsilon"] == 1e-7  # Keras 2.2's signature


def test_bad_clip_values_name_the_optimizer():
    with pytest.raises(ValueError, match=r"Adam: clipnorm must be a number in \[0, inf\), got -1"):
        optimizers.Adam(clipnorm=-1)
    with pytest.raises(TypeError, match=r"SGD: clipvalue must be a number"):
        optimizers.SGD(clipvalue="big")
    with pytest.raises(TypeError, match=r"Nadam: unknown argument\(s\) \['clip_norm'\]"):
        optimizers.Nadam(clip_norm=1.0)
