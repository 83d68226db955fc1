"""Keras optimizers: several steps vs the Keras 2 update formulas written out in NumPy."""
import numpy as np
import pytest

from passos import optim
from passos.keras import optimizers
from passos.keras.layers import Dense
from passos.keras.models import Sequential

EPS = 1e-7
STEPS = 6
P0 = np.array([[0.5, -1.0, 2.0], [0.0, 3.0, -0.25]])


def grad_fn(p, t):
    """A gradient that depends on the parameters and the step (a quadratic plus a drift)."""
    return 2.0 * p * np.array([1.0, 0.5, 3.0]) + np.sin(t + np.arange(p.size).reshape(p.shape))


def run_passos(opt, steps=STEPS, dtype=np.float64):
    """Trajectory of one parameter array under `opt` (updated in place by step())."""
    p = P0.astype(dtype).copy()
    path = [p.copy()]
    for t in range(steps):
        opt.step([p], [grad_fn(p.astype(np.float64), t).astype(dtype)])
        path.append(p.copy())
    return np.array(path)


def run_reference(update, steps=STEPS, **hyper):
    """Trajectory under a NumPy reference `update(p, g, state, t, **hyper) -> p` (t from 0)."""
    p = P0.copy()
    state = {}
    path = [p.copy()]
    for t in range(steps):
        p = update(p, grad_fn(p, t), state, t, **hyper)
        path.append(p.copy())
    return np.array(path)


# -- Keras 2 update rules (keras/optimizers.py, 2.2.x), iterations t counted from 0 ----------------
def decayed(lr, decay, t):
    return lr * (1.0 / (1.0 + decay * t))


def ref_sgd(p, g, s, t, lr=0.01, momentum=0.0, nesterov=False, decay=0.0):
    lr = decayed(lr, decay, t)
    v = s.get("v", np.zeros_like(p))
    v = momentum * v - lr * g
    s["v"] = v
    if nesterov:
        return p + momentum * v - lr * g
    return p + v


def ref_rmsprop(p, g, s, t, lr=0.001, rho=0.9, epsilon=EPS, decay=0.0):
    lr = decayed(lr, decay, t)
    a = rho * s.get("a", np.zeros_like(p)) + (1 - rho) * g ** 2
    s["a"] = a
    return p - lr * g / (np.sqrt(a) + epsilon)


def ref_adagrad(p, g, s, t, lr=0.01, epsilon=EPS, decay=0.0):
    lr = decayed(lr, decay, t)
    a = s.get("a", np.zeros_like(p)) + g ** 2
    s["a"] = a
    return p - lr * g / (np.sqrt(a) + epsilon)


def ref_adadelta(p, g, s, t, lr=1.0, rho=0.95, epsilon=EPS, decay=0.0):
    lr = decayed(lr, decay, t)
    a = rho * s.get("a", np.zeros_like(p)) + (1 - rho) * g ** 2
    d_a = s.get("d", np.zeros_like(p))
    update = g * np.sqrt(d_a + epsilon) / np.sqrt(a + epsilon)
    s["a"], s["d"] = a, rho * d_a + (1 - rho) * update ** 2
    return p - lr * update


def ref_adam(p, g, s, t, lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=EPS, amsgrad=False,
             decay=0.0):
    lr = decayed(lr, decay, t)
    step = t + 1
    lr_t = lr * np.sqrt(1 - beta_2 ** step) / (1 - beta_1 ** step)
    m = beta_1 * s.get("m", np.zeros_like(p)) + (1 - beta_1) * g
    v = beta_2 * s.get("v", np.zeros_like(p)) + (1 - beta_2) * g ** 2
    s["m"], s["v"] = m, v
    if amsgrad:
        vhat = np.maximum(s.get("vhat", np.zeros_like(p)), v)
        s["vhat"] = vhat
        return p - lr_t * m / (np.sqrt(vhat) + epsilon)
    return p - lr_t * m / (np.sqrt(v) + epsilon)


def ref_adamax(p, g, s, t, lr=0.002, beta_1=0.9, beta_2=0.999, epsilon=EPS, decay=0.0):
    lr = decayed(lr, decay, t)
    lr_t = lr / (1 - beta_1 ** (t + 1))
    m = beta_1 * s.get("m", np.zeros_like(p)) + (1 - beta_1) * g
    u = np.maximum(beta_2 * s.get("u", np.zeros_like(p)), np.abs(g))
    s["m"], s["u"] = m, u
    return p - lr_t * m / (u + epsilon)


