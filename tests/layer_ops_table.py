"""The op table's cases of the ops behind Keras' newer layers (tests/op_table.py adds them):
transposed convolutions, depthwise convolution, gather, take_along_axis and top_k, each with a
PyTorch reference.
"""
import numpy as np

import passos as P


def _torch():
    import torch
    return torch


def _conv_transpose_reference(strides, padding, output_padding=None, dilation=1):
    """torch's full transposed convolution (no padding), cut to Keras' output as TF pads it."""
    def reference(x, W):
        torch = _torch()
        rank = W.ndim - 2
        ks = W.shape[:rank]
        s = (strides,) * rank if isinstance(strides, int) else strides
        d = (dilation,) * rank if isinstance(dilation, int) else dilation
        op = (None,) * rank if output_padding is None else (
            (output_padding,) * rank if isinstance(output_padding, int) else output_padding)
        weight = W.permute(rank + 1, rank, *range(rank)).contiguous()  # (C_in, C_out, *k)
        function = getattr(torch.nn.functional, f"conv_transpose{rank}d")
        full = function(x.movedim(-1, 1), weight, stride=s, dilation=d).movedim(1, -1)
        index = [slice(None)]
        for axis, (i, k, ss, dd, p) in enumerate(zip(x.shape[1:-1], ks, s, d, op)):
            out = P.ops.conv_transpose.deconv_length(i, int(k), ss, padding, p, dd)
            before = P.ops.windows.same_pads(out, int(k), ss, dd)[0] if padding == "same" else 0
            short = before + out - full.shape[axis + 1]
            if short > 0:  # positions no window reaches stay zero
                widths = [0, 0] * (rank - axis) + [0, short]
                full = torch.nn.functional.pad(full, widths)
            index.append(slice(before, before + out))
        return full[tuple(index)]
    return reference


def _depthwise_reference(strides, padding):
    def reference(x, W):
        torch = _torch()
        kh, kw, c, m = W.shape
        xt = x.movedim(-1, 1)
        if padding == "same":
            pads = [P.ops.windows.same_pads(i, k, s, 1)
                    for i, k, s in zip(xt.shape[2:], (kh, kw), (strides, strides))]
            xt = torch.nn.functional.pad(xt, [p for pair in reversed(pads) for p in pair])
        weight = W.reshape(kh, kw, c * m).permute(2, 0, 1)[:, None].contiguous()  # (C*M, 1, kh, kw)
        return torch.nn.functional.conv2d(xt, weight, stride=strides, groups=c).movedim(1, -1)
    return reference


def _indices(shape, rows):
    def make(rng):
        picks = rng.integers(0, rows, size=shape)
        picks.flat[0] = picks.flat[-1]  # a row picked twice: its gradients add
        return picks
    return make


