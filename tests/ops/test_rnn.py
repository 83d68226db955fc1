"""The recurrent ops against PyTorch's own nn.RNN, nn.LSTM and nn.GRU, and their errors.

The op table (tests/rnn_table.py) checks every variant by finite differences and against a
step-by-step torch reference; here the weights are copied into torch's modules (transposed,
GRU blocks reordered z, r, h -> r, z, n) to compare values and every gradient.
"""
import numpy as np
import pytest

import passos as P
from passos.core.shapes import ShapeError
from passos.ops import rnn

N, T, D, U = 3, 5, 4, 6


def _weights(k, rng, bias_shape=None):
    return (rng.normal(size=(D, k * U)) * 0.4, rng.normal(size=(U, k * U)) * 0.4,
            rng.normal(size=bias_shape or (k * U,)) * 0.3)


def _gru_order(a):
    """Keras' gate blocks z, r, h along the last axis as torch's r, z, n."""
    return np.concatenate([a[..., U:2 * U], a[..., :U], a[..., 2 * U:]], axis=-1)


def _run_passos(fn, arrays, **kwargs):
    ts = [P.tensor(a, requires_grad=True) for a in arrays]
    x, W, Uk, b, *states = ts
    y = fn(x, W, Uk, b, initial_state=states, **kwargs)
    weights = np.random.default_rng(9).normal(size=y.shape)
    (y * weights).sum().backward()
    return y.data, [t.grad for t in ts], weights


@pytest.mark.parametrize("kind", ["simple_rnn", "lstm", "gru"])
def test_matches_torch_modules(kind):
    torch = pytest.importorskip("torch", reason="PyTorch parity tests need torch")
    rng = np.random.default_rng(0)
    k = {"simple_rnn": 1, "lstm": 4, "gru": 3}[kind]
    W, Uk, b = _weights(k, rng, (2, 3 * U) if kind == "gru" else None)
    x = rng.normal(size=(N, T, D))
    states = [rng.normal(size=(N, U)) for _ in range(2 if kind == "lstm" else 1)]
    extra = {} if kind == "simple_rnn" else {"recurrent_activation": "sigmoid"}
    if kind == "gru":
        extra["reset_after"] = True
    y, grads, weights = _run_passos(getattr(rnn, kind), [x, W, Uk, b, *states], **extra)

    module = {"simple_rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind](
        D, U, batch_first=True).double()
    order = _gru_order if kind == "gru" else (lambda a: a)
    b_ih, b_hh = (b[0], b[1]) if kind == "gru" else (b, np.zeros_like(b))
    with torch.no_grad():
        for name, value in (("weight_ih_l0", order(W).T), ("weight_hh_l0", order(Uk).T),
                            ("bias_ih_l0", order(b_ih)), ("bias_hh_l0", order(b_hh))):
            getattr(module, name).copy_(torch.tensor(value))
    tx = torch.tensor(x, requires_grad=True)
    ts = [torch.tensor(s[None], requires_grad=True) for s in states]
    out, _ = module(tx, tuple(ts) if kind == "lstm" else ts[0])
    (out * torch.tensor(weights)).sum().backward()

    np.testing.assert_allclose(y, out.detach().numpy(), rtol=1e-10, atol=1e-12)
    p = dict(module.named_parameters())
    expected = [tx.grad.numpy(), order(p["weight_ih_l0"].grad.numpy().T),
                order(p["weight_hh_l0"].grad.numpy().T)]
    if kind == "gru":
        expected.append(np.stack([order(p["bias_ih_l0"].grad.numpy()),
                                  order(p["bias_hh_l0"].grad.numpy())]))
    else:
        expected.append(p["bias_ih_l0"].grad.numpy())
    expected += [t.grad.numpy()[0] for t in ts]
    for ours, theirs in zip(grads, expected):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("fn, k", [(rnn.simple_rnn, 1), (rnn.lstm, 4), (rnn.gru, 3)])
def test_float32_in_float32_out(fn, k):
    rng = np.random.default_rng(1)
    W, Uk, b = (a.astype(np.float32) for a in _weights(k, rng))
    x = P.tensor(rng.normal(size=(N, T, D)).astype(np.float32))
    W = P.tensor(W, requires_grad=True)
    y = fn(x, W, Uk, b)
    y.sum().backward()
    assert y.dtype == np.float32 and W.grad.dtype == np.float32


def test_go_backwards_reads_the_sequence_reversed():
    rng = np.random.default_rng(2)
    W, Uk, b = _weights(4, rng)
    x = rng.normal(size=(N, T, D))
    forwards = rnn.lstm(x[:, ::-1].copy(), W, Uk, b).numpy()
    np.testing.assert_allclose(rnn.lstm(x, W, Uk, b, go_backwards=True).numpy(), forwards)


def test_shape_errors_name_the_op_and_shapes():
    rng = np.random.default_rng(3)
    W, Uk, b = _weights(4, rng)
    with pytest.raises(ShapeError, match=r"lstm: inputs of shape \(3, 5, 2\) have 2 features "
                                         r"but the kernel of shape \(4, 24\) expects 4"):
        rnn.lstm(np.zeros((N, T, 2)), W, Uk, b)
    with pytest.raises(ShapeError, match=r"lstm: expects inputs \(batch, steps, features\)"):
        rnn.lstm(np.zeros((N, D)), W, Uk, b)
    with pytest.raises(ShapeError, match=r"gru: with 6 units the kernels need 18 columns"):
        rnn.gru(np.zeros((N, T, D)), W, Uk, b)
    with pytest.raises(ShapeError, match=r"gru: the bias must have shape \(2, 18\)"):
        rnn.gru(np.zeros((N, T, D)), W[:, :18], Uk[:, :18], b[:18], reset_after=True)
    with pytest.raises(ShapeError, match=r"initial state must have shape \(batch, units\)"):
        rnn.lstm(np.zeros((N, T, D)), W, Uk, b, initial_state=[np.zeros((N, 2))] * 2)
    with pytest.raises(ValueError, match=r"lstm: initial_state needs 2 array\(s\) \(h0, c0\)"):
        rnn.lstm(np.zeros((N, T, D)), W, Uk, b, initial_state=[np.zeros((N, U))])
    with pytest.raises(ValueError, match=r"lstm: activation must be one of"):
        rnn.lstm(np.zeros((N, T, D)), W, Uk, b, activation="softmax")
