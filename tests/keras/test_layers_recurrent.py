"""SimpleRNN, LSTM and GRU layers: shapes, weights, Keras' numbers, dropout, config, learning."""
import numpy as np
import pytest

import passos as P
from passos.keras import layers as L
from passos.keras.models import Model, Sequential, load_model
from passos.keras.optimizers import Adam

LAYERS = [(L.SimpleRNN, {}, 1), (L.LSTM, {}, 4), (L.GRU, {}, 3), (L.GRU, {"reset_after": True}, 3)]
N, T, D, UNITS = 4, 5, 3, 6


def _x(seed=0, dtype=np.float32):
    return np.random.default_rng(seed).normal(size=(N, T, D)).astype(dtype)


@pytest.mark.parametrize("cls, extra, k", LAYERS)
@pytest.mark.parametrize("sequences", [False, True])
@pytest.mark.parametrize("state", [False, True])
def test_output_shapes_and_weights(cls, extra, k, sequences, state):
    layer = cls(UNITS, return_sequences=sequences, return_state=state, **extra)
    y = layer(P.tensor(_x()))
    out = (N, T, UNITS) if sequences else (N, UNITS)
    states = 2 if cls is L.LSTM else 1
    if state:
        assert [t.shape for t in y] == [out] + [(N, UNITS)] * states
        last = y[0].numpy()[:, -1] if sequences else y[0].numpy()
        np.testing.assert_array_equal(y[1].numpy(), last)  # the final h is the last output
    else:
        assert y.shape == out and y.dtype == np.float32
    bias = (2, k * UNITS) if extra.get("reset_after") else (k * UNITS,)
    assert [w.shape for w in layer.weights] == [(D, k * UNITS), (UNITS, k * UNITS), bias]
    assert [w.name.split("/")[-1] for w in layer.weights] == ["kernel", "recurrent_kernel", "bias"]


def test_lstm_matches_keras_formulas_and_forget_bias():
    layer = L.LSTM(UNITS, dtype="float64")
    x = _x(dtype=np.float64)[:, :2]
    y = layer(P.tensor(x)).numpy()
    W, U, b = layer.get_weights()
    np.testing.assert_array_equal(b, np.r_[np.zeros(UNITS), np.ones(UNITS), np.zeros(2 * UNITS)])

    def hard_sigmoid(z):
        return np.clip(0.2 * z + 0.5, 0, 1)
    h = c = np.zeros((N, UNITS))
    for t in range(2):
        z = x[:, t] @ W + h @ U + b
        i, f, g, o = np.split(z, 4, axis=1)
        c = hard_sigmoid(f) * c + hard_sigmoid(i) * np.tanh(g)
        h = hard_sigmoid(o) * np.tanh(c)
    np.testing.assert_allclose(y, h, rtol=1e-12)


def test_go_backwards_outputs_in_processing_order():
    layer = L.GRU(UNITS, return_sequences=True, go_backwards=True)
    x = _x()
    y = layer(P.tensor(x)).numpy()
    forwards = L.GRU(UNITS, return_sequences=True)
    forwards(P.tensor(x))
    forwards.set_weights(layer.get_weights())
    np.testing.assert_allclose(y, forwards(P.tensor(x[:, ::-1].copy())).numpy(), rtol=1e-6)


def _linear_rnn(**kwargs):
    """SimpleRNN(3, linear), kernel and recurrent kernel the identity, no bias: h_t = x_t + m h_{t-1}."""
    layer = L.SimpleRNN(D, activation="linear", use_bias=False, return_sequences=True,
                        kernel_initializer="identity", recurrent_initializer="identity", **kwargs)
    layer(P.tensor(_x()))
    return layer


