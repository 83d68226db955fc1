"""Keras masks: Embedding(mask_zero) and Masking make them, recurrent layers skip masked steps."""
import numpy as np
import pytest

import passos as P
from passos.keras import layers as L
from passos.keras.models import Model, Sequential
from passos.keras.optimizers import SGD
from passos.keras.saving import load_model

RNG = np.random.default_rng(13)
TOKENS = np.array([[3, 5, 2, 7], [4, 1, 6, 6]])


def _padded(tokens, pad, before):
    zeros = np.zeros((len(tokens), pad), tokens.dtype)
    return np.concatenate([zeros, tokens] if before else [tokens, zeros], axis=1)


def _embedding_lstm(sequential):
    if sequential:
        return Sequential([L.Embedding(10, 4, mask_zero=True, input_shape=(None,)), L.LSTM(5)])
    ids = L.Input(shape=(None,))
    return Model(ids, L.LSTM(5)(L.Embedding(10, 4, mask_zero=True)(ids)))


@pytest.mark.parametrize("sequential", [True, False])
def test_embedding_mask_zero_lstm_ignores_post_and_pre_padding(sequential):
    model = _embedding_lstm(sequential)
    plain = model.predict(TOKENS)
    for before in (False, True):
        np.testing.assert_allclose(model.predict(_padded(TOKENS, 3, before)), plain, atol=1e-6)
    assert not np.allclose(model.layers[-1](model.layers[-2](P.tensor(_padded(TOKENS, 3, False))))
                           .numpy(), plain, atol=1e-4)  # without the mask, padding counts


def test_masking_gru_skips_masked_steps_and_repeats_the_output_there():
    x = RNG.normal(size=(2, 4, 3)).astype(np.float32)
    padded = np.concatenate([np.zeros((2, 2, 3), np.float32), x[:, :2], np.zeros((2, 1, 3)),
                             x[:, 2:]], axis=1).astype(np.float32)  # masked: 0, 1 and 4
    model = Sequential([L.Masking(0.0, input_shape=(None, 3)), L.GRU(4, return_sequences=True)])
    y, y_padded = model.predict(x), model.predict(padded)
    np.testing.assert_allclose(y_padded[:, [2, 3, 5, 6]], y, atol=1e-6)
    np.testing.assert_array_equal(y_padded[:, :2], 0)  # before any step: the initial state
    np.testing.assert_array_equal(y_padded[:, 4], y_padded[:, 3])  # a masked step repeats


def _numpy_keras_lstm(x, W, U, b, mask):
    """Keras 2's masked LSTM (hard_sigmoid gates) as its backend rnn runs it, in NumPy."""
    hard = lambda z: np.clip(0.2 * z + 0.5, 0, 1)  # noqa: E731
    u = U.shape[0]
    h = c = np.zeros((x.shape[0], u))
    outputs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ W + h @ U + b
        i, f, o = hard(z[:, :u]), hard(z[:, u:2 * u]), hard(z[:, 3 * u:])
        c_new = f * c + i * np.tanh(z[:, 2 * u:3 * u])
        h_new = o * np.tanh(c_new)
        keep = mask[:, t:t + 1]
        h, c = np.where(keep, h_new, h), np.where(keep, c_new, c)
        outputs.append(h)
    return np.stack(outputs, 1)


def test_masked_lstm_op_matches_a_numpy_keras_reference_and_masked_inputs_get_no_gradient():
    x = RNG.normal(size=(3, 5, 2))
    W, U, b = RNG.normal(size=(2, 12)), RNG.normal(size=(3, 12)) * 0.5, RNG.normal(size=12)
    mask = np.array([[1, 1, 0, 1, 0], [0, 0, 1, 1, 1], [1, 1, 1, 1, 1]], bool)
    xt = P.tensor(x, requires_grad=True)
    y = P.ops.rnn.lstm(xt, W, U, b, mask=mask)
    np.testing.assert_allclose(y.numpy(), _numpy_keras_lstm(x, W, U, b, mask), atol=1e-12)
    y.sum().backward()
    assert np.all(xt.grad[~mask] == 0) and np.all(np.abs(xt.grad[mask]).sum(-1) > 0)


