"""The local derivative of every op kind, as a formula a learner reads and (where elementwise) as numbers.

`FORMULAS[kind]` holds one formula per input (a function of the op for ops
with any number of inputs); `local_formulas(op, arity)` looks it up, with the
fallback "vjp of <kind>". `local_values(op, xs, y, saved)` gives the numbers
of the elementwise local derivatives ∂y/∂input, in the broadcast output
shape; gradients themselves always come from the ops' own vjps.
"""
import re

import numpy as np

_SAME = "1"

FORMULAS = {
    # arithmetic
    "add": ("∂(a+b)/∂a = 1", "∂(a+b)/∂b = 1"),
    "subtract": ("∂(a-b)/∂a = 1", "∂(a-b)/∂b = -1"),
    "multiply": ("∂(a·b)/∂a = b", "∂(a·b)/∂b = a"),
    "divide": ("∂(a/b)/∂a = 1/b", "∂(a/b)/∂b = -a/b²"),
    "negative": ("∂(-x)/∂x = -1",),
    "power": ("∂(aᵇ)/∂a = b·aᵇ⁻¹", "∂(aᵇ)/∂b = aᵇ·ln a"),
    "maximum": ("∂max(a,b)/∂a = 1 where a > b, ½ where a = b, else 0",
                "∂max(a,b)/∂b = 1 where b > a, ½ where a = b, else 0"),
    "minimum": ("∂min(a,b)/∂a = 1 where a < b, ½ where a = b, else 0",
                "∂min(a,b)/∂b = 1 where b < a, ½ where a = b, else 0"),
    "where": ("none (a condition)", "∂where(c,a,b)/∂a = 1 where c, else 0",
              "∂where(c,a,b)/∂b = 1 where not c, else 0"),
    "clip": ("∂clip(x)/∂x = 1 inside [low, high], else 0",),
    # one-input elementwise
    "exp": ("∂eˣ/∂x = eˣ",),
    "log": ("∂ln x/∂x = 1/x",),
    "sqrt": ("∂√x/∂x = 1/(2√x)",),
    "square": ("∂x²/∂x = 2x",),
    "abs": ("∂|x|/∂x = sign(x)",),
    "tanh": ("∂tanh x/∂x = 1 - tanh²x",),
    "sigmoid": ("∂σ(x)/∂x = σ(x)·(1 - σ(x))",),
    "relu": ("∂relu(x)/∂x = 1 where x > 0, else 0",),
    "cast": ("∂cast(x)/∂x = 1",),
    "dropout": ("∂dropout(x)/∂x = mask: 0 where dropped, 1/(1-rate) where kept",),
    # products and reductions
    "matmul": ("∂(A@B)/∂A: gy @ Bᵀ", "∂(A@B)/∂B: Aᵀ @ gy"),
    "sum": ("∂sum(x)/∂x = 1 (broadcast)",),
    "mean": ("∂mean(x)/∂x = 1/n (broadcast)",),
    "max": ("∂max(x)/∂x = 1 at the maximum (tied maxima share), else 0",),
    "min": ("∂min(x)/∂x = 1 at the minimum (tied minima share), else 0",),
    # moving values
    "reshape": ("∂reshape(x)/∂x = 1 (gy reshaped back)",),
    "transpose": ("∂xᵀ/∂x = 1 (gy transposed back)",),
    "getitem": ("∂x[i]/∂x = 1 at the index, 0 elsewhere",),
    "pad": ("∂pad(x)/∂x = 1 inside (gy with the border cut off)",),
    "broadcast_to": ("∂broadcast(x)/∂x = 1 (gy summed over the broadcast axes)",),
    "concatenate": lambda op, n: ("∂concat/∂xᵢ = 1 on xᵢ's own slice",) * n,
    "stack": lambda op, n: ("∂stack/∂xᵢ = 1 on xᵢ's own slice",) * n,
    "upsample": ("∂upsample(x)/∂x = 1 (gy summed over each repeated block)",),
    # softmax family
    "softmax": ("∂sᵢ/∂xⱼ = sᵢ(δᵢⱼ - sⱼ): gy·s - s·Σ(gy·s)",),
    "log_softmax": ("∂log sᵢ/∂xⱼ = δᵢⱼ - sⱼ: gy - s·Σgy",),
    "softmax_cross_entropy": ("∂CE/∂z = softmax(z) - y", "∂CE/∂y = -log softmax(z)"),
    "sparse_softmax_cross_entropy": ("∂CE/∂z = softmax(z) - onehot(label)",
                                     "none (integer labels)"),
    # sliding windows (conv1d/2d/3d, max_pool1d ..., avg_pool1d ...)
    "conv": lambda op, arity: _conv(op, arity),
    "max_pool": ("∂maxpool/∂x = 1 at each window's first maximum, else 0",),
    "conv_pool2d": lambda op, arity: _conv_pool(op, arity),
    "dense": lambda op, arity: _dense(op, arity),
    "avg_pool": ("∂avgpool/∂x = 1/(cells in the window), spread over the window",),
    # graph-only ops (passos.compat.v1)
    "identity": ("∂x/∂x = 1",),
    "stop_gradient": ("none (stop_gradient)",),
    "placeholder_with_default": ("∂x/∂x = 1",),
}


def family(kind):
    """conv2d -> conv, max_pool3d -> max_pool; other kinds unchanged."""
    match = re.fullmatch(r"(conv|max_pool|avg_pool)\dd", kind)
    return match.group(1) if match else kind