def test_dropout_masks_stay_fixed_over_time():
    P.random.seed(0)
    ones = P.tensor(np.ones((64, T, D), np.float32))
    y = _linear_rnn(dropout=0.5, recurrent_dropout=0.0)(ones, training=True).numpy()
    first = y[:, 0]
    assert set(np.unique(first)) == {0.0, 2.0}  # inverted dropout of ones
    # h_t = sum of the same masked input: t + 1 times the step-0 value
    np.testing.assert_allclose(y, first[:, None] * np.arange(1, T + 1)[None, :, None])
    m = _linear_rnn(recurrent_dropout=0.5)(ones, training=True).numpy()
    rate = m[:, 1] - 1  # h_1 = 1 + m, h_2 = 1 + m (1 + m): one m per unit for the sequence
    assert set(np.unique(rate)) == {0.0, 2.0}
    np.testing.assert_allclose(m[:, 2], 1 + rate * (1 + rate))
    np.testing.assert_allclose(_linear_rnn(dropout=0.5)(ones, training=False).numpy()[:, -1], T)


@pytest.mark.parametrize("cls, extra, k", LAYERS)
def test_config_round_trip(cls, extra, k):
    layer = cls(UNITS, return_sequences=True, go_backwards=True, dropout=0.1,
                recurrent_dropout=0.2, name="r", **extra)
    config = layer.get_config()
    assert cls.from_config(config).get_config() == config
    assert config["units"] == UNITS and config["go_backwards"] and config["dropout"] == 0.1


def test_model_save_and_load_keep_predictions(tmp_path):
    model = Sequential([L.LSTM(5, input_shape=(T, D), return_sequences=True), L.GRU(4), L.Dense(2)])
    path = str(tmp_path / "rnn.keras")
    model.save(path)
    np.testing.assert_allclose(load_model(path).predict(_x()), model.predict(_x()), rtol=1e-6)


@pytest.mark.parametrize("cls, extra, k", LAYERS)
def test_weight_gradients_match_finite_differences(cls, extra, k, weight_gradients_match):
    layer = cls(3, return_sequences=True, dtype="float64", **extra)
    x = np.random.default_rng(1).normal(size=(2, 3, 2))
    weight_gradients_match(layer, x, np.random.default_rng(2).normal(size=(2, 3, 3)))


