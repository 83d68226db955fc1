"""The one table of differentiable ops that drives the generic tests.

Each `Case` gives the passos function (of tensors or symbols), a generator of
float64 inputs (kept away from kinks: |x| > 0.1 for relu/abs, positive for
log/sqrt, distinct values for max/min), the equivalent PyTorch function, and
which input axes a graph-mode placeholder leaves unknown (None).

tests/ops/test_ties_and_bounds.py checks the ties and bounds themselves, by hand.

`tests/ops/test_gradients.py` (finite differences, eager and graph),
`tests/ops/test_torch_parity.py` (values and gradients against PyTorch) and
`tests/explain/test_trace.py` (formula text and local values) run every case;
`tests/core/test_registry.py` fails when a differentiable function registered
in `passos.core.registry` has no case here (a case's name up to "[" names it).
"""
from dataclasses import dataclass, field

import numpy as np

import layer_ops_table
import passos as P
import rnn_table


@dataclass
class Case:
    name: str
    fn: object            # passos function of the inputs (eager tensors or graph symbols)
    make: object          # rng -> list of input arrays (float64 ones are differentiated)
    torch: object         # the same function on torch tensors
    free: tuple = ()      # per input: axes a graph placeholder leaves as None
    tol: dict = field(default_factory=dict)  # gradcheck overrides (eps, atol, rtol)

    def __repr__(self):
        return self.name


def _t():
    import torch
    return torch


def _F():
    import torch.nn.functional as F
    return F


# -- input generators ---------------------------------------------------------
def normal(*shape):
    return lambda rng: rng.normal(size=shape)


def away(*shape, low=0.1):
    """Values with |x| >= low (away from a kink at 0)."""
    def make(rng):
        x = rng.uniform(low, 2.0, size=shape)
        return x * rng.choice([-1.0, 1.0], size=shape)
    return make


def positive(*shape, low=0.5, high=2.0):
    return lambda rng: rng.uniform(low, high, size=shape)


def distinct(*shape):
    """Values whose pairwise gaps are at least 0.1, in random order."""
    def make(rng):
        n = int(np.prod(shape, dtype=np.int64))
        values = (rng.permutation(n) - n / 2) * 0.3 + rng.uniform(-0.1, 0.1, size=n)
        return values.reshape(shape)
    return make


def dense_away(x_shape, units, low=0.1):
    """x, kernel and bias whose pre-activations x @ kernel + bias keep |z| >= low (ReLU's kink)."""
    def make(rng):
        for _ in range(100):
            x, W, b = rng.normal(size=x_shape), rng.normal(size=(x_shape[-1], units)), \
                rng.normal(size=units)
            if np.all(np.abs(x @ W + b) >= low):
                return [x, W, b]
        raise RuntimeError("could not keep the pre-activations away from 0")
    return make


def inputs(*makers):
    return lambda rng: [m(rng) for m in makers]


def separated(shape_a, shape_b, gap=0.2):
    """Two inputs whose broadcast elements differ by at least `gap` (for maximum/minimum)."""
    def make(rng):
        a = rng.normal(size=shape_a)
        b = rng.normal(size=shape_b)
        full = np.broadcast_shapes(shape_a, shape_b)
        for _ in range(100):
            diff = np.broadcast_to(a, full) - np.broadcast_to(b, full)
            if np.all(np.abs(diff) > gap):
                return [a, b]
            b = rng.normal(size=shape_b)
        raise RuntimeError("could not separate the inputs")
    return make


def one_hot_soft(*shape):
    """Soft labels: rows of positive values summing to 1 along the last axis."""
    def make(rng):
        p = rng.uniform(0.1, 1.0, size=shape)
        return p / p.sum(axis=-1, keepdims=True)
    return make


def class_labels(classes, *shape):
    return lambda rng: rng.integers(0, classes, size=shape).astype(np.int64)


def mask(*shape):
    def make(rng):
        m = rng.random(size=shape) > 0.5
        m.flat[0], m.flat[-1] = True, False  # both branches used
        return m
    return make


