"""What every recurrent op shares: activations in place, inputs, shapes, and the input product.

A recurrent op (`rnn.py`: SimpleRNN, LSTM, GRU) runs a whole sequence in one call:

1. x (batch, steps, features) becomes time-major and is multiplied by the kernel once, for
   every step at a time (one large matrix product instead of one per step);
2. a loop over the steps does only the recurrent product h @ U and the gate math, in
   preallocated buffers;
3. the vjp loops back over the steps (backprop through time) collecting the gradient of the
   pre-activations of every step, then finds the gradients of x, the kernel, the recurrent
   kernel and the bias with one large product each.

The gates' blocks may run in an order of the op's own (`order`: the LSTM's sigmoid gates side
by side, so one pass activates them): the weights' columns are permuted once per call, and
their gradients back, so users only ever see Keras' layout.

A plan may run a batch's halves on two threads (`batch_inputs`): each sequence is independent,
and what forward saves is handed out batch-major (views of its time-major arrays).

Inputs, in order: x, kernel W (features, k*units), recurrent kernel U (units, k*units), the
bias when `use_bias`, the initial states (h0, and c0 for an LSTM; each (batch, units)) when
`initial_state`, a recurrent dropout mask (batch, units) applied to h before each recurrent
product when `recurrent_mask` (Keras keeps one mask for the whole sequence), and last a step
mask (batch, steps) when `step_mask` (Keras' masking; no gradient): where it is 0 the step is
skipped, the states and the output carried over from the step before, as Keras' backend rnn does.
"""
import numpy as np

from ..core.op import Op
from ..core.shapes import ShapeError, describe
from ..kernels import parallel

ACTIVATIONS = ("tanh", "sigmoid", "hard_sigmoid", "relu", "linear")
PASSES = 2  # elementwise passes per gate and step, for `work` (in PASS multiply-adds each)


def activate(name, z, out=None):
    """name(z) written into `out` (z itself when None; a strided view is fine); returns it."""
    out = z if out is None else out
    if name == "tanh":
        np.tanh(z, out=out)
    elif name == "sigmoid":  # 1 / (1 + e^-z), overflow-free in four passes
        np.negative(z, out=out)
        np.exp(out, out=out)
        out += 1
        np.reciprocal(out, out=out)
    elif name == "hard_sigmoid":  # Keras: clip(0.2 z + 0.5, 0, 1)
        np.multiply(z, 0.2, out=out)
        out += 0.5
        np.clip(out, 0, 1, out=out)
    elif name == "relu":
        np.maximum(z, 0, out=out)
    elif out is not z:  # linear
        np.copyto(out, z)
    return out


# sigmoid and tanh are both 1 / (1 + e^v) of a scaled pre-activation v = scale z, then at most
# an affine step: one exp pass serves all the gates of a step when the scale is folded into the
# weights (exact: a power of two), and NumPy's exp is about twice as fast as its float32 tanh
EXP_SCALE = {"sigmoid": -1, "tanh": -2}


def squash(v):
    """1 / (1 + e^v) in place (e^v may overflow to inf: the result is then 0, as it should)."""
    np.exp(v, out=v)
    v += 1
    np.reciprocal(v, out=v)


def finish(name, s):
    """name(z) in place from s = squash(EXP_SCALE[name] z): tanh(z) = 2 sigmoid(2z) - 1."""
    if name == "tanh":
        s *= 2
        s -= 1


def activate_scaled(name, v):
    """name(z) in place from v = EXP_SCALE.get(name, 1) z."""
    if name in EXP_SCALE:
        squash(v)
        finish(name, v)
    else:
        activate(name, v)


def derivative(name, y):
    """act'(z) from the output y = act(z), as a new array (y unchanged)."""
    return slope(name, y, np.empty_like(y))


def slope(name, y, out):
    """act'(z) from the output y = act(z), written into `out` (not y); returns it."""
    if name == "tanh":
        np.multiply(y, y, out=out)
        np.subtract(1, out, out=out)
    elif name == "sigmoid":
        np.subtract(1, y, out=out)
        out *= y
    elif name == "hard_sigmoid":  # slope 0.2 inside (0, 1), flat where clipped
        np.multiply((y > 0) & (y < 1), y.dtype.type(0.2), out=out)
    elif name == "relu":
        np.greater(y, 0, out=out)
    else:
        out[...] = 1
    return out