def local_formulas(op, arity):
    """One formula string per input of `op`: how its output changes with that input."""
    entry = FORMULAS.get(family(op.kind))
    if callable(entry):
        entry = entry(op, arity)
    if entry is None or len(entry) != arity:
        return (f"vjp of {op.kind}",) * arity
    return tuple(entry)


def _conv(op, arity):
    """Convolution: x and W, then the fused bias; with the fused ReLU, gy is masked first."""
    g = "gy·[y > 0]" if getattr(op, "activation", None) == "relu" else "gy"
    return (f"∂conv/∂x: each window's {g}·Wᵀ added back where the window read x",
            f"∂conv/∂W: Σ over windows of x(window) · {g} (im2col(x)ᵀ @ {g})",
            f"∂conv/∂b: Σ of {g} over the batch and every position")[:arity]


def _dense(op, arity):
    """x @ W + b, with the gradient masked first when a ReLU is fused in."""
    g = "gy·[y > 0]" if op.activation == "relu" else "gy"
    return (f"∂dense/∂x = {g} @ Wᵀ", f"∂dense/∂W = xᵀ @ {g}",
            f"∂dense/∂b = Σ of {g} over the batch")[:arity]


def _conv_pool(op, arity):
    """CONV -> POOL -> ReLU blocks: gy goes back through each block's ReLU and pooling first."""
    biases = op.biases or (arity == 3,)
    g = ("g = gy·[y > 0] at each 2x2 pool window's first maximum, else 0"
         + (", block by block from the last" if len(biases) > 1 else ""))
    entries = [f"∂/∂x: each window's g·Wᵀ added back where it read x, with {g}"]
    for block, bias in enumerate(biases, start=1):
        of = f" of block {block}" if len(biases) > 1 else ""
        entries.append(f"∂/∂W{of}: Σ over windows of x(window) · g")
        if bias:
            entries.append(f"∂/∂b{of}: Σ of g over the batch and every position")
    return tuple(entries[:arity])


def _ones(*arrays):
    return np.ones(np.broadcast_shapes(*(np.shape(a) for a in arrays)))


def _share(a, b, greater):
    wins = np.greater(a, b) if greater else np.less(a, b)
    return wins + 0.5 * np.equal(a, b)


def _clip_inside(op, x):
    inside = np.ones(np.shape(x), bool)
    if op.low is not None:
        inside &= np.greater_equal(x, op.low)
    if op.high is not None:
        inside &= np.less_equal(x, op.high)
    return inside.astype(np.float64)


def _log_of_positive(a):
    a = np.asarray(a, np.float64)
    return np.where(a > 0, np.log(np.where(a > 0, a, 1)), 0.0)


# kind -> function(op, xs, y, saved) -> one array (or None) per input, in the broadcast shape
_LOCAL = {
    "add": lambda op, xs, y, s: (_ones(*xs), _ones(*xs)),
    "subtract": lambda op, xs, y, s: (_ones(*xs), -_ones(*xs)),
    "multiply": lambda op, xs, y, s: (xs[1] * _ones(*xs), xs[0] * _ones(*xs)),
    "divide": lambda op, xs, y, s: (1 / np.asarray(xs[1]) * _ones(*xs),
                                    -np.asarray(xs[0]) / np.square(xs[1]) * _ones(*xs)),
    "negative": lambda op, xs, y, s: (-_ones(*xs),),
    "power": lambda op, xs, y, s: (
        np.asarray(xs[1]) * np.power(np.asarray(xs[0], np.float64), np.asarray(xs[1]) - 1),
        y * _log_of_positive(xs[0])),
    "maximum": lambda op, xs, y, s: (_share(*xs, True), _share(xs[1], xs[0], True)),
    "minimum": lambda op, xs, y, s: (_share(*xs, False), _share(xs[1], xs[0], False)),
    "where": lambda op, xs, y, s: (None, np.broadcast_to(np.asarray(xs[0], bool), y.shape) * 1.0,
                                   np.broadcast_to(~np.asarray(xs[0], bool), y.shape) * 1.0),
    "clip": lambda op, xs, y, s: (_clip_inside(op, xs[0]),),
    "exp": lambda op, xs, y, s: (y,),
    "log": lambda op, xs, y, s: (1 / np.asarray(xs[0]),),
    "sqrt": lambda op, xs, y, s: (1 / (2 * y),),
    "square": lambda op, xs, y, s: (2 * np.asarray(xs[0]),),
    "abs": lambda op, xs, y, s: (np.sign(xs[0]),),
    "tanh": lambda op, xs, y, s: (1 - y * y,),
    "sigmoid": lambda op, xs, y, s: (y * (1 - y),),
    "relu": lambda op, xs, y, s: ((y > 0) * 1.0,),
    "cast": lambda op, xs, y, s: (_ones(xs[0]),),
    "dropout": lambda op, xs, y, s: (None if s is None else np.asarray(s),),
    "identity": lambda op, xs, y, s: (_ones(xs[0]),),
}


def local_values(op, xs, y, saved):
    """The elementwise local derivatives ∂y/∂xᵢ as arrays (None where not elementwise)."""
    rule = _LOCAL.get(op.kind)
    if rule is None:
        return (None,) * len(xs)
    try:
        with np.errstate(all="ignore"):
            values = rule(op, xs, np.asarray(y), saved)
    except (TypeError, ValueError, AttributeError):
        return (None,) * len(xs)
    return tuple(None if v is None else np.asarray(v) for v in values)