@pytest.mark.parametrize("kind", ["simple_rnn", "lstm", "gru"])
def test_right_padded_final_states_match_torch_pack_padded_sequence(kind):
    torch = pytest.importorskip("torch")
    lengths = [5, 3, 1]
    x = RNG.normal(size=(3, 5, 2))
    k = {"simple_rnn": 1, "lstm": 4, "gru": 3}[kind]
    W, U, b = RNG.normal(size=(2, 3 * k)), RNG.normal(size=(3, 3 * k)) * 0.5, RNG.normal(size=(2, 3 * k))
    mask = np.arange(5) < np.array(lengths)[:, None]
    attrs = {"simple_rnn": {}, "lstm": {"recurrent_activation": "sigmoid"},
             "gru": {"recurrent_activation": "sigmoid", "reset_after": True}}[kind]
    ours = getattr(P.ops.rnn, kind)(x, W, U, b if kind == "gru" else b[0], mask=mask,
                                   return_sequences=False, **attrs).numpy()
    net = {"simple_rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind](
        2, 3, batch_first=True).double()
    order = [1, 0, 2] if kind == "gru" else list(range(k))  # torch's GRU gates: r, z, n
    swap = lambda a: np.concatenate([a[..., g * 3:(g + 1) * 3] for g in order], -1)  # noqa: E731
    with torch.no_grad():
        net.weight_ih_l0.copy_(torch.tensor(swap(W).T))
        net.weight_hh_l0.copy_(torch.tensor(swap(U).T))
        net.bias_ih_l0.copy_(torch.tensor(swap(b[0])))
        net.bias_hh_l0.copy_(torch.tensor(swap(b[1]) if kind == "gru" else np.zeros(3 * k)))
        packed = torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(x), lengths, batch_first=True)
        _, final = net(packed)
    final = final[0] if kind == "lstm" else final
    np.testing.assert_allclose(ours, final[0].numpy(), atol=1e-10)


def test_a_layer_without_mask_support_refuses_a_mask_with_keras_error():
    with pytest.raises(TypeError, match="Layer flatten_.* does not support masking, but was "
                                        "passed an input_mask"):
        Sequential([L.Embedding(10, 4, mask_zero=True, input_length=4), L.Flatten()])
    ids = L.Input(shape=(4,))
    with pytest.raises(TypeError, match="does not support masking"):
        L.GlobalAveragePooling1D()(L.Embedding(10, 4, mask_zero=True)(ids))  # as Keras 2.2.4
    with pytest.raises(TypeError, match="does not support masking"):
        L.Lambda(lambda v: v * 2)(L.Embedding(10, 4, mask_zero=True)(ids))
    model = Sequential([L.Embedding(10, 4, input_length=4), L.Flatten()])  # no mask: fine
    assert model.output_shape == (None, 16)


def test_masks_pass_through_dense_dropout_activation_time_distributed_and_bidirectional():
    ids = L.Input(shape=(6,))  # TimeDistributed needs a known number of steps
    h = L.Embedding(10, 4, mask_zero=True)(ids)
    h = L.Dropout(0.5)(L.Activation("tanh")(L.Dense(4)(h)))
    h = L.TimeDistributed(L.Dense(3))(h)
    h = L.Bidirectional(L.LSTM(3, return_sequences=True))(h)
    out = L.Bidirectional(L.SimpleRNN(2), merge_mode="sum")(h)
    model = Model(ids, out)
    np.testing.assert_allclose(model.predict(_padded(TOKENS, 2, False)),
                               model.predict(_padded(TOKENS, 2, True)), atol=1e-6)


def _keep_all(inputs, mask):
    return mask


def test_merge_layers_and_lambda_combine_masks_as_keras():
    ids = L.Input(shape=(None,))
    a = L.Embedding(10, 3, mask_zero=True)(ids)
    b = L.Lambda(lambda v: v * 2.0, mask=_keep_all)(L.Embedding(10, 3, mask_zero=True)(ids))
    c = L.Embedding(10, 3)(ids)  # no mask: counts as all kept
    merged = L.Concatenate()([L.Add()([a, b]), c])
    model = Model(ids, L.GRU(2)(merged))
    np.testing.assert_allclose(model.predict(_padded(TOKENS, 2, True)), model.predict(TOKENS),
                               atol=1e-6)
    layer = model.layers[-1]
    mask = np.array([[True, False], [True, True]])
    m = L.Concatenate().compute_mask([P.tensor(np.ones((2, 2, 3))), P.tensor(np.ones((2, 2, 1)))],
                                     [P.tensor(mask), None])
    np.testing.assert_array_equal(m.numpy(), mask)
    assert L.Dot(axes=-1).compute_mask([None, None], [P.tensor(mask), None]) is None
    assert layer.compute_mask(None, P.tensor(mask)) is None  # return_sequences=False


def test_masked_steps_give_no_gradient_in_training_and_masks_survive_save_and_load(tmp_path):
    model = _embedding_lstm(sequential=False)
    model.compile(SGD(0.5), "mse")
    row0 = model.layers[1].get_weights()[0][0].copy()
    model.fit(_padded(TOKENS, 2, False), np.ones((2, 5)), epochs=2, verbose=0)
    np.testing.assert_array_equal(model.layers[1].get_weights()[0][0], row0)  # padding id only
    model.save(str(tmp_path / "masked.passos"))
    loaded = load_model(str(tmp_path / "masked.passos"))
    np.testing.assert_allclose(loaded.predict(_padded(TOKENS, 3, True)), model.predict(TOKENS),
                               atol=1e-6)
    assert loaded.layers[1].get_config()["mask_zero"] is True
