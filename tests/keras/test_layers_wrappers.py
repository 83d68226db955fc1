"""TimeDistributed and Bidirectional: values against the inner layers run by hand, shared
weights, gradients through the wrapper, config round trips, saving, and training.
"""
import numpy as np
import pytest

import passos as P
from passos.keras import layers as L
from passos.keras.models import Sequential, load_model

RNG = np.random.default_rng(17)


def test_time_distributed_dense_is_dense_on_every_step(weight_gradients_match):
    layer = L.TimeDistributed(L.Dense(3, bias_initializer="random_normal", dtype="float64"),
                              dtype="float64")
    x = RNG.normal(size=(2, 4, 5))
    y = layer(P.tensor(x)).numpy()
    kernel, bias = layer.get_weights()
    assert y.shape == (2, 4, 3) and kernel.shape == (5, 3)
    np.testing.assert_allclose(y, x @ kernel + bias, rtol=1e-12)
    assert layer.weights == layer.layer.weights
    weight_gradients_match(layer, x, RNG.normal(size=y.shape))
    assert P.gradcheck(lambda v: layer(v), x)


def test_time_distributed_conv_in_a_model_config_and_errors():
    model = Sequential([L.TimeDistributed(L.Conv2D(2, 3), input_shape=(3, 6, 6, 1)),
                        L.TimeDistributed(L.Flatten()), L.LSTM(4)])
    assert model.output_shape == (None, 4)
    assert model.layers[0].output_shape_built == (None, 3, 4, 4, 2)
    layer = L.TimeDistributed(L.Dense(2), name="td")
    config = layer.get_config()
    assert config["layer"]["class_name"] == "Dense"
    assert L.TimeDistributed.from_config(config).get_config() == config
    with pytest.raises(ValueError, match=r"TimeDistributed 'td' expects inputs \(batch, steps, "
                                         r"\.\.\.\) with a known number of steps"):
        layer(P.tensor(np.zeros((2, 3))))


RNNS = [(L.SimpleRNN, {}), (L.LSTM, {}), (L.GRU, {"reset_after": True})]


@pytest.mark.parametrize("cls, extra", RNNS, ids=lambda v: getattr(v, "__name__", ""))
@pytest.mark.parametrize("sequences", [True, False])
def test_bidirectional_merges_a_forward_and_a_backward_run(cls, extra, sequences):
    layer = L.Bidirectional(cls(3, return_sequences=sequences, dtype="float64", **extra),
                            merge_mode="concat", dtype="float64")
    x = RNG.normal(size=(2, 4, 2))
    y = layer(P.tensor(x)).numpy()
    forward = layer.forward_layer(P.tensor(x)).numpy()
    backward = layer.backward_layer(P.tensor(x)).numpy()
    assert layer.backward_layer.go_backwards and not layer.forward_layer.go_backwards
    if sequences:  # back in time order, as Keras
        backward = backward[:, ::-1]
        manual = cls(3, return_sequences=True, go_backwards=False, dtype="float64", **extra)
        manual(P.tensor(x[:, ::-1]))
        manual.set_weights(layer.backward_layer.get_weights())
        np.testing.assert_allclose(manual(P.tensor(x[:, ::-1])).numpy()[:, ::-1], backward,
                                   rtol=1e-12)
    np.testing.assert_allclose(y, np.concatenate([forward, backward], axis=-1), rtol=1e-12)
    n = len(layer.forward_layer.weights)
    assert len(layer.weights) == 2 * n and layer.weights[n].name.startswith("backward_")


def test_bidirectional_merge_modes_gradients_config_and_errors(weight_gradients_match):
    x = RNG.normal(size=(2, 3, 2))
    outputs = {}
    for mode in ("sum", "ave", "mul", None):
        layer = L.Bidirectional(L.GRU(2, return_sequences=True, dtype="float64"),
                                merge_mode=mode, dtype="float64")
        layer(P.tensor(x))
        if outputs:
            layer.set_weights(outputs["weights"])
        y = layer(P.tensor(x))
        outputs.setdefault("weights", layer.get_weights())
        outputs[mode] = [v.numpy() for v in y] if mode is None else y.numpy()
    a, b = outputs[None]
    np.testing.assert_allclose(outputs["sum"], a + b, rtol=1e-12)
    np.testing.assert_allclose(outputs["ave"], (a + b) / 2, rtol=1e-12)
    np.testing.assert_allclose(outputs["mul"], a * b, rtol=1e-12)
    layer = L.Bidirectional(L.LSTM(2, dtype="float64"), merge_mode="ave", dtype="float64")
    weight_gradients_match(layer, x, RNG.normal(size=(2, 2)))
    config = layer.get_config()
    assert config["layer"]["class_name"] == "LSTM" and config["merge_mode"] == "ave"
    assert L.Bidirectional.from_config(config).get_config() == config
    with pytest.raises(ValueError, match=r"Bidirectional 'bi' merge_mode must be one of"):
        L.Bidirectional(L.LSTM(2), merge_mode="max", name="bi")
    with pytest.raises(ValueError, match=r"Bidirectional 'bi2' wraps recurrent layers"):
        L.Bidirectional(L.Dense(2), name="bi2")


def test_wrapped_models_train_save_and_load(tmp_path):
    P.random.seed(3)
    model = Sequential([L.Embedding(8, 4, input_length=5),
                        L.Bidirectional(L.LSTM(3, return_sequences=True)),
                        L.TimeDistributed(L.Dense(2)), L.Flatten(), L.Dense(1)])
    assert model.output_shape == (None, 1)
    ids = RNG.integers(0, 8, size=(16, 5))
    model.compile("adam", "mse")
    history = model.fit(ids, (ids[:, :1] > 3).astype(np.float32), epochs=3, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    path = str(tmp_path / "wrapped.keras")
    model.save(path)
    np.testing.assert_allclose(load_model(path).predict(ids), model.predict(ids), rtol=1e-6)
