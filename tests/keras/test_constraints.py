"""Weight constraints: the projections against NumPy, applied after every training step,
names and configs, errors."""
import numpy as np
import pytest

import passos as P
from passos.keras import callbacks, constraints as C, layers as L
from passos.keras.models import Sequential

RNG = np.random.default_rng(7)


def norms(w, axis=0):
    return np.sqrt(np.sum(w ** 2, axis=axis))


def test_projections_against_numpy():
    w = RNG.normal(size=(4, 3)) * 3
    clipped = C.max_norm(1.5)(w)
    np.testing.assert_allclose(clipped, w * np.minimum(norms(w), 1.5) / (1e-7 + norms(w)))
    assert np.all(norms(clipped) <= 1.5 + 1e-6)
    np.testing.assert_allclose(norms(C.unit_norm(axis=1)(w), axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(C.non_neg()(w), np.where(w >= 0, w, 0))
    half = C.min_max_norm(1.0, 2.0, rate=0.5)(w)
    desired = 0.5 * np.clip(norms(w), 1.0, 2.0) + 0.5 * norms(w)
    np.testing.assert_allclose(norms(half), desired, rtol=1e-6)
    np.testing.assert_allclose(C.max_norm(1.0, axis=[0, 1])(P.tensor(w)), w / norms(w.ravel()),
                               rtol=1e-6)


def test_names_configs_and_round_trips():
    assert C.max_norm is C.MaxNorm and C.non_neg is C.NonNeg and C.unit_norm is C.UnitNorm
    assert isinstance(C.get("max_norm"), C.MaxNorm) and isinstance(C.get("nonneg"), C.NonNeg)
    constraint = C.MinMaxNorm(0.5, 3.0, rate=0.25, axis=[0, 1])
    config = C.serialize(constraint)
    assert config == {"class_name": "MinMaxNorm", "config": {
        "min_value": 0.5, "max_value": 3.0, "rate": 0.25, "axis": [0, 1]}}
    assert C.get(config).get_config() == constraint.get_config()
    assert C.get(None) is None and C.serialize(None) is None
    layer = L.Dense(2, kernel_constraint=C.max_norm(2.0), bias_constraint="non_neg")
    config = layer.get_config()
    assert config["kernel_constraint"] == {"class_name": "MaxNorm",
                                           "config": {"max_value": 2.0, "axis": 0}}
    assert L.Dense.from_config(config).get_config() == config


def test_bad_arguments_give_clear_errors():
    with pytest.raises(ValueError, match=r"MaxNorm.*max_value"):
        C.max_norm(-1)
    with pytest.raises(ValueError, match=r"MinMaxNorm: min_value 2.0 is above max_value 1.0"):
        C.min_max_norm(2.0, 1.0)
    with pytest.raises(ValueError, match=r"UnitNorm: axis must be an int"):
        C.unit_norm(axis="rows")
    with pytest.raises(ValueError, match=r"unknown constraint 'max'"):
        C.get("max")
    with pytest.raises(ValueError, match=r"Conv2D 'c' argument kernel_constraint: could not"):
        L.Conv2D(2, 3, kernel_constraint=1.5, name="c")


class Watch(callbacks.Callback):
    """Record the weights after every batch."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def on_batch_end(self, batch, logs=None):
        self.seen.append(self.model.get_weights())


def test_constraints_hold_after_every_training_step():
    model = Sequential([L.Dense(3, input_shape=(4,), kernel_constraint=C.max_norm(0.5),
                                bias_constraint=C.non_neg(), bias_initializer="ones"),
                        L.Dense(1, kernel_constraint=C.unit_norm())])
    model.compile(P.keras.optimizers.SGD(lr=0.5), "mse")
    x = RNG.normal(size=(32, 4)).astype("float32")
    y = (10 * x.sum(1, keepdims=True)).astype("float32")  # big targets pull the weights far
    watch = Watch()
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[watch])
    assert len(watch.seen) == 8
    for kernel, bias, kernel2, _ in watch.seen:
        assert np.all(norms(kernel) <= 0.5 + 1e-6)
        assert np.all(bias >= 0)
        np.testing.assert_allclose(norms(kernel2), 1.0, rtol=1e-5)
    assert np.any(norms(watch.seen[-1][0]) > 0.49)  # the constraint was active


def test_recurrent_and_embedding_constraints_reach_their_weights():
    model = Sequential([L.Embedding(6, 3, input_length=4, embeddings_constraint="non_neg"),
                        L.SimpleRNN(2, recurrent_constraint=C.max_norm(0.1))])
    model.compile("sgd", "mse")
    model.train_on_batch(RNG.integers(0, 6, size=(5, 4)), np.ones((5, 2), "float32"))
    assert np.all(model.layers[0].embeddings.numpy() >= 0)
    assert np.all(norms(model.layers[1].recurrent_kernel.numpy()) <= 0.1 + 1e-6)


def test_a_model_without_constraints_steps_as_before():
    model = Sequential([L.Dense(2, input_shape=(3,))])
    model.compile("sgd", "mse")
    model.train_on_batch(np.ones((2, 3), "float32"), np.zeros((2, 2), "float32"))
    plan = next(p for p in model._plans.values() if p.kind == "train")
    (apply,) = [node.primitive for node in plan.nodes if node.primitive.kind == "apply_gradients"]
    assert apply.constraints == []