def cases(Case):
    """Small shapes: every case runs finite differences in eager and graph mode."""
    def normal(*shape):
        return lambda rng: rng.normal(size=shape)

    def inputs(*makers):
        return lambda rng: [m(rng) for m in makers]

    def distinct(*shape):  # no ties, so top_k's choice is stable under finite differences
        return lambda rng: (rng.permutation(int(np.prod(shape))) * 0.3).reshape(shape)

    def transpose_case(label, rank, x, W, strides, padding, output_padding=None, dilation=1):
        fn = getattr(P, f"conv{rank}d_transpose")
        return Case(f"conv{rank}d_transpose[{label}]",
                    lambda a, b: fn(a, b, strides, padding, output_padding, dilation),
                    inputs(normal(*x), normal(*W)),
                    _conv_transpose_reference(strides, padding, output_padding, dilation),
                    free=((0,), ()))

    return [
        transpose_case("valid,s2", 2, (2, 3, 2, 2), (3, 3, 3, 2), 2, "valid"),
        transpose_case("same,s1", 2, (2, 4, 3, 2), (3, 2, 2, 2), 1, "same"),
        transpose_case("same,s2,output_padding", 2, (1, 3, 3, 2), (3, 3, 2, 2), 2, "same", 1),
        transpose_case("valid,k1<s3,dilated", 2, (1, 2, 3, 1), (1, 2, 2, 1), (3, 1), "valid",
                       dilation=2),
        transpose_case("same,s2", 3, (1, 2, 2, 2, 2), (2, 2, 2, 2, 2), 2, "same"),
        Case("depthwise_conv2d", P.depthwise_conv2d, inputs(normal(2, 5, 4, 3), normal(3, 2, 3, 2)),
             _depthwise_reference(1, "valid"), free=((0,), ())),
        Case("depthwise_conv2d[same,s2]", lambda x, W: P.depthwise_conv2d(x, W, 2, "same"),
             inputs(normal(1, 5, 5, 2), normal(3, 3, 2, 1)), _depthwise_reference(2, "same")),
        Case("gather", P.gather, inputs(normal(5, 3), _indices((2, 3), 5)),
             lambda p, i: p[i], free=((), (0,))),
        Case("gather[axis1]", lambda p, i: P.gather(p, i, axis=1),
             inputs(normal(2, 4, 3), _indices((5,), 4)), lambda p, i: p[:, i], free=((0,), ())),
        Case("take_along_axis[repeats]", lambda x, i: P.take_along_axis(x, i, axis=1),
             inputs(normal(3, 4), _indices((3, 6), 4)),
             lambda x, i: _torch().take_along_dim(x, i, dim=1), free=((0,), (0,))),
        Case("top_k[values]", lambda x: P.top_k(x, 3)[0], inputs(distinct(2, 3, 5)),
             lambda x: _torch().topk(x, 3).values, free=((0,),)),
        *_index_cases(Case, inputs, normal, distinct),
    ]


def _fixed(array):
    return lambda rng: np.array(array)


def _reverse_sequence_reference(x, lengths):
    out = x.clone()
    for b, n in enumerate(lengths.tolist()):
        out[b, :n] = x[b, :n].flip(0)
    return out


def _segment_max_reference(n, reduce="amax"):
    def reference(d, ids):
        torch = _torch()
        start = {"amax": torch.finfo(d.dtype).min, "amin": torch.finfo(d.dtype).max, "prod": 1}
        base = torch.full((n,) + tuple(d.shape[1:]), start[reduce], dtype=d.dtype)
        index = ids.reshape(-1, *[1] * (d.ndim - 1)).expand_as(d)
        return base.scatter_reduce(0, index, d, reduce, include_self=True)
    return reference


def _with_zeros(rng):
    """Segment data with one zero in segment 0 and two in segment 2 (prod's gradient cases)."""
    d = rng.uniform(0.5, 1.5, size=(6, 2)) * rng.choice([-1.0, 1.0], size=(6, 2))
    d[1, 0] = d[4, 1] = d[5, 1] = 0.0
    return d


def _cumulative_reference(kind, exclusive=False, reverse=False):
    def reference(x):
        torch = _torch()
        x = x.flip(1) if reverse else x
        y = getattr(torch, kind)(x, 1)
        if exclusive:
            start = torch.zeros_like(x[:, :1]) + (1 if kind == "cumprod" else 0)
            y = torch.cat([start, y[:, :-1]], 1)
        return y.flip(1) if reverse else y
    return reference