# -- torch helpers --------------------------------------------------------------
def _torch_sparse_ce(logits, labels):
    classes = logits.shape[-1]
    out = _F().cross_entropy(logits.reshape(-1, classes), labels.reshape(-1), reduction="none")
    return out.reshape(labels.shape)


def _torch_soft_ce(logits, labels, axis=-1):
    return -(labels * _t().log_softmax(logits, dim=axis)).sum(dim=axis)


def _first_channels(x):
    """channels_last (N, *spatial, C) as torch's (N, C, *spatial)."""
    return x.movedim(-1, 1)


def _torch_windows(function, x, *args, **kwargs):
    """A torch convolution or pooling on channels_last tensors (passos' default layout)."""
    return function(_first_channels(x), *args, **kwargs).movedim(1, -1)


def _torch_conv(x, W):
    """Keras-layout kernels (*kernel_size, C_in, C_out) as torch's (C_out, C_in, *kernel_size)."""
    rank = W.ndim - 2
    kernel = W.permute(rank + 1, rank, *range(rank))
    return _torch_windows(getattr(_F(), f"conv{rank}d"), x, kernel)


def _torch_pad(x, paddings, value):
    flat = []
    for before, after in reversed(paddings):  # torch lists the last axis first
        flat += [before, after]
    return _F().pad(x, flat, value=value)


_INDEX_ROWS = np.array([0, 2, 0, 3])          # fancy index with a repeat
_INDEX_COLS = np.array([1, 1, 0, 2])
_MASK = np.array([[True, False, True], [False, False, True], [True, True, False], [False, True, True]])


