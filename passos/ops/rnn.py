"""Recurrent layers' whole sequences as one op each: simple_rnn, lstm and gru (Keras 2 math).

Weights in Keras' layout: kernel (features, k*units), recurrent kernel (units, k*units),
bias (k*units,), the gate blocks side by side: LSTM i, f, c, o; GRU z, r, h. The frame
(inputs, shapes, the one product of the inputs by the kernel, the gradients of x, kernel and
bias) is `recurrence.Recurrence`; each class here writes its loop over time and the loop back.

>>> import numpy as np, passos
>>> x = np.ones((2, 3, 1), np.float32)                   # 2 sequences of 3 steps, 1 feature
>>> W, U, b = np.full((1, 1), 0.5, np.float32), np.zeros((1, 1), np.float32), np.zeros(1, np.float32)
>>> simple_rnn(x, W, U, b, return_sequences=False).numpy().round(4)
array([[0.4621],
       [0.4621]], dtype=float32)
"""
import numpy as np

from ..core.apply import apply
from ..core.registry import register
from .recurrence import (EXP_SCALE, Recurrence, activate, activate_scaled, carry, derivative,
                         finish, pass_over, slope, squash)


class SimpleRNN(Recurrence):
    """h_t = activation(x_t @ W + b + h_{t-1} @ U)."""

    kind = "simple_rnn"

    def steps(self, P, U, b, h0, c0, mask, keep=None):
        T, N, u = P.shape
        H = np.empty((T + 1, N, u), P.dtype)
        H[0] = 0 if h0 is None else h0
        H[1:] = P
        product, hm = np.empty((N, u), P.dtype), np.empty((N, u), P.dtype)
        for t in range(T):
            h = H[t] if mask is None else np.multiply(H[t], mask, out=hm)
            H[t + 1] += np.matmul(h, U, out=product)
            activate(self.activation, H[t + 1])
            if keep is not None:
                carry(H[t + 1], H[t], keep[t])
        return self.sequence_output(H), {"H": H}

    def back_steps(self, gy, saved, U, mask, needs_mask):
        H, keep = saved["H"], saved["keep"]
        T, N, u = H.shape[0] - 1, H.shape[1], H.shape[2]
        G, dh = self.output_grads(gy, H.dtype)
        local = derivative(self.activation, H[1:])
        dZ = np.empty_like(local)
        dhm = np.empty((T, N, u), H.dtype) if needs_mask else None
        for t in reversed(range(T)):
            if G is not None:
                dh += G[t]
            kept = None if keep is None else pass_over(dh, keep[t])
            np.multiply(dh, local[t], out=dZ[t])
            into = dh if dhm is None else dhm[t]
            np.matmul(dZ[t], U.T, out=into)
            if mask is not None:
                np.multiply(into, mask, out=dh)
            if kept is not None:
                dh += kept
        dU = np.matmul(self.masked(H[:-1], mask).reshape(T * N, u).T, dZ.reshape(T * N, u))
        dmask = (H[:-1] * dhm).sum(axis=0) if needs_mask else None
        return dZ, dU, [dh], dmask, None


