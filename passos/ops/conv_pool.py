"""The course's CONV -> POOL -> ReLU block as one op: relu(max_pool_2x2(conv2d(x, W) + b)).

Max and ReLU commute, so this is also a ReLU convolution followed by 2x2
max pooling, value for value and gradient for gradient: the same first
maximum of each window takes the gradient. Keras models' compiled plans
run such layer pairs through this op (keras/engine/fusion.py). Together, the
convolution can write its output one window cell after another (for each
image: all top-left cells, then all top-right ...), so pooling is three
maxima over contiguous blocks instead of strided views, and the ReLU and its
gradient cover the pooled output, a quarter of the size. Stride 1, no
dilation, channels_last only.

One op can also run several blocks in a row (the course's CNN has two). Its
batch then splits over the compute threads once, not once per block: each
thread carries its share of the images through every block (and back
through every block's gradient), with no hand-over or wait in between, and
the block outputs it passes on stay in its core's cache.
"""
import math

import numpy as np

from ..core.op import Op
from ..core.shapes import ShapeError, describe
from ..kernels import conv_pool as kernels
from ..kernels import im2col, parallel
from .conv import Conv, _total


class ConvPool(Op):
    """relu(max_pool2d(conv2d(x, W, padding) + b, 2)), once per padding given (one block: "valid").

    Inputs: x (N, H, W, C_in), then each block's kernel W and, where
    `biases` says so, its bias b. With one block and no `biases`, a third
    input is the bias.
    """

    kind = "conv_pool2d"
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

    def _layout(self, count):
        """[(kernel index, bias index or None)] per block, in the `count` inputs after x."""
        biases = self.biases or (count == 2,)
        if count != len(biases) + sum(biases):
            raise ShapeError(f"{self.kind}: expects x, then a kernel per block and a bias where "
                             f"the block has one ({len(biases) + sum(biases) + 1} inputs), "
                             f"got {count + 1} inputs")
        layout, i = [], 0
        for bias in biases:
            layout.append((i, i + 1 if bias else None))
            i += 1 + bias
        return layout

    def _params(self, params):
        """[(W, b or None)] per block, from the inputs after x."""
        return [(params[w], None if b is None else params[b])
                for w, b in self._layout(len(params))]

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

    def forward(self, x, *params):
        dtype = np.result_type(x, *params)
        blocks, inputs, work = [], [x], 0
        for conv, (W, b) in zip(self.convs, self._params(params)):
            pads, out = self._geometry(conv, inputs[-1].shape, W.shape)
            W2 = W.reshape(-1, W.shape[-1]).astype(dtype, copy=False)
            if b is not None:
                W2 = np.concatenate([W2, np.asarray(b, dtype)[None]])
            n, half = len(x), (out[0] // 2, out[1] // 2)
            cells = np.empty((n, 4, *half, W.shape[-1]), dtype)  # conv output, cell-major
            peak = np.empty((n, *half, W.shape[-1]), dtype)       # each window's maximum
            blocks.append((pads, W.shape[:2], out, W2, b is not None, cells, peak))
            inputs.append(np.empty_like(peak))
            # pooling and ReLU are one pass over `cells`, worth splitting even when the product is not
            work += im2col.work(cells.size, W2.shape[0], 1, 0) + cells.size * parallel.PASS

        def part(first, last):  # images first..last-1 through every block
            for (pads, k, out, W2, bias, cells, peak), x, y in zip(blocks, inputs, inputs[1:]):
                kernels.forward_block(x[first:last], pads, k, out, W2, bias,
                                      (cells[first:last], peak[first:last], y[first:last]))
        parallel.split(len(x), work, part)
        return inputs[-1], (inputs[1:-1], [block[-2:] for block in blocks])

    def vjp(self, gy, xs, y, saved, needs):
        x, blocks = xs[0], self._params(xs[1:])
        hidden, states = saved
        inputs, dtype = [x, *hidden], y.dtype
        gy = np.broadcast_to(gy, y.shape)
        gx = np.empty(x.shape, dtype) if needs[0] else None
        wanted = [(needs[1 + w], b is not None and needs[1 + b])  # kernel, bias gradient?
                  for w, b in self._layout(len(xs) - 1)]
        kernels_ = [W.astype(dtype, copy=False) for W, _ in blocks]
        geometry = [self._geometry(conv, inputs[b].shape, W.shape)
                    for b, (conv, W) in enumerate(zip(self.convs, kernels_))]
        work = 0
        for b, (W, (cells, _), (need_W, _)) in enumerate(zip(kernels_, states, wanted)):
            need_x = b > 0 or needs[0]
            work += im2col.work(cells.size, math.prod(W.shape[:-1]), need_x + need_W, 0) + \
                cells.size * 4 * parallel.PASS  # handing the gradient to the maxima: ~4 passes

        def part(first, last):  # images first..last-1 back through every block, last first
            g, grads = gy[first:last], []
            for b in reversed(range(len(blocks))):
                (cells, peak), (need_W, need_b), (pads, out) = states[b], wanted[b], geometry[b]
                x = inputs[b][first:last]
                if b > 0:  # the gradient of the block before: kept by this thread only
                    target = np.empty(x.shape, dtype)
                else:
                    target = gx[first:last] if needs[0] else None
                grads.append(kernels.block_vjp(g, x, kernels_[b], pads, out, cells[first:last],
                                               peak[first:last], need_W, need_b, target))
                g = target
            return grads[::-1]
        parts = parallel.split(len(x), work, part)
        grads = [gx]
        for b, (W, bias) in enumerate(blocks):
            gW, gb = (_total([p[b][j] for p in parts]) for j in (0, 1))
            grads.append(None if gW is None else gW.reshape(W.shape))
            if bias is not None:
                grads.append(gb)
        return tuple(grads)
