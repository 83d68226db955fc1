"""Stateful recurrent layers: each batch starts from the final states of the batch before."""
import numpy as np
import pytest

import passos as P
from passos.keras import layers as L
from passos.keras.models import Model, Sequential, load_model
from passos.keras.optimizers import SGD, Adam

LAYERS = [(L.SimpleRNN, {}), (L.LSTM, {}), (L.GRU, {}), (L.GRU, {"reset_after": True})]
IDS = ["simple_rnn", "lstm", "gru", "gru_reset_after"]
N, T, D, UNITS = 3, 4, 2, 5


def _x(seed, steps=T, n=N):
    return np.random.default_rng(seed).normal(size=(n, steps, D)).astype(np.float32)


def _stateful(cls, extra, **kwargs):
    """A Sequential model of one stateful layer for batches of N (any number of steps)."""
    layer = cls(UNITS, batch_input_shape=(N, None, D), stateful=True, **extra, **kwargs)
    return Sequential([layer]), layer


def _reference(layer, **kwargs):
    """A plain (not stateful) copy of `layer`, same weights, returning its final states too."""
    config = {**layer.get_config(), "stateful": False, "return_state": True, **kwargs}
    config.pop("batch_input_shape")
    config.pop("name")
    copy = type(layer).from_config(config)
    copy(P.tensor(_x(0)))
    copy.set_weights(layer.get_weights())
    return copy


def _run(reference, x, initial_state=None):
    """[output, *final states] of the reference on x, as arrays."""
    return [t.numpy() for t in reference(P.tensor(x), initial_state=initial_state)]


# -- the batch size ----------------------------------------------------------------------
def test_a_stateful_layer_needs_a_fixed_batch_size():
    with pytest.raises(ValueError, match=r"LSTM 's' is stateful, so it needs a fixed batch size, "
                                         r"but its inputs have shape \(\?, 3, 2\): give the first "
                                         r"layer batch_input_shape=\(batch, steps, features\)"):
        Sequential([L.LSTM(4, input_shape=(3, D), stateful=True, name="s")])
    with pytest.raises(ValueError, match=r"GRU 'g' is stateful, so it needs a fixed batch size"):
        L.GRU(4, stateful=True, name="g")(L.Input(shape=(3, D)))
    late = Sequential([L.SimpleRNN(4, stateful=True, name="r")])  # built from the data: batch None
    with pytest.raises(ValueError, match=r"SimpleRNN 'r' is stateful, so it needs a fixed batch"):
        late.predict(_x(0))
    # batch_size= on the first layer, or Input(batch_shape=...), fix it
    model = Sequential([L.LSTM(4, input_shape=(3, D), batch_size=2, stateful=True)])
    assert [s.shape for s in model.layers[0].states] == [(2, 4), (2, 4)]
    inputs = L.Input(batch_shape=(2, 3, D))
    functional = Model(inputs, L.GRU(4, stateful=True)(inputs))
    assert functional.stateful and functional.layers[1].states[0].shape == (2, 4)


def test_batches_of_another_size_are_refused_clearly():
    model, layer = _stateful(L.LSTM, {}, name="l")
    with pytest.raises(ValueError, match=rf"model '{model.name}' takes batches of exactly {N} "
                                         rf"samples \(its input shape \({N}, \?, {D}\) fixes the "
                                         r"batch size.*got a batch of 7: pass batch_size=3"):
        model.predict(_x(0, n=7), batch_size=7)
    with pytest.raises(ValueError, match=r"got a batch of 1: pass batch_size=3"):
        model.predict(_x(0, n=4), batch_size=3)  # the last batch holds 1 sample
    with pytest.raises(ValueError, match=rf"LSTM 'l' is stateful with batch size {N}, got inputs "
                                         rf"of shape \(2, {T}, {D}\)"):
        layer(P.tensor(_x(0, n=2)))


# -- states carried from batch to batch --------------------------------------------------
@pytest.mark.parametrize("sequences", [False, True])
@pytest.mark.parametrize("cls, extra", LAYERS, ids=IDS)
def test_two_batches_equal_one_call_on_the_joined_sequences(cls, extra, sequences):
    model, layer = _stateful(cls, extra, return_sequences=sequences)
    first, second = _x(1), _x(2, steps=3)
    y1, y2 = model.predict_on_batch(first), model.predict_on_batch(second)
    y, *finals = _run(_reference(layer), np.concatenate([first, second], axis=1))
    if sequences:
        np.testing.assert_allclose(np.concatenate([y1, y2], axis=1), y, rtol=1e-5, atol=1e-6)
    else:
        np.testing.assert_allclose(y2, y, rtol=1e-5, atol=1e-6)
    assert len(layer.states) == len(finals) == (2 if cls is L.LSTM else 1)
    for state, final in zip(layer.states, finals):
        np.testing.assert_allclose(state.numpy(), final, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls, extra", LAYERS, ids=IDS)
def test_go_backwards_continues_from_the_batch_before(cls, extra):
    """Reading A backwards, then B backwards, is reading [B, A] backwards in one go."""
    model, layer = _stateful(cls, extra, go_backwards=True)
    first, second = _x(1), _x(2)
    model.predict_on_batch(first)
    y = model.predict_on_batch(second)
    expected = _run(_reference(layer), np.concatenate([second, first], axis=1))[0]
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls, extra", LAYERS, ids=IDS)
def test_masked_steps_leave_the_carried_state_as_the_last_unmasked_step_left_it(cls, extra):
    first, second = _x(1), _x(2)
    first[0, 2:] = 0   # sample 0 ends early in the first batch: its state must skip the padding
    second[1, :1] = 0  # sample 1 starts late in the second
    layer = cls(UNITS, stateful=True, return_sequences=True, **extra)
    model = Sequential([L.Masking(0.0, batch_input_shape=(N, None, D)), layer])
    model.predict_on_batch(first)
    y = model.predict_on_batch(second)
    copy = cls(UNITS, return_sequences=True, **extra)
    reference = Sequential([L.Masking(0.0, input_shape=(None, D)), copy])
    copy.set_weights(layer.get_weights())
    expected = reference.predict(np.concatenate([first, second], axis=1))[:, T:]
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)