CASES = [
    (optimizers.SGD, ref_sgd, {}),
    (optimizers.SGD, ref_sgd, {"lr": 0.1}),
    (optimizers.SGD, ref_sgd, {"lr": 0.05, "momentum": 0.9}),
    (optimizers.SGD, ref_sgd, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    (optimizers.SGD, ref_sgd, {"lr": 0.1, "decay": 0.5}),
    (optimizers.SGD, ref_sgd, {"lr": 0.05, "momentum": 0.8, "nesterov": True, "decay": 0.1}),
    (optimizers.RMSprop, ref_rmsprop, {}),
    (optimizers.RMSprop, ref_rmsprop, {"lr": 0.01, "rho": 0.8, "decay": 0.2}),
    (optimizers.Adagrad, ref_adagrad, {}),
    (optimizers.Adagrad, ref_adagrad, {"lr": 0.5, "epsilon": 1e-3, "decay": 0.05}),
    (optimizers.Adadelta, ref_adadelta, {}),
    (optimizers.Adadelta, ref_adadelta, {"lr": 0.5, "rho": 0.9, "epsilon": 1e-4}),
    (optimizers.Adam, ref_adam, {}),
    (optimizers.Adam, ref_adam, {"lr": 0.1, "beta_1": 0.8, "beta_2": 0.99, "decay": 0.1}),
    (optimizers.Adam, ref_adam, {"lr": 0.1, "amsgrad": True}),
    (optimizers.Adamax, ref_adamax, {}),
    (optimizers.Adamax, ref_adamax, {"lr": 0.3, "beta_1": 0.7, "beta_2": 0.9, "decay": 0.1}),
]


@pytest.mark.parametrize("cls,ref,hyper", CASES,
                         ids=[f"{c.__name__}-{'-'.join(map(str, h.items())) or 'defaults'}"
                              for c, _, h in CASES])
def test_steps_match_keras2_formulas(cls, ref, hyper):
    opt = cls(**hyper)
    ref_hyper = {("lr" if k == "lr" else k): v for k, v in hyper.items()}
    got = run_passos(opt)
    expected = run_reference(ref, **ref_hyper)
    # the trajectory moves, and matches the formula at every step
    assert not np.allclose(got[-1], got[0])
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    assert opt.iterations == STEPS


@pytest.mark.parametrize("cls,ref,hyper", CASES[:1] + CASES[2:4] + CASES[6:7] + CASES[12:16])
def test_float32_parameters_follow_the_formula(cls, ref, hyper):
    got = run_passos(cls(**hyper), dtype=np.float32)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, run_reference(ref, **hyper), rtol=2e-5, atol=1e-6)


def test_learning_rate_and_lr_are_the_same():
    a = run_passos(optimizers.Adam(learning_rate=0.05))
    b = run_passos(optimizers.Adam(lr=0.05))
    np.testing.assert_array_equal(a, b)
    opt = optimizers.SGD(lr=0.3)
    assert opt.lr == opt.learning_rate == 0.3
    opt.lr = 0.2
    assert opt.learning_rate == 0.2
    np.testing.assert_allclose(run_passos(opt, steps=1), run_reference(ref_sgd, steps=1, lr=0.2))
    with pytest.raises(TypeError, match="learning_rate or lr"):
        optimizers.SGD(lr=0.1, learning_rate=0.1)


@pytest.mark.parametrize("cls,expected", [
    (optimizers.SGD, {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False, "decay": 0.0}),
    (optimizers.RMSprop, {"learning_rate": 0.001, "rho": 0.9, "epsilon": 1e-7, "decay": 0.0}),
    (optimizers.Adagrad, {"learning_rate": 0.01, "epsilon": 1e-7, "decay": 0.0}),
    (optimizers.Adadelta, {"learning_rate": 1.0, "rho": 0.95, "epsilon": 1e-7, "decay": 0.0}),
    (optimizers.Adam, {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7,
                       "amsgrad": False, "decay": 0.0}),
    (optimizers.Adamax, {"learning_rate": 0.002, "beta_1": 0.9, "beta_2": 0.999,
                         "epsilon": 1e-7, "decay": 0.0}),
])
def test_defaults_are_keras2(cls, expected):
    opt = cls()
    for key, value in expected.items():
        assert opt.hyper[key] == value, key
    assert opt.lr == expected["learning_rate"]
    config = opt.get_config()
    assert config["name"] == cls.__name__
    assert {k: config[k] for k in expected} == expected


@pytest.mark.parametrize("name,cls", [("sgd", optimizers.SGD), ("SGD", optimizers.SGD),
                                      ("rmsprop", optimizers.RMSprop),
                                      ("RMSprop", optimizers.RMSprop),
                                      ("adagrad", optimizers.Adagrad),
                                      ("adadelta", optimizers.Adadelta),
                                      ("adam", optimizers.Adam), ("Adam", optimizers.Adam),
                                      ("adamax", optimizers.Adamax)])
def test_get_by_name_gives_fresh_default_instances(name, cls):
    opt = optimizers.get(name)
    assert isinstance(opt, cls)
    assert isinstance(opt, optim.Optimizer)
    assert opt.hyper == cls().hyper
    assert optimizers.get(name) is not opt  # no shared state between models


def test_get_instance_and_config():
    opt = optimizers.Adam(lr=0.02)
    assert optimizers.get(opt) is opt
    clone = optimizers.get(opt.get_config())
    assert type(clone).__name__ == "Adam" and clone.hyper == opt.hyper
    clone = optimizers.get({"class_name": "SGD", "config": {"learning_rate": 0.5,
                                                            "momentum": 0.9}})
    assert isinstance(clone, optimizers.SGD) and clone.lr == 0.5 and clone.hyper["momentum"] == 0.9
    # the shared rule classes are accepted too
    rule = optim.RMSprop(learning_rate=0.1)
    assert optimizers.get(rule) is rule


