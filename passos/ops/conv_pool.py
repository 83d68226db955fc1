"""The course's CONV -> POOL -> ReLU block as one op: relu(max_pool_2x2(conv2d(x, W) + b)).

Max and ReLU commute, so this equals a ReLU convolution then 2x2 max pooling, values and
gradients alike; compiled plans run such chains through it (graph/rewrite.py). Fused, the
convolution writes its output one window cell after another, so pooling is three maxima over
contiguous blocks and the ReLU covers the quarter-size pooled output. Stride 1, no dilation,
channels_last only. Several blocks (the course's CNN has two) run as one op: a plan splits the
batch over threads once, and each thread carries its images through every block and back.
"""
import itertools
import math

import numpy as np

from ..core.op import Op
from ..core.shapes import ShapeError, describe
from ..kernels import conv_pool as kernels
from ..kernels import im2col, parallel
from .conv import Conv
from .windows import by_shapes


class ConvPool(Op):
    """relu(max_pool2d(conv2d(x, W, padding) + b, 2)), once per padding given (one block: "valid").

    Inputs: x (N, H, W, C_in), then each block's kernel W and, where `biases` says so, its
    bias b. With one block and no `biases`, a third input is the bias.
    """

    kind = "conv_pool2d"
    batch_inputs = 1  # each thread carries its share of the images through every block and back
    saves = True  # each block's input, and its convolution's output (cell by cell) and maxima

    def __init__(self, *paddings, biases=None):
        self.convs = [Conv(2, 1, padding) for padding in paddings or ("valid",)]
        if biases is not None and len(biases) != len(self.convs):
            raise ValueError(f"{self.kind}: {len(self.convs)} blocks but {len(biases)} bias flags")
        self.biases = None if biases is None else tuple(bool(b) for b in biases)

    def attrs(self):
        paddings = tuple(conv.padding for conv in self.convs)
        attrs = {"padding": paddings[0]} if len(paddings) == 1 else {"paddings": paddings}
        if self.biases is not None:
            attrs["biases"] = self.biases
        return {**attrs, "pool_size": (2, 2), "activation": "relu"}

    @property
    def formulas(self):  # gy goes back through each block's ReLU and pooling first
        biases = self.biases or (True,)  # one block: its bias is an optional third input
        g = ("g = gy·[y > 0] at each 2x2 pool window's first maximum, else 0"
             + (", block by block from the last" if len(biases) > 1 else ""))
        texts = [f"∂/∂x: each window's g·Wᵀ added back where it read x, with {g}"]
        for block, bias in enumerate(biases, start=1):
            of = f" of block {block}" if len(biases) > 1 else ""
            texts.append(f"∂/∂W{of}: Σ over windows of x(window) · g")
            if bias:
                texts.append(f"∂/∂b{of}: Σ of g over the batch and every position")
        return tuple(texts)

    def _layout(self, count):
        """[(kernel index, bias index or None)] per block, in the `count` inputs after x."""
        biases = self.biases or (count == 2,)
        if count != len(biases) + sum(biases):
            raise ShapeError(f"{self.kind}: expects x, then a kernel per block and a bias where "
                             f"the block has one ({len(biases) + sum(biases) + 1} inputs), "
                             f"got {count + 1} inputs")
        starts = itertools.accumulate((1 + bias for bias in biases), initial=0)
        return [(i, i + 1 if bias else None) for i, bias in zip(starts, biases)]

    def _params(self, params):
        """[(W, b or None)] per block, from the inputs after x."""
        return [(params[w], None if b is None else params[b]) for w, b in self._layout(len(params))]

    @by_shapes
    def _geometry(self, conv, x, W):
        pads, out = conv._geometry(x, W)
        if any(o is not None and o % 2 for o in out):
            raise ShapeError(f"{self.kind}: the convolution's output of size {describe(out)} "
                             f"(input {describe(x)}, kernel {describe(W)}) must be even to "
                             "pool 2x2 without a remainder")
        return pads, out

    def shape(self, x, *params):
        for conv, (W, b) in zip(self.convs, self._params(params)):
            conv.shape(x, W, b)
            _, (h, w) = self._geometry(conv, x, W)
            x = (x[0], None if h is None else h // 2, None if w is None else w // 2, W[-1])
        return x

    def work(self, xs, needs=None):
        shape, total = xs[0].shape, 0
        for b, (conv, (w, bias)) in enumerate(zip(self.convs, self._layout(len(xs) - 1))):
            W = xs[1 + w].shape
            _, out = self._geometry(conv, shape, W)
            cells, terms = shape[0] * math.prod(out) * W[-1], math.prod(W[:-1])
            if needs is None:  # pooling and ReLU: one pass over the cells, worth splitting
                total += im2col.work(cells, terms + (bias is not None), 1, 0) + \
                    cells * parallel.PASS
            else:  # handing the gradient to the maxima: ~4 passes
                products = (b > 0 or needs[0]) + needs[1 + w]
                total += im2col.work(cells, terms, products, 0) + cells * 4 * parallel.PASS
            shape = (shape[0], out[0] // 2, out[1] // 2, W[-1])
        return total

    def forward(self, x, *params):
        dtype = np.result_type(x, *params)
        inputs, states = [x], []
        for conv, (W, b) in zip(self.convs, self._params(params)):
            pads, out = self._geometry(conv, inputs[-1].shape, W.shape)
            W2 = W.reshape(-1, W.shape[-1]).astype(dtype, copy=False)
            if b is not None:
                W2 = np.concatenate([W2, np.asarray(b, dtype)[None]])
            cells, peak, y = kernels.forward_block(inputs[-1], pads, W.shape[:2], out, W2,
                                                   b is not None)
            states.append((cells, peak))
            inputs.append(y)
        return inputs[-1], (inputs[1:-1], states)

    def vjp(self, gy, xs, y, saved, needs):
        blocks, layout = self._params(xs[1:]), self._layout(len(xs) - 1)
        hidden, states = saved
        inputs, dtype = [xs[0], *hidden], y.dtype
        g, grads = np.broadcast_to(gy, y.shape), []
        for b in reversed(range(len(blocks))):  # last block first
            (w, bias), W = layout[b], blocks[b][0].astype(dtype, copy=False)
            pads, out = self._geometry(self.convs[b], inputs[b].shape, W.shape)
            gx = np.empty(inputs[b].shape, dtype) if b > 0 or needs[0] else None
            gW, gb = kernels.block_vjp(g, inputs[b], W, pads, out, *states[b], needs[1 + w],
                                       bias is not None and needs[1 + bias], gx)
            gW = None if gW is None else gW.reshape(W.shape)
            grads[:0] = [gW] if bias is None else [gW, gb]
            g = gx
        return (g, *grads)
