"""The course's CONV -> POOL -> ReLU block as one op: relu(max_pool_2x2(conv2d(x, W) + b)).

Max and ReLU commute, so this is also a ReLU convolution followed by 2x2
max pooling, value for value and gradient for gradient: the same first
maximum of each window takes the gradient. Compiled plans (Keras and TF1)
run such chains through this op (graph/rewrite.py). Together, the
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

from ..kernels import parallel
from ..core.op import Op
from ..core.shapes import ShapeError, describe, sum_rows
from . import windows as win
from .conv import Conv, _blank_columns, _total, _transposed, _work
from .elementwise import relu_array


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
            work += _work(cells.size, W2.shape[0], 1, 0) + cells.size * parallel.PASS

        def part(first, last):  # images first..last-1 through every block
            for (pads, k, out, W2, bias, cells, peak), x, y in zip(blocks, inputs, inputs[1:]):
                _forward_block(x[first:last], pads, k, out, W2, bias,
                               cells[first:last], peak[first:last], y[first:last])
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
        kernels = [W.astype(dtype, copy=False) for W, _ in blocks]
        geometry = [self._geometry(conv, inputs[b].shape, W.shape)
                    for b, (conv, W) in enumerate(zip(self.convs, kernels))]
        work = 0
        for b, (W, (cells, _), (need_W, _)) in enumerate(zip(kernels, states, wanted)):
            need_x = b > 0 or needs[0]
            work += _work(cells.size, math.prod(W.shape[:-1]), need_x + need_W, 0) + \
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
                grads.append(_block_vjp(g, x, kernels[b], pads, out, cells[first:last],
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


def _forward_block(x, pads, k, out, W2, bias, cells, peak, y):
    """One block on a share of the images: the convolution into `cells`, its maxima
    into `peak`, and their ReLU into `y`, a batch chunk at a time."""
    for start, stop, cols in _cell_columns(x, pads, k, out, W2.dtype, ones=bias):
        chunk, top = cells[start:stop], peak[start:stop]
        np.matmul(cols, W2, out=chunk.reshape(-1, W2.shape[1]))
        np.maximum(chunk[:, 0], chunk[:, 1], out=top)
        np.maximum(top, chunk[:, 2], out=top)
        np.maximum(top, chunk[:, 3], out=top)
        relu_array(top, out=y[start:stop])


def _block_vjp(gy, x, W, pads, out, cells, peak, need_W, need_b, gx):
    """One block's gradients on a share of the images: (kernel, bias) gradients, each None
    when not needed, and the input gradient written into `gx` unless that is None."""
    g = gy * (peak > 0)  # through the ReLU
    gcells = _unpool(g, cells, peak)
    gW = gb = None
    channels = W.shape[-1]
    if need_W:
        gW = np.zeros((math.prod(W.shape[:-1]) + need_b, channels), W.dtype)
        for start, stop, cols in _cell_columns(x, pads, W.shape[:2], out, W.dtype, ones=need_b):
            gW += cols.T @ gcells[start:stop].reshape(-1, channels)
        gW, gb = (gW[:-1], gW[-1]) if need_b else (gW, None)
    elif need_b:
        gb = sum_rows(gcells.reshape(-1, channels))
    if gx is not None:  # the usual input gradient, from the gradient in standard layout
        h, w = out[0] // 2, out[1] // 2
        gfull = gcells.reshape(-1, 2, 2, h, w, channels).transpose(0, 3, 1, 4, 2, 5)
        gfull = gfull.reshape(-1, *out, channels)
        _transposed(gfull, W, (1, 1), pads, x.shape[1:3], gx)
    return gW, gb


def _unpool(g, cells, peak):
    """Each window's gradient g, handed to its first cell that holds the maximum (as PyTorch).

    All four cells at once, in a few large NumPy calls: a cell-by-cell loop
    made three times the calls, and two threads slow each other down on small
    calls (each hands the GIL over).
    """
    hit = win.scratch("conv_pool_hit", cells.shape, bool)
    np.equal(cells, peak[:, None], out=hit)
    before = win.scratch("conv_pool_before", (len(cells), 3, *cells.shape[2:]), bool)
    np.copyto(before[:, 0], hit[:, 0])  # before[:, c]: a maximum among cells 0..c
    np.logical_or(before[:, 0], hit[:, 1], out=before[:, 1])
    np.logical_or(before[:, 1], hit[:, 2], out=before[:, 2])
    np.greater(hit[:, 1:], before, out=hit[:, 1:])  # a maximum with none before it
    gcells = win.scratch("conv_pool_g", cells.shape, np.result_type(g, cells))
    return np.multiply(g[:, None], hit, out=gcells)


def _cell_columns(x, pads, k, out, dtype, ones=False):
    """(first item, last item, im2col matrix) per batch chunk, rows in cell-major order.

    Rows run image by image; within one, over window cells (0,0), (0,1),
    (1,0), (1,1) of the 2x2 pooling, then over the pooled positions.
    With `ones`, a last column of ones multiplies a bias row.
    """
    c = x.shape[-1]
    width = math.prod(k) * c
    h, w = out[0] // 2, out[1] // 2
    for start, stop, xp, matrix in _blank_columns(x, pads, math.prod(out), width, dtype, ones,
                                                  c == 1):
        n = stop - start
        windows = win.windows(xp, k, (1, 1), (1, 1), out).reshape(n, h, 2, w, 2, *k, c)
        if c == 1:  # one channel: one copy, along output rows, into the matrix column by column
            target = matrix[:, :width].T.reshape(*k, n, 2, 2, h, w)
            np.copyto(target, windows[..., 0].transpose(5, 6, 0, 2, 4, 1, 3))
        else:
            target = matrix[:, :width].reshape(n, 2, 2, h, w, *k, c)
            np.copyto(target, windows.transpose(0, 2, 4, 1, 3, 5, 6, 7))
        yield start, stop, matrix