CASES = [
    # elementwise arithmetic, with broadcasting
    Case("add", P.add, inputs(normal(3, 4), normal(3, 4)), lambda a, b: a + b, free=((0,), (0,))),
    Case("add[row]", P.add, inputs(normal(3, 4), normal(4)), lambda a, b: a + b, free=((0,), ())),
    Case("add[col+row]", P.add, inputs(normal(3, 1), normal(1, 4)), lambda a, b: a + b),
    Case("add[scalar-shaped]", P.add, inputs(normal(2, 3), normal()), lambda a, b: a + b),
    Case("add[rank3]", P.add, inputs(normal(2, 1, 4), normal(3, 1)), lambda a, b: a + b,
         free=((0,), ())),
    Case("subtract", P.subtract, inputs(normal(3, 4), normal(4)), lambda a, b: a - b,
         free=((0,), ())),
    Case("subtract[rev-bcast]", P.subtract, inputs(normal(1, 4), normal(3, 1)), lambda a, b: a - b),
    Case("multiply", P.multiply, inputs(normal(3, 4), normal(3, 4)), lambda a, b: a * b,
         free=((0,), (0,))),
    Case("multiply[bias]", P.multiply, inputs(normal(2, 3, 4), normal(3, 1)), lambda a, b: a * b,
         free=((0,), ())),
    Case("divide", P.divide, inputs(normal(3, 4), away(3, 4, low=0.5)), lambda a, b: a / b,
         free=((0,), (0,))),
    Case("divide[bcast]", P.divide, inputs(normal(3, 4), away(4, low=0.5)), lambda a, b: a / b),
    Case("negative", P.negative, inputs(normal(3, 4)), lambda a: -a, free=((0,),)),
    Case("power[scalar]", lambda x: P.power(x, 3.0), inputs(normal(3, 4)), lambda x: x ** 3.0,
         free=((0,),)),
    Case("power[half]", lambda x: P.power(x, 0.5), inputs(positive(5)), lambda x: x ** 0.5),
    Case("power[tensor]", P.power, inputs(positive(3, 4), normal(4)), lambda a, b: a ** b,
         free=((0,), ())),
    Case("power[rpow]", lambda x: P.power(2.0, x), inputs(normal(4)), lambda x: 2.0 ** x),
    Case("maximum", P.maximum, separated((3, 4), (3, 4)), lambda a, b: _t().maximum(a, b),
         free=((0,), (0,))),
    Case("maximum[bcast]", P.maximum, separated((3, 4), (4,)), lambda a, b: _t().maximum(a, b)),
    Case("minimum", P.minimum, separated((3, 4), (3, 4)), lambda a, b: _t().minimum(a, b),
         free=((0,), (0,))),
    Case("minimum[bcast]", P.minimum, separated((3, 1), (1, 4)), lambda a, b: _t().minimum(a, b)),
    Case("where", P.where, inputs(mask(3, 4), normal(3, 4), normal(3, 4)),
         lambda c, a, b: _t().where(c, a, b), free=((0,), (0,), (0,))),
    Case("where[bcast]", P.where, inputs(mask(3, 1), normal(4), normal(3, 4)),
         lambda c, a, b: _t().where(c, a, b)),
    Case("clip", lambda x: P.clip(x, -0.5, 0.5),
         lambda rng: [np.array([-1.2, -0.7, -0.3, 0.0, 0.2, 0.35, 0.8, 1.5]) + rng.uniform(-0.05, 0.05, 8)],
         lambda x: _t().clamp(x, -0.5, 0.5), free=((0,),)),
    Case("clip[min]", lambda x: P.clip(x, min_value=0.45), inputs(distinct(2, 4)),
         lambda x: _t().clamp(x, min=0.45)),
    Case("clip[max]", lambda x: P.clip(x, max_value=-0.15), inputs(distinct(2, 4)),
         lambda x: _t().clamp(x, max=-0.15)),
    # one-input elementwise
    Case("exp", P.exp, inputs(normal(3, 4)), lambda x: x.exp(), free=((0,),)),
    Case("log", P.log, inputs(positive(3, 4)), lambda x: x.log(), free=((0,),)),
    Case("sqrt", P.sqrt, inputs(positive(3, 4)), lambda x: x.sqrt(), free=((0,),)),
    Case("square", P.square, inputs(normal(3, 4)), lambda x: x.square(), free=((0,),)),
    Case("abs", P.abs, inputs(away(3, 4)), lambda x: x.abs(), free=((0,),)),
    Case("tanh", P.tanh, inputs(normal(3, 4)), lambda x: x.tanh(), free=((0,),)),
    Case("sigmoid", P.sigmoid, inputs(lambda rng: rng.normal(size=(3, 4)) * 4),
         lambda x: x.sigmoid(), free=((0,),)),
    Case("relu", P.relu, inputs(away(3, 4)), lambda x: x.relu(), free=((0,),)),
    Case("elu", P.elu, inputs(away(3, 4)), lambda x: _F().elu(x), free=((0,),)),
    Case("elu[alpha]", lambda x: P.elu(x, alpha=0.5), inputs(away(3, 4)),
         lambda x: _F().elu(x, alpha=0.5)),
    Case("selu", P.selu, inputs(away(3, 4)), lambda x: _F().selu(x), free=((0,),)),
    Case("softplus", P.softplus, inputs(lambda rng: rng.normal(size=(3, 4)) * 5),
         lambda x: _F().softplus(x), free=((0,),)),
    Case("softsign", P.softsign, inputs(away(3, 4)), lambda x: _F().softsign(x), free=((0,),)),
    Case("exponential", P.ops.activations.exponential, inputs(normal(3, 4)), lambda x: x.exp()),
    Case("hard_sigmoid", P.hard_sigmoid,
         lambda rng: [np.array([-4.0, -2.0, -1.0, 0.0, 0.5, 1.5, 2.3, 3.0]) + rng.uniform(-0.1, 0.1, 8)],
         lambda x: _t().clamp(0.2 * x + 0.5, 0.0, 1.0), free=((0,),)),
    Case("cast[f32->f64]", lambda x: P.cast(P.cast(x, "float32"), "float64"), inputs(normal(3, 4)),
         lambda x: x.to(_t().float32).to(_t().float64), tol=dict(eps=1e-2, atol=1e-4, rtol=1e-3)),
    # softmax family and losses
    Case("softmax", P.softmax, inputs(normal(3, 5)), lambda x: _t().softmax(x, dim=-1),
         free=((0,),)),
    Case("softmax[axis0]", lambda x: P.softmax(x, axis=0), inputs(normal(3, 5)),
         lambda x: _t().softmax(x, dim=0)),
    Case("log_softmax", P.log_softmax, inputs(normal(3, 5)), lambda x: _t().log_softmax(x, dim=-1),
         free=((0,),)),
    Case("log_softmax[rank3,axis1]", lambda x: P.log_softmax(x, axis=1), inputs(normal(2, 3, 4)),
         lambda x: _t().log_softmax(x, dim=1), free=((0,),)),
    Case("softmax_cross_entropy", P.softmax_cross_entropy, inputs(normal(4, 5), one_hot_soft(4, 5)),
         lambda logits, labels: _F().cross_entropy(logits, labels, reduction="none"),
         free=((0,), (0,))),
    Case("softmax_cross_entropy[axis0]", lambda logits, labels: P.softmax_cross_entropy(logits, labels, axis=0),
         lambda rng: [rng.normal(size=(5, 3)), one_hot_soft(3, 5)(rng).T.copy()],
         lambda logits, labels: _torch_soft_ce(logits, labels, axis=0)),
    Case("sparse_softmax_cross_entropy", P.sparse_softmax_cross_entropy,
         inputs(normal(4, 5), class_labels(5, 4)), _torch_sparse_ce, free=((0,), (0,))),
    Case("sparse_softmax_cross_entropy[rank3]", P.sparse_softmax_cross_entropy,
         inputs(normal(2, 3, 4), class_labels(4, 2, 3)), _torch_sparse_ce, free=((0,), (0,))),
    # matrix products
    Case("matmul", P.matmul, inputs(normal(3, 4), normal(4, 2)), lambda a, b: a @ b,
         free=((0,), ())),
    Case("matmul[batched]", P.matmul, inputs(normal(2, 3, 4), normal(2, 4, 5)), lambda a, b: a @ b,
         free=((0,), (0,))),
    Case("matmul[batched@2d]", P.matmul, inputs(normal(2, 3, 4), normal(4, 5)), lambda a, b: a @ b,
         free=((0, 1), ())),
    Case("matmul[bcast-batch]", P.matmul, inputs(normal(2, 1, 3, 4), normal(3, 4, 2)),
         lambda a, b: a @ b),
    Case("matmul[1d@2d]", P.matmul, inputs(normal(4), normal(4, 3)), lambda a, b: a @ b,
         free=((), (1,))),
    Case("matmul[2d@1d]", P.matmul, inputs(normal(3, 4), normal(4)), lambda a, b: a @ b,
         free=((0,), ())),
    *[Case(f"einsum[{eq}]", lambda *xs, eq=eq: P.einsum(eq, *xs),
           inputs(*[normal(*s) for s in shapes]),
           lambda *xs, eq=eq: _t().einsum(eq, *xs))
      for eq, shapes in (("ij,jk->ik", [(3, 4), (4, 2)]), ("ii->i", [(3, 3)]),
                         ("ij,jk", [(2, 3), (3, 4)]), ("...ij,...jk", [(1, 3, 4), (2, 4, 5)]),
                         ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]), ("bij->j", [(2, 3, 4)]))],
    Case("matmul[1d@1d]", P.matmul, inputs(normal(4), normal(4)), lambda a, b: a @ b),
    Case("matmul[1d@batched]", P.matmul, inputs(normal(4), normal(2, 4, 3)), lambda a, b: a @ b),
    Case("matmul[batched@1d]", P.matmul, inputs(normal(2, 3, 4), normal(4)), lambda a, b: a @ b,
         free=((0,), ())),
    # a Dense layer's op: product, bias and ReLU in one
    Case("dense", lambda x, W, b: P.ops.dense.dense(x, W, b), inputs(normal(5, 4), normal(4, 3),
         normal(3)), lambda x, W, b: x @ W + b, free=((0,), (), ())),
    Case("dense[relu]", lambda x, W, b: P.ops.dense.dense(x, W, b, "relu"), dense_away((5, 4), 3),
         lambda x, W, b: _t().relu(x @ W + b), free=((0,), (), ())),
    Case("dense[3d-no-bias]", lambda x, W: P.ops.dense.dense(x, W),
         inputs(normal(2, 3, 4), normal(4, 5)), lambda x, W: x @ W, free=((0, 1), ())),
    # movement
    Case("transpose", P.transpose, inputs(normal(3, 4)), lambda x: x.T, free=((0,),)),
    Case("transpose[axes]", lambda x: P.transpose(x, (1, 2, 0)), inputs(normal(2, 3, 4)),
         lambda x: x.permute(1, 2, 0), free=((0,),)),
    Case("reshape", lambda x: P.reshape(x, (4, 3)), inputs(normal(2, 6)),
         lambda x: x.reshape(4, 3)),
    Case("reshape[-1]", lambda x: P.reshape(x, (-1, 2)), inputs(normal(3, 4)),
         lambda x: x.reshape(-1, 2), free=((0,),)),
    Case("getitem[slices]", lambda x: P.getitem(x, (slice(1, 3), slice(None, None, 2))),
         inputs(normal(4, 5)), lambda x: x[1:3, ::2]),
    Case("getitem[int]", lambda x: P.getitem(x, (slice(None), 1)), inputs(normal(4, 5)),
         lambda x: x[:, 1], free=((0,),)),
    Case("getitem[negative-step]", lambda x: P.getitem(x, slice(None, None, -2)), inputs(normal(7)),
         lambda x: x.flip(0)[::2]),
    Case("getitem[ellipsis,newaxis]", lambda x: P.getitem(x, (Ellipsis, None, 0)), inputs(normal(2, 3, 4)),
         lambda x: x[..., None, 0], free=((0,),)),
    Case("getitem[fancy-repeats]", lambda x: P.getitem(x, _INDEX_ROWS), inputs(normal(4, 3)),
         lambda x: x[_t().as_tensor(_INDEX_ROWS)]),
    Case("getitem[fancy-pairs]", lambda x: P.getitem(x, (_INDEX_ROWS, _INDEX_COLS)), inputs(normal(4, 3)),
         lambda x: x[_t().as_tensor(_INDEX_ROWS), _t().as_tensor(_INDEX_COLS)]),
    Case("getitem[fancy-cols]", lambda x: P.getitem(x, (slice(None), [2, 2, 0])), inputs(normal(4, 3)),
         lambda x: x[:, [2, 2, 0]], free=((0,),)),
    Case("getitem[mask]", lambda x: P.getitem(x, _MASK), inputs(normal(4, 3)),
         lambda x: x[_t().as_tensor(_MASK)]),
    # reductions
    *[Case(f"{red}[{label}]", lambda x, red=red, kw=kw: getattr(P, red)(x, **kw), make,
           lambda x, red=red, kw=kw: _torch_reduce(red, x, **kw), free=free)
      for red in ("sum", "mean", "max", "min")
      for label, kw, make, free in (
          ("all", {}, inputs(distinct(3, 4)), ((0,),)),
          ("axis0", {"axis": 0}, inputs(distinct(3, 4)), ((1,),)),
          ("axis-1,keepdims", {"axis": -1, "keepdims": True}, inputs(distinct(3, 4)), ((0,),)),
          ("axes(0,2)", {"axis": (0, 2)}, inputs(distinct(2, 3, 4)), ()),
          ("all,keepdims", {"keepdims": True}, inputs(distinct(2, 3)), ()),
      )],
    # joining and shaping
    Case("concatenate", lambda a, b: P.concatenate([a, b]), inputs(normal(2, 3), normal(4, 3)),
         lambda a, b: _t().cat([a, b]), free=((), ())),
    Case("concatenate[axis-1,three]", lambda a, b, c: P.concatenate([a, b, c], axis=-1),
         inputs(normal(2, 1), normal(2, 3), normal(2, 2)), lambda a, b, c: _t().cat([a, b, c], dim=-1),
         free=((0,), (0,), (0,))),
    Case("stack", lambda a, b: P.stack([a, b]), inputs(normal(2, 3), normal(2, 3)),
         lambda a, b: _t().stack([a, b]), free=((0,), (0,))),
    Case("stack[axis1,three]", lambda a, b, c: P.stack([a, b, c], axis=1),
         inputs(normal(2, 3), normal(2, 3), normal(2, 3)), lambda a, b, c: _t().stack([a, b, c], dim=1)),
    Case("stack[axis-1]", lambda a, b: P.stack([a, b], axis=-1), inputs(normal(4), normal(4)),
         lambda a, b: _t().stack([a, b], dim=-1)),
    Case("pad", lambda x: P.pad(x, ((1, 2), (0, 1))), inputs(normal(2, 3)),
         lambda x: _torch_pad(x, ((1, 2), (0, 1)), 0.0), free=((0,),)),
    Case("pad[value]", lambda x: P.pad(x, ((0, 0), (2, 1), (1, 0)), constant_values=1.5),
         inputs(normal(2, 2, 3)), lambda x: _torch_pad(x, ((0, 0), (2, 1), (1, 0)), 1.5)),
    Case("broadcast_to", lambda x: P.broadcast_to(x, (2, 3)), inputs(normal(3)),
         lambda x: x.broadcast_to(2, 3)),
    Case("broadcast_to[inner]", lambda x: P.broadcast_to(x, (2, 4, 3)), inputs(normal(4, 1)),
         lambda x: x.broadcast_to(2, 4, 3)),
    # sliding windows, channels_last (tests/ops/test_conv.py and test_pool.py check the geometry)
    Case("conv1d", P.conv1d, inputs(normal(2, 6, 2), normal(3, 2, 3)), _torch_conv,
         free=((0,), ())),
    Case("conv2d", P.conv2d, inputs(normal(2, 5, 4, 2), normal(3, 2, 2, 3)), _torch_conv,
         free=((0,), ())),
    Case("conv3d", P.conv3d, inputs(normal(1, 3, 4, 3, 2), normal(2, 2, 2, 2, 2)), _torch_conv),
    *[Case(pool, lambda x, pool=pool: getattr(P, pool)(x, 2), inputs(distinct(2, *(4,) * rank, 3)),
           lambda x, pool=pool: _torch_windows(getattr(_F(), pool), x, 2), free=((0,),))
      for pool, rank in ((f"{kind}_pool{rank}d", rank) for kind in ("max", "avg")
                         for rank in (1, 2, 3))],
    Case("global_avg_pool", P.global_avg_pool, inputs(normal(2, 3, 4, 2)),
         lambda x: x.mean(dim=(1, 2)), free=((0,),)),
    Case("global_max_pool", P.global_max_pool, inputs(distinct(2, 3, 4, 2)),
         lambda x: x.amax(dim=(1, 2)), free=((0,),)),
    Case("upsample", lambda x: P.upsample(x, (2, 3)), inputs(normal(2, 2, 3, 2)),
         lambda x: x.repeat_interleave(2, dim=1).repeat_interleave(3, dim=2), free=((0,),)),
    Case("crop", lambda x: P.crop(x, ((1, 0), (1, 2))), inputs(normal(2, 4, 5, 2)),
         lambda x: x[:, 1:, 1:-2], free=((0,),)),
    # recurrent layers' whole sequences, one op each (tests/rnn_table.py)
    *rnn_table.cases(Case),
    # transposed and depthwise convolutions, gather (tests/layer_ops_table.py)
    *layer_ops_table.cases(Case),
]


def _torch_reduce(red, x, axis=None, keepdims=False):
    torch = _t()
    dims = tuple(range(x.ndim)) if axis is None else axis
    if red == "sum":
        return x.sum(dim=dims, keepdim=keepdims)
    if red == "mean":
        return x.mean(dim=dims, keepdim=keepdims)
    return (torch.amax if red == "max" else torch.amin)(x, dim=dims, keepdim=keepdims)


def case_inputs(case, seed=0):
    """The case's inputs, made reproducibly from `seed`."""
    return [np.asarray(x) for x in case.make(np.random.default_rng(seed))]


def is_float(x):
    return np.asarray(x).dtype.kind == "f"


_names = [c.name for c in CASES]
assert len(set(_names)) == len(_names), "duplicate case names in the op table"
