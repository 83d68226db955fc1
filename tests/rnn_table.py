"""The recurrent ops' cases of the op table (tests/op_table.py adds them), and a PyTorch reference.

The reference writes Keras' recurrences step by step in torch (tests/ops/test_rnn.py checks the
ops against torch's own nn.RNN, nn.LSTM and nn.GRU where their math is the same).
"""
import numpy as np

import passos as P

_GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3}


def torch_recurrence(kind, x, W, U, b=None, states=None, mask=None, activation="tanh",
                     recurrent_activation="hard_sigmoid", return_sequences=True,
                     go_backwards=False, reset_after=False, return_state=False, steps=None):
    """Keras 2's SimpleRNN, LSTM or GRU on torch tensors, one step at a time; where the step
    mask `steps` (batch, steps) is 0, the states (and so the output) are the step before's."""
    import torch
    acts = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu,
            "hard_sigmoid": lambda z: torch.clamp(0.2 * z + 0.5, 0.0, 1.0)}
    act, rec = acts[activation], acts[recurrent_activation]
    N, T, _ = x.shape
    u = U.shape[0]
    h = states[0] if states else torch.zeros(N, u, dtype=x.dtype)
    c = states[1] if states and kind == "lstm" else torch.zeros(N, u, dtype=x.dtype)
    hs, cs = [], []
    for t in (reversed(range(T)) if go_backwards else range(T)):
        h_before, c_before = h, c
        xt = x[:, t] @ W
        if b is not None:
            xt = xt + (b[0] if reset_after else b)
        hm = h if mask is None else h * mask
        if kind == "simple_rnn":
            h = act(xt + hm @ U)
        elif kind == "lstm":
            z = xt + hm @ U
            i, f, g, o = rec(z[:, :u]), rec(z[:, u:2 * u]), act(z[:, 2 * u:3 * u]), rec(z[:, 3 * u:])
            c = f * c + i * g
            h = o * act(c)
        else:
            if reset_after:
                inner = hm @ U + (b[1] if b is not None else 0)
                zg, r = rec(xt[:, :u] + inner[:, :u]), rec(xt[:, u:2 * u] + inner[:, u:2 * u])
                hh = act(xt[:, 2 * u:] + r * inner[:, 2 * u:])
            else:
                zr = rec(xt[:, :2 * u] + hm @ U[:, :2 * u])
                zg, r = zr[:, :u], zr[:, u:]
                hh = act(xt[:, 2 * u:] + (r * hm) @ U[:, 2 * u:])
            h = zg * h + (1 - zg) * hh
        if steps is not None:
            keep = torch.as_tensor(steps[:, t:t + 1] != 0)
            h, c = torch.where(keep, h, h_before), torch.where(keep, c, c_before)
        hs.append(h)
        cs.append(c)
    out = torch.stack(hs, 1) if return_sequences else hs[-1]
    if return_state:
        out = torch.stack([out, torch.stack(cs, 1) if return_sequences else cs[-1]])
    return out


def _make(kind, N, T, D, u, states, masked, reset_after):
    k = _GATES[kind]

    def make(rng):
        arrays = [rng.normal(size=(N, T, D)), rng.normal(size=(D, k * u)) * 0.6,
                  rng.normal(size=(u, k * u)) * 0.6,
                  rng.normal(size=(2, k * u) if reset_after else (k * u,)) * 0.3]
        arrays += [rng.normal(size=(N, u)) * 0.5 for _ in range(states)]
        return arrays + ([rng.uniform(0.5, 1.5, size=(N, u))] if masked else [])
    return make


_STEPS = [[1, 0, 1], [0, 1, 1]]  # a step mask: skips inside and at the start


def _case(Case, label, kind, states=0, masked=False, free_steps=False, skips=False, **attrs):
    """A case of `kind` on 2 sequences of 3 steps, 2 features, 3 units; states: initial states;
    skips: with a step mask (Keras' masking; a constant, so not differentiated)."""
    n_states = states
    steps = np.array(_STEPS, bool) if skips else None

    def split(rest):
        given = list(rest[:n_states]) or None
        return given, (rest[n_states] if masked else None)

    def fn(x, W, U, b, *rest):
        given, mask = split(rest)
        return getattr(P.ops.rnn, kind)(x, W, U, b, initial_state=given, recurrent_mask=mask,
                                       mask=steps, **attrs)

    def reference(x, W, U, b, *rest):
        given, mask = split(rest)
        return torch_recurrence(kind, x, W, U, b, given, mask, steps=steps, **attrs)

    batch = (0, 1) if free_steps else (0,)
    free = (batch, (), (), ()) + ((0,),) * (states + masked)
    return Case(f"{kind}[{label}]", fn, _make(kind, 2, 3, 2, 3, states, masked,
                                              attrs.get("reset_after", False)),
                reference, free=free)


def cases(Case):
    """The op table's cases of simple_rnn, lstm and gru (small sizes: 2 x 3 steps x 2 -> 3)."""
    return [
        _case(Case, "seq", "simple_rnn", free_steps=True),
        _case(Case, "last,backwards,state,mask", "simple_rnn", states=1, masked=True,
              return_sequences=False, go_backwards=True),
        _case(Case, "seq,sigmoid", "lstm", recurrent_activation="sigmoid", free_steps=True),
        _case(Case, "last,hard_sigmoid,backwards", "lstm", return_sequences=False,
              go_backwards=True),
        _case(Case, "return_state,states,mask", "lstm", states=2, masked=True,
              return_state=True, recurrent_activation="sigmoid"),
        _case(Case, "last,return_state", "lstm", return_sequences=False, return_state=True),
        _case(Case, "seq", "gru", free_steps=True),
        _case(Case, "last,state,mask,backwards", "gru", states=1, masked=True,
              return_sequences=False, go_backwards=True, recurrent_activation="sigmoid"),
        _case(Case, "reset_after,seq", "gru", reset_after=True, recurrent_activation="sigmoid"),
        _case(Case, "reset_after,last,state,mask", "gru", reset_after=True, states=1,
              masked=True, return_sequences=False),
        _case(Case, "seq,skips", "simple_rnn", skips=True),
        _case(Case, "last,backwards,state,skips", "simple_rnn", states=1, skips=True,
              return_sequences=False, go_backwards=True),
        _case(Case, "seq,skips,mask,states", "lstm", states=2, masked=True, skips=True,
              recurrent_activation="sigmoid"),
        _case(Case, "return_state,backwards,skips", "lstm", return_state=True, skips=True,
              go_backwards=True, recurrent_activation="sigmoid"),
        _case(Case, "seq,skips,mask", "gru", masked=True, skips=True),
        _case(Case, "reset_after,last,skips", "gru", reset_after=True, skips=True,
              return_sequences=False, recurrent_activation="sigmoid"),
    ]