def test_eager_calls_and_plans_carry_the_same_states():
    model, layer = _stateful(L.LSTM, {})
    first, second = _x(1), _x(2)
    planned = [model.predict_on_batch(first), model.predict_on_batch(second)]
    model.reset_states()
    eager = [model(P.tensor(first)).numpy(), model(P.tensor(second)).numpy()]
    np.testing.assert_allclose(eager, planned, rtol=1e-6, atol=1e-7)
    model.reset_states()
    model(P.tensor(first))  # an eager call, then a plan, continue one sequence
    np.testing.assert_allclose(model.predict_on_batch(second), planned[1], rtol=1e-6, atol=1e-7)


def test_predict_and_evaluate_carry_the_states_over_their_batches():
    model, layer = _stateful(L.GRU, {})
    x = _x(1, n=2 * N)
    joined = np.concatenate([x[:N], x[N:]], axis=1)  # row i continues in row N + i
    expected = _run(_reference(layer), joined)
    np.testing.assert_allclose(model.predict(x, batch_size=N)[N:], expected[0], rtol=1e-5,
                               atol=1e-6)
    model.compile(loss="mse", optimizer="sgd")
    model.reset_states()
    model.evaluate(x, np.zeros((2 * N, UNITS)), batch_size=N, verbose=0)
    np.testing.assert_allclose(layer.states[0].numpy(), expected[1], rtol=1e-5, atol=1e-6)


# -- reset_states ------------------------------------------------------------------------
def test_reset_states_zeros_them_and_the_next_batch_starts_afresh():
    model, layer = _stateful(L.LSTM, {})
    first = model.predict_on_batch(_x(1))
    model.predict_on_batch(_x(2))
    assert all(np.abs(s.numpy()).sum() > 0 for s in layer.states)
    layer.reset_states()
    assert all((s.numpy() == 0).all() for s in layer.states)
    np.testing.assert_array_equal(model.predict_on_batch(_x(1)), first)
    model.reset_states()
    assert all((s.numpy() == 0).all() for s in layer.states)


def test_model_reset_states_reaches_nested_models_and_wrappers():
    inner_layer = L.SimpleRNN(UNITS, batch_input_shape=(N, T, D), stateful=True,
                              return_sequences=True)
    inner = Sequential([inner_layer], name="inner")
    inputs = L.Input(batch_shape=(N, T, D))
    both = L.Bidirectional(L.GRU(3, stateful=True))
    model = Model(inputs, both(inner(inputs)))
    assert model.stateful and inner.stateful and both.stateful
    start = model.predict_on_batch(_x(1))
    assert not np.allclose(model.predict_on_batch(_x(1)), start)  # the states carried on
    states = inner_layer.states + both.forward_layer.states + both.backward_layer.states
    assert all(np.abs(s.numpy()).sum() > 0 for s in states)
    model.reset_states()
    assert all((s.numpy() == 0).all() for s in states)
    np.testing.assert_array_equal(model.predict_on_batch(_x(1)), start)


@pytest.mark.parametrize("cls, extra", LAYERS, ids=IDS)
def test_reset_states_to_given_values_starts_the_next_batch_there(cls, extra):
    model, layer = _stateful(cls, extra)
    model.predict_on_batch(_x(1))
    rng = np.random.default_rng(3)
    values = [rng.normal(size=(N, UNITS)).astype(np.float32) for _ in layer.states]
    layer.reset_states(values if len(values) > 1 else values[0])  # one array or a list
    for state, value in zip(layer.states, values):
        np.testing.assert_array_equal(state.numpy(), value)
    y = model.predict_on_batch(_x(2))
    expected = _run(_reference(layer), _x(2), initial_state=[P.tensor(v) for v in values])[0]
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)