def test_small_lstm_learns_a_memory_task():
    """Label = sign of the first step's value, with noise after it: needs memory over 8 steps."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 8, 1)).astype(np.float32)
    y = (x[:, 0, 0] > 0).astype(np.int64)
    P.random.seed(0)
    model = Sequential([L.LSTM(8, input_shape=(8, 1), go_backwards=True),
                        L.Dense(2, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer=Adam(lr=0.01),
                  metrics=["accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=10, verbose=0, seed=0)
    assert history.history["accuracy"][-1] > 0.9, history.history["accuracy"]


def test_errors_name_the_layer():
    with pytest.raises(ValueError, match=r"GRU 'g1' recurrent_activation must be one of"):
        L.GRU(3, recurrent_activation="softmax", name="g1")
    layer = L.SimpleRNN(3, name="s1")
    with pytest.raises(ValueError, match=r"SimpleRNN 's1' expects 3-D inputs \(batch, steps, "
                                         r"features\) with known features, got shape \(\?, 3\)"):
        layer(P.tensor(np.zeros((4, 3), np.float32)))
    layer(P.tensor(_x()))
    with pytest.raises(ValueError, match=r"SimpleRNN 's1' expects inputs \(batch, steps, 3\), "
                                         r"got shape \(4, 5, 2\)"):
        layer(P.tensor(np.zeros((4, 5, 2), np.float32)))
    with pytest.raises(ValueError, match=r"single output tensor, but LSTM 'l2' has 3 \(e\.g\. "
                                         r"return_state=True\); use the functional API"):
        Sequential([L.LSTM(3, return_state=True, input_shape=(T, D), name="l2")])
    lstm, x = L.LSTM(UNITS, name="l3"), L.Input(shape=(T, D))
    with pytest.raises(ValueError, match=r"LSTM 'l3' takes \[inputs, \*initial states\] with 2 "
                                         r"state\(s\) after the inputs, got 1"):
        lstm(x, initial_state=L.Input(shape=(UNITS,)))
    with pytest.raises(ValueError, match=r"LSTM 'l3' an initial state must have shape \(batch, "
                                         r"units\) = \(\?, 6\), got \(\?, 5\)"):
        lstm(x, initial_state=[L.Input(shape=(UNITS,)), L.Input(shape=(5,))])


def _seq2seq():
    """Keras' lstm_seq2seq example, small: an encoder's final states start a decoder, and the
    inference models reuse the trained layers."""
    enc_in, dec_in = L.Input(shape=(None, D)), L.Input(shape=(None, D))
    _, h, c = L.LSTM(UNITS, return_state=True, name="encoder")(enc_in)
    decoder = L.LSTM(UNITS, return_sequences=True, return_state=True, name="decoder")
    dense = L.Dense(D, activation="softmax")
    seq, _, _ = decoder(dec_in, initial_state=[h, c])
    model = Model([enc_in, dec_in], dense(seq))
    h_in, c_in = L.Input(shape=(UNITS,)), L.Input(shape=(UNITS,))
    seq2, h2, c2 = decoder(dec_in, initial_state=[h_in, c_in])
    return model, Model(enc_in, [h, c]), Model([dec_in, h_in, c_in], [dense(seq2), h2, c2])


def test_return_state_and_initial_state_wire_a_seq2seq_model():
    model, encoder, decoder = _seq2seq()
    model.compile("rmsprop", "categorical_crossentropy")
    rng = np.random.default_rng(0)
    source = np.eye(D, dtype=np.float32)[rng.integers(0, D, (16, T))]
    target = np.eye(D, dtype=np.float32)[rng.integers(0, D, (16, T + 2))]
    before = decoder.predict([target[:, :1], *encoder.predict(source)])[0]
    history = model.fit([source, target], target, batch_size=8, epochs=2, verbose=0)
    assert history.history["loss"][1] < history.history["loss"][0]
    states = encoder.predict(source)
    assert [s.shape for s in states] == [(16, UNITS)] * 2
    out, h, c = decoder.predict([target, *states])
    assert not np.allclose(out[:, :1], before)  # the inference models share the trained weights
    np.testing.assert_allclose(out, model.predict([source, target]), rtol=1e-5, atol=1e-7)
    # the decoder's states carry on: step by step equals the whole sequence at once
    step_states, steps = states, []
    for t in range(T + 2):
        o, *step_states = decoder.predict([target[:, t:t + 1], *step_states])
        steps.append(o)
    np.testing.assert_allclose(np.concatenate(steps, axis=1), out, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(step_states[0], h, rtol=1e-5, atol=1e-6)


def test_initial_state_starts_the_recurrence_there():
    """A GRU and an LSTM started from given states give the op's numbers for those states."""
    rng = np.random.default_rng(1)
    x, h0, c0 = _x(), *rng.normal(size=(2, N, UNITS)).astype(np.float32)
    for layer, states in ((L.LSTM(UNITS), [h0, c0]), (L.GRU(UNITS), [h0])):
        inputs = [L.Input(shape=(T, D))] + [L.Input(shape=(UNITS,)) for _ in states]
        model = Model(inputs, layer(inputs[0], initial_state=inputs[1:]))
        W, U, b = layer.get_weights()
        op = P.lstm if isinstance(layer, L.LSTM) else P.gru
        expected = op(x, W, U, b, return_sequences=False, initial_state=states).numpy()
        np.testing.assert_allclose(model.predict([x, *states]), expected, rtol=1e-6)
        np.testing.assert_allclose(layer([P.tensor(x), *map(P.tensor, states)]).numpy(),
                                   expected, rtol=1e-6)


def test_summary_names_each_state_a_layer_passes_on():
    lines = []
    _seq2seq()[0].summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "[(None, 6), (None, 6" in text  # the encoder's three outputs
    assert "encoder[0][1]" in text and "encoder[0][2]" in text


@pytest.mark.parametrize("cls", [L.SimpleRNN, L.LSTM, L.GRU])
def test_dropout_in_a_compiled_model_trains_and_predicts_without_it(cls):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, T, D)).astype(np.float32), rng.integers(0, 2, 32)
    model = Sequential([cls(5, input_shape=(T, D), dropout=0.3, recurrent_dropout=0.3,
                            return_sequences=True), cls(4, go_backwards=True),
                        L.Dense(2, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    before = [w.copy() for w in model.get_weights()]
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    assert all(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    np.testing.assert_array_equal(model.predict(x), model.predict(x))