class LSTM(Recurrence):
    """Gates i, f, o = recurrent_activation(...), candidate g = activation(...) of x_t @ W + b +
    h_{t-1} @ U; c_t = f c_{t-1} + i g; h_t = o activation(c_t). With `return_state` the output
    stacks h's output and c's (2, ...), so a layer can return the final cell state.

    Inside, the blocks run as o, i, f, g: the three gates side by side, and i, f, g (those the
    cell state's gradient multiplies) too. The projected inputs, and the gates they become, are
    kept gate-major, (4, steps, batch, units), so every pass runs on contiguous memory (passes
    over strided column blocks ran 1.5-4x slower here). Sigmoid and tanh gates take one exp pass
    a step together: their scales (`recurrence.EXP_SCALE`) are folded into the weights."""

    kind = "lstm"
    gates, states = 4, 2
    order = (3, 0, 1, 2)

    def __init__(self, *args, return_state=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.return_state = bool(return_state)

    @property
    def batch_inputs(self):  # with return_state the batch is the output's axis 1
        return 0 if self.return_state else super().batch_inputs

    def shape(self, *shapes):
        out = super().shape(*shapes)
        return (2, *out) if self.return_state else out

    def scales(self, dt):
        """Each internal block's pre-activation scale, (4, 1, 1): o, i, f, g."""
        rec, act = (EXP_SCALE.get(n, 1) for n in (self.recurrent_activation, self.activation))
        return np.array([rec, rec, rec, act], dt).reshape(4, 1, 1)

    def project(self, X, W, b):
        """The scaled pre-activations of the inputs, gate-major: (4, steps, batch, units)."""
        T, N, D = X.shape
        scales = self.scales(X.dtype)
        P = np.matmul(X.reshape(T * N, D), gate_major(W) * scales)
        if b is not None:
            P += b.reshape(4, 1, -1) * scales
        return P.reshape(4, T, N, -1)

    def steps(self, P, U, b, h0, c0, mask, keep=None):
        _, T, N, u = P.shape
        dt = P.dtype
        H, C = np.empty((T + 1, N, u), dt), np.empty((T + 1, N, u), dt)
        H[0] = 0 if h0 is None else h0
        C[0] = 0 if c0 is None else c0
        A = np.empty((T, N, u), dt)  # activation(c_t), kept for the loop back
        U4 = gate_major(U) * self.scales(dt)
        product, hm, ig = np.empty((4, N, u), dt), np.empty((N, u), dt), np.empty((N, u), dt)
        rec, act = self.recurrent_activation, self.activation
        together = rec in EXP_SCALE and act in EXP_SCALE
        with np.errstate(over="ignore"):
            for t in range(T):
                h = H[t] if mask is None else np.multiply(H[t], mask, out=hm)
                z = P[:, t]  # becomes the gates o, i, f, g of step t
                z += np.matmul(h, U4, out=product)
                if together:
                    squash(z)
                    finish(act, z[3])
                else:
                    activate_scaled(rec, z[:3])
                    activate_scaled(act, z[3])
                c = np.multiply(z[2], C[t], out=C[t + 1])
                c += np.multiply(z[1], z[3], out=ig)
                activate(act, c, out=A[t])  # NumPy's tanh beats the 6 passes of its exp form
                np.multiply(z[0], A[t], out=H[t + 1])
                if keep is not None:
                    carry(H[t + 1], H[t], keep[t])
                    carry(C[t + 1], C[t], keep[t])
        y = self.sequence_output(H)
        if self.return_state:
            y = np.stack([y, self.sequence_output(C)])
        return y, {"gates": P, "H": H, "C": C, "A": A}

    def local_slopes(self, gates, C, A, a, b, local, to_c):
        """The local derivatives of steps a..b-1 into local[:, :b-a] and to_c[:b-a]: the
        pre-activations' gradients are dz_o = dh a o', dz_i = dc g i', dz_f = dc c_prev f',
        dz_g = dc i g', and dc gets dh o act'(c). A chunk of steps at a time, computed as the
        loop back reaches it: few NumPy calls, on memory still in cache."""
        rec, act, n = self.recurrent_activation, self.activation, b - a
        o, i, f, g = gates[:, a:b]
        L = local[:, :n]
        slope(rec, gates[:3, a:b], out=L[:3])
        L[0] *= A[a:b]
        L[1] *= g
        L[2] *= C[a:b]  # c_prev
        np.multiply(i, slope(act, g, out=L[3]), out=L[3])
        np.multiply(o, slope(act, A[a:b], out=to_c[:n]), out=to_c[:n])

    def back_steps(self, gy, saved, U, mask, needs_mask):
        gates, H, C, A, keep = saved["gates"], saved["H"], saved["C"], saved["A"], saved["keep"]
        T, N, u = A.shape
        dt = A.dtype
        if self.return_state:
            (G, dh), (Gc, dc) = self.output_grads(gy[0], dt), self.output_grads(gy[1], dt)
        else:
            (G, dh), (Gc, dc) = self.output_grads(gy, dt), (None, np.zeros((N, u), dt))
        dZ = np.empty((T, N, 4 * u), dt)
        dZ4 = dZ.reshape(T, N, 4, u)
        dhm = np.empty((T, N, u), dt) if needs_mask else None
        scratch, UT = np.empty((N, u), dt), np.ascontiguousarray(U.T)
        chunk = min(T, CHUNK)
        local, to_c = np.empty((4, chunk, N, u), dt), np.empty((chunk, N, u), dt)
        for t in reversed(range(T)):
            if t % chunk == chunk - 1 or t == T - 1:
                self.local_slopes(gates, C, A, t - t % chunk, t + 1, local, to_c)
            j = t % chunk
            if G is not None:
                dh += G[t]
            if Gc is not None:
                dc += Gc[t]
            kept = None if keep is None else (pass_over(dh, keep[t]), pass_over(dc, keep[t]))
            dc += np.multiply(dh, to_c[j], out=scratch)
            np.multiply(local[0, j], dh, out=dZ4[t, :, 0])
            np.multiply(local[1:, j], dc, out=dZ4[t, :, 1:].transpose(1, 0, 2))
            dc *= gates[2, t]  # f
            into = dh if dhm is None else dhm[t]
            np.matmul(dZ[t], UT, out=into)
            if mask is not None:
                np.multiply(into, mask, out=dh)
            if kept is not None:
                dh += kept[0]
                dc += kept[1]
        dU = np.matmul(self.masked(H[:-1], mask).reshape(T * N, u).T, dZ.reshape(T * N, 4 * u))
        dmask = (H[:-1] * dhm).sum(axis=0) if needs_mask else None
        return dZ, dU, [dh, dc], dmask, None


CHUNK = 16  # steps whose local derivatives the loop back computes together


def gate_major(w):
    """A kernel (rows, 4*units) as 4 blocks (4, rows, units), contiguous."""
    rows = w.shape[0]
    return np.ascontiguousarray(w.reshape(rows, 4, -1).transpose(1, 0, 2))


class GRU(Recurrence):
    """z, r = recurrent_activation(x_t @ W + b + h_{t-1} @ U) on their blocks; candidate
    hh = activation(x_t W_h + b_h + (r h_{t-1}) @ U_h), or with `reset_after` (PyTorch's and
    CuDNN's form, bias (2, 3*units): input and recurrent) activation(x_t W_h + b_h +
    r (h_{t-1} @ U_h + b'_h)); h_t = z h_{t-1} + (1 - z) hh."""

    kind = "gru"
    gates = 3

    def __init__(self, *args, reset_after=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.reset_after = bool(reset_after)

    def bias_shape(self, units):
        return (2, 3 * units) if self.reset_after else (3 * units,)

    def input_bias(self, b):
        return b[0] if self.reset_after else b

    def steps(self, P, U, b, h0, c0, mask, keep=None):
        T, N, k = P.shape
        u, dt = k // 3, P.dtype
        H = np.empty((T + 1, N, u), dt)
        H[0] = 0 if h0 is None else h0
        # R: r h (reset before the product), or h @ U_h + b'_h (reset after it)
        R = np.empty((T, N, u), dt)
        U_zr, U_h = np.ascontiguousarray(U[:, :2 * u]), np.ascontiguousarray(U[:, 2 * u:])
        product, hm, scratch = np.empty((N, k), dt), np.empty((N, u), dt), np.empty((N, u), dt)
        rec, act = self.recurrent_activation, self.activation
        for t in range(T):
            h = H[t] if mask is None else np.multiply(H[t], mask, out=hm)
            z3 = P[t]  # becomes the gates z, r, hh of step t
            if self.reset_after:
                np.matmul(h, U, out=product)
                if b is not None:
                    product += b[1]
                z3[:, :2 * u] += product[:, :2 * u]
                activate(rec, z3[:, :2 * u])
                R[t] = product[:, 2 * u:]
                z3[:, 2 * u:] += np.multiply(z3[:, u:2 * u], R[t], out=scratch)
            else:
                z3[:, :2 * u] += np.matmul(h, U_zr, out=product[:, :2 * u])
                activate(rec, z3[:, :2 * u])
                np.multiply(z3[:, u:2 * u], h, out=R[t])
                z3[:, 2 * u:] += np.matmul(R[t], U_h, out=product[:, 2 * u:])
            hh = activate(act, z3[:, 2 * u:])
            h_new = np.subtract(H[t], hh, out=H[t + 1])  # h_t = hh + z (h_{t-1} - hh)
            h_new *= z3[:, :u]
            h_new += hh
            if keep is not None:
                carry(h_new, H[t], keep[t])
        return self.sequence_output(H), {"gates": P, "H": H, "R": R}

    def back_steps(self, gy, saved, U, mask, needs_mask):
        gates, H, R, keep = saved["gates"], saved["H"], saved["R"], saved["keep"]
        T, N, u = R.shape
        dt = R.dtype
        G, dh = self.output_grads(gy, dt)
        rec, act = self.recurrent_activation, self.activation
        g3 = gates.reshape(T, N, 3, u)
        z, r, hh = g3[:, :, 0], g3[:, :, 1], g3[:, :, 2]
        Hm = self.masked(H[:-1], mask)
        to_z = (H[:-1] - hh) * derivative(rec, z)   # dz_z = dh to_z
        to_h = (1 - z) * derivative(act, hh)         # dz_h = dh to_h
        to_r = (R if self.reset_after else Hm) * derivative(rec, r)
        U_zr, U_h = U[:, :2 * u], U[:, 2 * u:]
        dZ = np.empty((T, N, 3 * u), dt)
        dZ3 = dZ.reshape(T, N, 3, u)
        dZ_rec = np.empty_like(dZ) if self.reset_after else None  # of h @ U + b'
        dhm = np.empty((T, N, u), dt) if needs_mask else None
        into, d_reset = np.empty((N, u), dt), np.empty((N, u), dt)
        for t in reversed(range(T)):
            if G is not None:
                dh += G[t]
            if dhm is not None:
                into = dhm[t]
            kept = None if keep is None else pass_over(dh, keep[t])
            np.multiply(dh, to_z[t], out=dZ3[t, :, 0])
            np.multiply(dh, to_h[t], out=dZ3[t, :, 2])
            if self.reset_after:
                np.multiply(dZ3[t, :, 2], to_r[t], out=dZ3[t, :, 1])
                dZ_rec[t, :, :2 * u] = dZ[t, :, :2 * u]
                np.multiply(dZ3[t, :, 2], r[t], out=dZ_rec[t, :, 2 * u:])
                np.matmul(dZ_rec[t], U.T, out=into)
            else:
                np.matmul(dZ3[t, :, 2], U_h.T, out=d_reset)   # gradient of r h
                np.multiply(d_reset, to_r[t], out=dZ3[t, :, 1])
                np.matmul(dZ[t, :, :2 * u], U_zr.T, out=into)
                into += np.multiply(d_reset, r[t], out=d_reset)
            dh *= z[t]
            dh += into if mask is None else np.multiply(into, mask, out=d_reset)
            if kept is not None:
                dh += kept
        flat = (T * N, 3 * u)
        if self.reset_after:
            dU = np.matmul(Hm.reshape(T * N, u).T, dZ_rec.reshape(flat))
            db = np.stack([dZ.reshape(flat).sum(axis=0), dZ_rec.reshape(flat).sum(axis=0)])
        else:
            dU = np.concatenate([np.matmul(Hm.reshape(T * N, u).T, dZ[..., :2 * u].reshape(T * N, -1)),
                                 np.matmul(R.reshape(T * N, u).T, dZ[..., 2 * u:].reshape(T * N, -1))],
                                axis=1)
            db = None
        dmask = (H[:-1] * dhm).sum(axis=0) if needs_mask else None
        return dZ, dU, [dh], dmask, db


def _recurrence(op_class, x, kernel, recurrent_kernel, bias, initial_state, mask, name,
                step_mask=None, **attrs):
    """Apply op_class(**attrs) to the inputs that are given (see recurrence.py for the order)."""
    states = [] if initial_state is None else list(initial_state)
    op = op_class(use_bias=bias is not None, initial_state=bool(states),
                  recurrent_mask=mask is not None, step_mask=step_mask is not None, **attrs)
    if states and len(states) != op.states:
        raise ValueError(f"{op.kind}: initial_state needs {op.states} array(s) (h0"
                         f"{', c0' if op.states == 2 else ''}), got {len(states)}")
    inputs = [x, kernel, recurrent_kernel] + ([bias] if bias is not None else []) + states + \
        ([mask] if mask is not None else []) + ([step_mask] if step_mask is not None else [])
    return apply(op, *inputs, name=name)


@register("passos")
def simple_rnn(x, kernel, recurrent_kernel, bias=None, activation="tanh", return_sequences=True,
               go_backwards=False, initial_state=None, recurrent_mask=None, mask=None,
               name=None):
    """A simple RNN over x (batch, steps, features): (batch, steps, units), or (batch, units)
    without return_sequences; h_t = activation(x_t @ kernel + bias + h_{t-1} @ recurrent_kernel).
    mask (batch, steps), in all three: where 0, the step keeps the state and output before it."""
    return _recurrence(SimpleRNN, x, kernel, recurrent_kernel, bias, initial_state, recurrent_mask,
                       name, mask, activation=activation, return_sequences=return_sequences,
                       go_backwards=go_backwards)


@register("passos")
def lstm(x, kernel, recurrent_kernel, bias=None, activation="tanh",
         recurrent_activation="hard_sigmoid", return_sequences=True, go_backwards=False,
         initial_state=None, recurrent_mask=None, return_state=False, mask=None, name=None):
    """An LSTM over x (batch, steps, features), gates i, f, c, o (Keras' order and math).

    Returns h for every step (batch, steps, units), or the last (batch, units); with
    return_state, those stacked with the cell states c: (2, ...). initial_state: [h0, c0].
    """
    return _recurrence(LSTM, x, kernel, recurrent_kernel, bias, initial_state, recurrent_mask,
                       name, mask, activation=activation, recurrent_activation=recurrent_activation,
                       return_sequences=return_sequences, go_backwards=go_backwards,
                       return_state=return_state)


@register("passos")
def gru(x, kernel, recurrent_kernel, bias=None, activation="tanh",
        recurrent_activation="hard_sigmoid", return_sequences=True, go_backwards=False,
        initial_state=None, recurrent_mask=None, reset_after=False, mask=None, name=None):
    """A GRU over x (batch, steps, features), gates z, r, h (Keras' order and math; with
    reset_after, PyTorch's, the bias then (2, 3*units)). Returns h per step, or the last."""
    return _recurrence(GRU, x, kernel, recurrent_kernel, bias, initial_state, recurrent_mask,
                       name, mask, activation=activation, recurrent_activation=recurrent_activation,
                       return_sequences=return_sequences, go_backwards=go_backwards,
                       reset_after=reset_after)