class Recurrence(Op):
    """The frame of one recurrent layer's whole sequence as one op (see the module docstring).

    A subclass sets `kind`, `gates` (k: 1, 4 or 3) and `states` (1, or 2 for an LSTM), and
    writes `steps(P, U, b, h0, c0, mask, keep)` (the forward loop over the projected inputs P;
    keep: the time-major step mask or None, applied with `carry`) and
    `back_steps(gy, saved, U, mask, needs_mask)` (the loop back over time; `pass_over`).
    """

    saves = True
    calls_blas = True  # the input projection and a product per step
    gates = 1
    states = 1
    order = None  # the gate blocks' order inside the op, as indices of Keras' blocks

    def __init__(self, activation="tanh", recurrent_activation="hard_sigmoid",
                 return_sequences=True, go_backwards=False, use_bias=True,
                 initial_state=False, recurrent_mask=False, step_mask=False):
        for what, name in (("activation", activation),
                           ("recurrent_activation", recurrent_activation)):
            if name not in ACTIVATIONS:
                raise ValueError(f"{self.kind}: {what} must be one of {ACTIVATIONS}, "
                                 f"got {name!r}")
        self.activation, self.recurrent_activation = activation, recurrent_activation
        self.return_sequences, self.go_backwards = bool(return_sequences), bool(go_backwards)
        self.use_bias, self.initial_state = bool(use_bias), bool(initial_state)
        self.recurrent_mask, self.step_mask = bool(recurrent_mask), bool(step_mask)

    @property
    def formulas(self):
        names = ["x", "W", "U"] + ["b"] * self.use_bias + \
            ["h0", "c0"][:self.states] * self.initial_state + ["mask"] * self.recurrent_mask
        return tuple(f"∂{self.kind}/∂{n}: backprop through time, summing every step's "
                     f"contribution" for n in names) + ("step mask: no gradient",) * self.step_mask

    def split(self, xs):
        """(x, W, U, b or None, [initial states] or None, mask or None) from the op's inputs."""
        x, W, U, rest = xs[0], xs[1], xs[2], list(xs[3:])
        b = rest.pop(0) if self.use_bias else None
        states = [rest.pop(0) for _ in range(self.states)] if self.initial_state else None
        mask = rest.pop(0) if self.recurrent_mask else None
        return x, W, U, b, states, mask

    @property
    def batch_inputs(self):
        """x splits over the batch (weights shared) unless batch-shaped inputs follow it."""
        return 0 if self.initial_state or self.recurrent_mask or self.step_mask else 1

    def work(self, xs, needs=None):
        """Multiply-adds of forward (needs None), or about twice that of the vjp."""
        (N, T, D), k = np.shape(xs[0]), np.shape(xs[2])[1]
        work = T * N * k * (D + k // self.gates + PASSES * parallel.PASS)
        return work if needs is None else 2 * work

    def internal(self, w):
        """Kernel, recurrent kernel or bias (or a gradient's) with its gate blocks in `order`."""
        if self.order is None:
            return w
        *lead, k = w.shape
        return w.reshape(*lead, self.gates, k // self.gates)[..., self.order, :].reshape(w.shape)

    def external(self, w):
        """The inverse of `internal`: Keras' layout back."""
        if self.order is None or w is None:
            return w
        *lead, k = w.shape
        inverse = np.argsort(self.order)
        return w.reshape(*lead, self.gates, k // self.gates)[..., inverse, :].reshape(w.shape)

    def bias_shape(self, units):
        return (self.gates * units,)

    # -- shapes --------------------------------------------------------------------
    def shape(self, *shapes):
        expected = 3 + self.use_bias + self.states * self.initial_state + self.recurrent_mask + \
            self.step_mask
        if len(shapes) != expected:
            raise ShapeError(f"{self.kind}: expects {expected} inputs, got {len(shapes)}")
        x, W, U, b, states, mask = self.split(shapes)
        if self.step_mask and (len(shapes[-1]) != 2 or any(
                None not in (d, e) and d != e for d, e in zip(shapes[-1], x[:2]))):
            raise ShapeError(f"{self.kind}: the step mask must have shape (batch, steps) = "
                             f"{describe(x[:2])}, got {describe(shapes[-1])}")
        k = self.gates
        if len(x) != 3 or len(W) != 2 or len(U) != 2:
            raise ShapeError(f"{self.kind}: expects inputs (batch, steps, features), a kernel "
                             f"(features, {k}*units) and a recurrent kernel (units, {k}*units); "
                             f"got shapes {describe(x)}, {describe(W)} and {describe(U)}")
        units = U[0]
        if units is not None and (U[1] is not None and U[1] != k * units or
                                  W[1] is not None and W[1] != k * units):
            raise ShapeError(f"{self.kind}: with {units} units the kernels need {k * units} "
                             f"columns, got kernel {describe(W)} and recurrent kernel "
                             f"{describe(U)}")
        if None not in (x[2], W[0]) and x[2] != W[0]:
            raise ShapeError(f"{self.kind}: inputs of shape {describe(x)} have {x[2]} features "
                             f"but the kernel of shape {describe(W)} expects {W[0]}")
        if x[1] == 0:
            raise ShapeError(f"{self.kind}: needs at least one step, got inputs {describe(x)}")
        if b is not None and units is not None and tuple(b) != self.bias_shape(units):
            raise ShapeError(f"{self.kind}: the bias must have shape "
                             f"{describe(self.bias_shape(units))}, got {describe(b)}")
        for what, s in [("initial state", s) for s in states or []] + [("mask", mask)] * (
                mask is not None):
            if len(s) != 2 or any(None not in (d, e) and d != e for d, e in zip(s, (x[0], units))):
                raise ShapeError(f"{self.kind}: the {what} must have shape (batch, units) = "
                                 f"{describe((x[0], units))}, got {describe(s)}")
        out = (x[0], x[1], units) if self.return_sequences else (x[0], units)
        return out

    def dtype(self, *dtypes):
        dt = np.result_type(*dtypes)
        return dt if dt.kind == "f" else np.dtype(np.float32)

    # -- forward and vjp frames -----------------------------------------------------
    def forward(self, *xs):
        # the whole check costs nothing next to a sequence, and catches what broadcasting hides
        self.shape(*(np.shape(v) for v in xs))
        x, W, U, b, states, mask = self.split(xs)
        dt = self.dtype(*(np.asarray(v).dtype for v in xs))
        W, U = self.internal(np.asarray(W)), self.internal(np.asarray(U))
        b = None if b is None else self.internal(np.asarray(b))
        # 1. time-major inputs (reversed for go_backwards), times the kernel for all steps
        X = np.ascontiguousarray((x[:, ::-1] if self.go_backwards else x).transpose(1, 0, 2),
                                 dtype=dt)
        P = self.project(X, W.astype(dt, copy=False), b)
        # 2. the loop over time
        h0, c0 = (list(states) + [None])[:2] if states is not None else (None, None)
        keep = self.time_major_mask(xs[-1], dt) if self.step_mask else None
        y, saved = self.steps(P, U.astype(dt, copy=False), b, h0, c0,
                              None if mask is None else mask.astype(dt, copy=False), keep)
        saved["X"], saved["keep"] = X, keep
        return y, {key: None if v is None else np.moveaxis(v, -2, 0)  # see `time_major`
                   for key, v in saved.items()}

    def project(self, X, W, b):
        """The inputs X (steps, batch, features) times the kernel, plus the input bias:
        (steps, batch, k*units)."""
        T, N, D = X.shape
        P = np.matmul(X.reshape(T * N, D), W)
        if b is not None:
            P += self.input_bias(b)
        return P.reshape(T, N, -1)

    def time_major_mask(self, m, dt):
        """The step mask (batch, steps) as (steps, batch, 1) floats, in the order of the loop."""
        m = np.asarray(m)
        m = (m[:, ::-1] if self.go_backwards else m).T[:, :, None]
        return np.ascontiguousarray(m != 0, dtype=dt)

    def input_bias(self, b):
        return b

    def sequence_output(self, H):
        """The output from the hidden states H (steps + 1, batch, units), H[0] the initial one."""
        return np.ascontiguousarray(H[1:].transpose(1, 0, 2)) if self.return_sequences \
            else H[-1].copy()

    def output_grads(self, gy, dt):
        """(the output gradient per step, time-major, or None; a copy of the last step's or zeros)."""
        gy = np.asarray(gy, dt)
        if self.return_sequences:
            return np.ascontiguousarray(gy.transpose(1, 0, 2)), np.zeros(gy[:, 0].shape, dt)
        return None, gy.copy()

    def masked(self, H, mask):
        """The states as the recurrent products see them: H, or H * mask (recurrent dropout)."""
        return H if mask is None else H * mask

    def time_major(self, saved):
        """What forward saved, time-major again: it hands out batch-major views (no copies; the
        batch is each array's axis -2), so a plan can split and join them on axis 0."""
        return {key: None if v is None else np.moveaxis(v, 0, -2) for key, v in saved.items()}

    def vjp(self, gy, xs, y, saved, needs):
        x, W, U, b, states, mask = self.split(xs)
        saved = self.time_major(saved)
        X = saved["X"]
        T, N, D = X.shape
        W, U = self.internal(np.asarray(W)), self.internal(np.asarray(U))
        dt = X.dtype
        n_states = self.states if self.initial_state else 0
        needs_mask = self.recurrent_mask and needs[len(xs) - 1 - self.step_mask]
        # 1. backprop through time: the pre-activation gradients of every step
        dP, dU, dstates, dmask, db = self.back_steps(gy, saved, U.astype(dt, copy=False),
                                                     None if mask is None else
                                                     mask.astype(dt, copy=False), needs_mask)
        # 2. one product each for x and the kernel, a sum for the bias
        flat = dP.reshape(T * N, -1)
        dx = dW = None
        if needs[0]:
            dx = np.matmul(flat, W.astype(dt, copy=False).T).reshape(T, N, D).transpose(1, 0, 2)
            dx = np.ascontiguousarray(dx[:, ::-1] if self.go_backwards else dx)
        if needs[1]:
            dW = np.matmul(X.reshape(T * N, D).T, flat)
        grads = [dx, self.external(dW), self.external(dU)]
        if self.use_bias:
            grads.append(self.external(db if db is not None else flat.sum(axis=0)))
        grads += list(dstates)[:n_states]
        if self.recurrent_mask:
            grads.append(dmask)
        return tuple(grads) + (None,) * self.step_mask


def carry(new, old, m):
    """A masked step keeps the state: new = old + m (new - old), in place (m 1 or 0 per sample)."""
    np.subtract(new, old, out=new)
    new *= m
    new += old


def pass_over(g, m):
    """Split a state's gradient at a masked step: g *= m in place (the step's share); returns
    g (1 - m), the share that goes straight to the state before."""
    kept = g * (1 - m)
    g *= m
    return kept