def test_unknown_names_and_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match=r"unknown optimizer 'adamw'.*'adam'.*'sgd'"):
        optimizers.get("adamw")
    with pytest.raises(ValueError, match="unknown optimizer"):
        optimizers.get(42)
    with pytest.raises(TypeError, match=r"SGD: unknown argument\(s\) \['momentun'\]"):
        optimizers.SGD(momentun=0.9)
    with pytest.raises(TypeError, match="Adam"):
        optimizers.Adam(beta1=0.9)


def test_none_gradient_is_skipped_and_slots_are_per_parameter():
    opt = optimizers.SGD(lr=0.1, momentum=0.9)
    a, b = np.ones(2), np.ones(3)
    opt.step([a, b], [np.ones(2), None])
    np.testing.assert_allclose(a, 0.9)
    np.testing.assert_array_equal(b, 1.0)
    opt.step([a, b], [np.ones(2), np.ones(3)])
    # a has velocity from step 1, b starts fresh
    np.testing.assert_allclose(a, 0.9 - 0.09 - 0.1)
    np.testing.assert_allclose(b, 0.9)


def test_decay_uses_iterations_before_the_step():
    opt = optimizers.SGD(lr=1.0, decay=1.0)
    p = np.zeros(1)
    for _ in range(3):
        opt.step([p], [np.ones(1)])
    # lr / (1 + decay * t) for t = 0, 1, 2
    np.testing.assert_allclose(p, -(1 + 1 / 2 + 1 / 3))


# -- optimizers inside a compiled model: one train_on_batch = one formula step ---------------------
@pytest.mark.parametrize("opt,ref,hyper", [
    (lambda: optimizers.SGD(lr=0.1), ref_sgd, {"lr": 0.1}),
    (lambda: optimizers.SGD(lr=0.1, momentum=0.9, nesterov=True), ref_sgd,
     {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    (lambda: "adam", ref_adam, {}),
    (lambda: optimizers.RMSprop(lr=0.01), ref_rmsprop, {"lr": 0.01}),
])
def test_model_train_on_batch_applies_the_formula(opt, ref, hyper):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 3)).astype(np.float32)
    y = rng.normal(size=(8, 1)).astype(np.float32)
    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile(optimizer=opt(), loss="mse")
    w = rng.normal(size=(3, 1))
    b = np.array([0.1])
    model.set_weights([w, b])
    state_w, state_b = {}, {}
    for t in range(3):
        loss = model.train_on_batch(x, y)
        # mse gradient, by hand: d/dW mean((xW + b - y)^2) = 2/n x^T (xW + b - y)
        err = x @ w + b - y
        assert loss == pytest.approx(float((err ** 2).mean()), rel=1e-5)
        gw, gb = 2 * x.T @ err / len(x), 2 * err.sum(0) / len(x)
        w = ref(w, gw, state_w, t, **hyper)
        b = ref(b, gb, state_b, t, **hyper)
        got_w, got_b = model.get_weights()
        np.testing.assert_allclose(got_w, w, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(got_b, b, rtol=1e-4, atol=1e-6)


# -- PyTorch trajectories, where the rules coincide ------------------------------------------------
TORCH_CASES = [
    ("SGD", {"lr": 0.1}, {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}, {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True},
     {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("RMSprop", {"lr": 0.01, "rho": 0.9}, {"lr": 0.01, "alpha": 0.9, "eps": 1e-7}),
    ("Adagrad", {"lr": 0.1}, {"lr": 0.1, "eps": 1e-7}),
    ("Adadelta", {"lr": 1.0, "rho": 0.95}, {"lr": 1.0, "rho": 0.95, "eps": 1e-7}),
    # Adam: Keras puts epsilon outside the bias correction; with eps tiny they agree closely
    ("Adam", {"lr": 0.01, "epsilon": 1e-12}, {"lr": 0.01, "eps": 1e-12}),
    ("Adam", {"lr": 0.01, "epsilon": 1e-12, "amsgrad": True},
     {"lr": 0.01, "eps": 1e-12, "amsgrad": True}),
]


@pytest.mark.parametrize("name,ours,theirs", TORCH_CASES,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(TORCH_CASES)])
def test_trajectories_match_torch(name, ours, theirs):
    torch = pytest.importorskip("torch")
    p = torch.tensor(P0, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, name)([p], **theirs)
    path = [P0.copy()]
    for t in range(STEPS):
        opt.zero_grad()
        p.grad = torch.tensor(grad_fn(p.detach().numpy(), t))
        opt.step()
        path.append(p.detach().numpy().copy())
    np.testing.assert_allclose(run_passos(getattr(optimizers, name)(**ours)), np.array(path),
                               rtol=1e-7, atol=1e-9)