def test_reset_states_errors_name_the_layer():
    with pytest.raises(AttributeError, match=r"LSTM 'p' is not stateful \(stateful=False\)"):
        L.LSTM(2, name="p").reset_states()
    with pytest.raises(ValueError, match=r"LSTM 'q' has no states yet: a stateful layer makes "
                                         r"them on its first call"):
        L.LSTM(2, stateful=True, name="q").reset_states()
    model, layer = _stateful(L.LSTM, {}, name="r")
    with pytest.raises(ValueError, match=r"LSTM 'r' has 2 state\(s\), reset_states got 1 value"):
        layer.reset_states([np.zeros((N, UNITS))])
    with pytest.raises(ValueError, match=rf"LSTM 'r' state 'r/state_c' has shape \({N}, {UNITS}\), "
                                         rf"reset_states got a value of shape \(2, {UNITS}\)"):
        layer.reset_states([np.zeros((N, UNITS)), np.zeros((2, UNITS))])
    with pytest.raises(AttributeError, match=r"Bidirectional 'b' wraps no stateful layer"):
        L.Bidirectional(L.GRU(2), name="b").reset_states()


def test_states_are_neither_weights_nor_trained():
    model, layer = _stateful(L.LSTM, {})
    assert [w.name.split("/")[-1] for w in layer.weights] == ["kernel", "recurrent_kernel", "bias"]
    assert [s.name for s in layer.states] == [f"{layer.name}/state_h", f"{layer.name}/state_c"]
    assert not any(s.requires_grad for s in layer.states)
    assert L.LSTM(2).states == [None, None] and L.GRU(2, stateful=True).states == [None]


# -- training ------------------------------------------------------------------------------
def test_fit_carries_the_states_from_batch_to_batch():
    """With a learning rate of 0 the weights stay, so the states after one epoch are those
    of the joined sequences: sample i of each batch continues sample i of the batch before."""
    model, layer = _stateful(L.LSTM, {})
    model.compile(loss="mse", optimizer=SGD(lr=0.0))
    x, y = _x(1, n=3 * N), np.zeros((3 * N, UNITS), np.float32)
    model.fit(x, y, batch_size=N, epochs=1, shuffle=False, verbose=0)
    joined = np.concatenate([x[:N], x[N:2 * N], x[2 * N:]], axis=1)
    finals = _run(_reference(layer), joined)[1:]
    for state, final in zip(layer.states, finals):
        np.testing.assert_allclose(state.numpy(), final, rtol=1e-5, atol=1e-6)
    model.reset_states()
    model.train_on_batch(x[:N], y[:N])
    model.train_on_batch(x[N:2 * N], y[N:2 * N])
    finals = _run(_reference(layer), joined[:, :2 * T])[1:]
    np.testing.assert_allclose(layer.states[1].numpy(), finals[1], rtol=1e-5, atol=1e-6)


def test_the_classic_stateful_program_learns_what_needs_the_batch_before():
    """One step a batch; the target is the input of the step before, which only the carried
    state remembers: the stateful model learns it, a model without states cannot."""
    rng = np.random.default_rng(0)
    series = rng.uniform(-1, 1, size=40).astype(np.float32)
    x, y = series[1:].reshape(-1, 1, 1), series[:-1].reshape(-1, 1)

    def train(stateful):
        P.random.seed(0)
        model = Sequential([L.LSTM(8, batch_input_shape=(1, 1, 1), stateful=stateful),
                            L.Dense(1)])
        model.compile(loss="mse", optimizer=Adam(lr=0.01))
        for _ in range(25):
            model.fit(x, y, epochs=1, batch_size=1, shuffle=False, verbose=0)
            model.reset_states()
        return model.evaluate(x, y, batch_size=1, verbose=0)

    stateful, plain = train(True), train(False)
    assert stateful < 0.05 < plain * 0.5, (stateful, plain)


# -- configuration and saving --------------------------------------------------------------
@pytest.mark.parametrize("cls, extra", LAYERS, ids=IDS)
def test_config_round_trip_keeps_stateful(cls, extra):
    layer = cls(UNITS, batch_input_shape=(N, T, D), stateful=True, name="s", **extra)
    config = layer.get_config()
    assert config["stateful"] is True and config["batch_input_shape"] == [N, T, D]
    again = cls.from_config(config)
    assert again.stateful and again.get_config() == config
    wrapped = L.Bidirectional(cls(UNITS, stateful=True, **extra))
    assert L.Bidirectional.from_config(wrapped.get_config()).stateful


def test_save_and_load_keep_a_stateful_model(tmp_path):
    model, layer = _stateful(L.LSTM, {}, return_sequences=True)
    model.add(L.Dense(2))
    first, second = _x(1), _x(2)
    expected = [model.predict_on_batch(first), model.predict_on_batch(second)]
    path = str(tmp_path / "stateful.keras")
    model.save(path)
    loaded = load_model(path)
    assert loaded.stateful and loaded.layers[0].stateful
    assert loaded.layers[0].get_config()["batch_input_shape"] == [N, None, D]
    assert all((s.numpy() == 0).all() for s in loaded.layers[0].states)  # states are not saved
    got = [loaded.predict_on_batch(first), loaded.predict_on_batch(second)]
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)