def _index_cases(Case, inputs, normal, distinct):
    """gather_nd, scatter_nd, the segment reductions, cumsum, boolean_mask, reverse_sequence."""
    def zeros(shape, u):
        return _torch().zeros(shape, dtype=u.dtype)

    return [
        Case("gather_nd", P.gather_nd, inputs(normal(4, 3, 2), _fixed([[1, 2], [3, 0], [1, 2]])),
             lambda p, i: p[tuple(i.unbind(-1))]),
        Case("gather_nd[full]", P.gather_nd, inputs(normal(3, 4), _fixed([[[0, 1]], [[2, 3]]])),
             lambda p, i: p[tuple(i.unbind(-1))]),
        Case("scatter_nd", lambda i, u: P.scatter_nd(i, u, [4, 2]),
             inputs(_fixed([[1], [3], [1]]), normal(3, 2)),
             lambda i, u: zeros((4, 2), u).index_put(tuple(i.unbind(-1)), u, accumulate=True)),
        Case("unsorted_segment_sum", lambda d, i: P.unsorted_segment_sum(d, i, 4),
             inputs(normal(5, 2), _fixed([2, 0, 2, 1, 0])),
             lambda d, i: zeros((4, 2), d).index_add(0, i, d)),
        Case("segment_sum", P.segment_sum, inputs(normal(5, 2), _fixed([0, 0, 2, 2, 3])),
             lambda d, i: zeros((4, 2), d).index_add(0, i, d)),
        Case("unsorted_segment_max", lambda d, i: P.unsorted_segment_max(d, i, 4),
             inputs(distinct(5, 2), _fixed([2, 0, 2, 1, 3])), _segment_max_reference(4)),
        Case("segment_max", P.segment_max, inputs(distinct(5, 2), _fixed([0, 0, 1, 1, 2])),
             _segment_max_reference(3)),
        Case("gather_nd[batch_dims=1]", lambda p, i: P.gather_nd(p, i, batch_dims=1),
             inputs(normal(2, 3, 4), _fixed([[[2, 1], [0, 3], [2, 1]], [[1, 1], [1, 1], [0, 0]]])),
             lambda p, i: p[_torch().arange(2)[:, None], i[..., 0], i[..., 1]]),
        Case("gather_nd[batch_dims=2]", lambda p, i: P.gather_nd(p, i, batch_dims=2),
             inputs(normal(2, 3, 4, 2), _fixed(np.arange(6).reshape(2, 3, 1) % 4)),
             lambda p, i: p[_torch().arange(2)[:, None], _torch().arange(3), i[..., 0]]),
        Case("unsorted_segment_min", lambda d, i: P.unsorted_segment_min(d, i, 4),
             inputs(distinct(5, 2), _fixed([2, 0, 2, 1, 3])), _segment_max_reference(4, "amin")),
        Case("segment_min", P.segment_min, inputs(distinct(5, 2), _fixed([0, 0, 1, 1, 2])),
             _segment_max_reference(3, "amin")),
        Case("unsorted_segment_prod", lambda d, i: P.unsorted_segment_prod(d, i, 4),
             inputs(normal(5, 2), _fixed([2, 0, 2, 1, 0])), _segment_max_reference(4, "prod")),
        Case("segment_prod[zeros]", P.segment_prod,
             lambda rng: [_with_zeros(rng), np.array([0, 0, 0, 2, 2, 2])],
             _segment_max_reference(3, "prod")),
        Case("cumprod", lambda x: P.cumprod(x, axis=1), inputs(normal(2, 4)),
             _cumulative_reference("cumprod"), free=((0,),)),
        Case("cumprod[exclusive,zero]", lambda x: P.cumprod(x, 1, exclusive=True),
             lambda rng: [np.where(np.arange(10).reshape(2, 5) == 2, 0.0, rng.normal(size=(2, 5)))],
             _cumulative_reference("cumprod", exclusive=True)),
        Case("cumprod[reverse,zero]", lambda x: P.cumprod(x, -1, reverse=True),
             lambda rng: [np.where(np.arange(10).reshape(2, 5) == 6, 0.0, rng.normal(size=(2, 5)))],
             _cumulative_reference("cumprod", reverse=True)),
        Case("cumprod[exclusive,reverse]", lambda x: P.cumprod(x, 0, exclusive=True, reverse=True),
             inputs(normal(4, 3)), lambda x: _cumulative_reference("cumprod", True, True)(x.T).T),
        Case("cumsum", lambda x: P.cumsum(x, axis=1), inputs(normal(2, 4)),
             lambda x: _torch().cumsum(x, 1), free=((0,),)),
        Case("cumsum[exclusive,reverse]", lambda x: P.cumsum(x, 1, exclusive=True, reverse=True),
             inputs(normal(2, 4)), lambda x: x.flip(1).cumsum(1).flip(1) - x),
        Case("boolean_mask", P.boolean_mask,
             inputs(normal(3, 2, 2), _fixed([[True, False], [True, True], [False, False]])),
             lambda x, m: x[m]),
        Case("reverse_sequence", lambda x, n: P.reverse_sequence(x, n, seq_axis=1),
             inputs(normal(3, 4, 2), _fixed([2, 4, 0])), _reverse_sequence_reference),
    ]
