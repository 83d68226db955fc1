"""A Dense layer's whole computation as one op: x @ W + b, then an optional ReLU."""
import math

import numpy as np

from ..core.apply import apply
from ..core.op import Op
from ..core.shapes import ShapeError, describe
from ..kernels.arrays import relu as relu_array
from ..kernels.arrays import sum_rows


class Dense(Op):
    """activation(x @ W + b) over the last axis of x; b is optional, activation None or "relu".

    One op instead of three: in a plan each op costs a Python call and a fresh array, which at
    the course's batch of 32 weigh as much as the arithmetic of a 128-unit layer.
    """

    kind = "dense"
    split_grads = True  # g @ W.T and x.T @ g: two independent products

    def __init__(self, activation=None):
        if activation not in (None, "relu"):
            raise ValueError(f"dense: activation must be None or 'relu', got {activation!r}")
        self.activation = activation

    def attrs(self):
        return {"activation": self.activation} if self.activation else {}

    @property
    def formulas(self):  # with the fused ReLU, gy is masked first
        g = "gy·[y > 0]" if self.activation == "relu" else "gy"
        return (f"∂dense/∂x = {g} @ Wᵀ", f"∂dense/∂W = xᵀ @ {g}",
                f"∂dense/∂b = Σ of {g} over the batch")

    def shape(self, x, W, b=None):
        if len(W) != 2 or len(x) < 1:
            raise ShapeError(f"dense: expects inputs (..., features) and a kernel (features, "
                             f"units), got shapes {describe(x)} and {describe(W)}")
        if None not in (x[-1], W[0]) and x[-1] != W[0]:
            raise ShapeError(f"dense: inputs of shape {describe(x)} have {x[-1]} features but "
                             f"the kernel of shape {describe(W)} expects {W[0]}")
        if b is not None and (len(b) != 1 or None not in (b[0], W[1]) and b[0] != W[1]):
            raise ShapeError(f"dense: the bias must hold one value per unit, shape ({W[1]},) "
                             f"for the kernel of shape {describe(W)}; got shape {describe(b)}")
        return (*x[:-1], W[1])

    def work(self, xs, needs=None):
        # forward: rows sharing one weight matrix mostly move memory, and ran slower split
        x, W = (np.shape(v) for v in xs[:2])
        if needs is None or not (needs[0] and needs[1]):
            return 0
        return math.prod(x) * W[1]

    def forward(self, x, W, b=None):
        flat = x.ndim != 2  # (..., features) runs as a (rows, features) matrix
        y = np.matmul(x.reshape(-1, x.shape[-1]) if flat else x, W)
        if b is not None:
            y = np.add(y, b, out=y) if np.result_type(y, b) == y.dtype else y + b
        if self.activation == "relu":
            relu_array(y, out=y)
        return y.reshape(*x.shape[:-1], W.shape[1]) if flat else y

    def vjp(self, gy, xs, y, saved, needs):
        x, W = xs[:2]
        if gy.shape != y.shape:
            gy = np.broadcast_to(gy, y.shape)
        if self.activation == "relu":
            gy = gy * (y > 0)
        flat = x.ndim != 2
        g = gy.reshape(-1, W.shape[1]) if flat else gy
        x2 = x.reshape(-1, x.shape[-1]) if flat else x
        gb = sum_rows(g) if len(xs) == 3 and needs[2] else None
        # g @ W.T computed as (W @ g.T).T: OpenBLAS does the transposed problem (many rows,
        # few columns) up to 1.5x faster at small batches; the result is a transposed view
        gx = (W @ g.T).T if needs[0] else None
        gW = x2.T @ g if needs[1] else None
        if gx is not None and flat:
            gx = gx.reshape(x.shape)
        return (gx, gW) + ((gb,) if len(xs) == 3 else ())


def dense(x, kernel, bias=None, activation=None, name=None):
    """activation(x @ kernel + bias) on the last axis of x, as one op (activation None or "relu").

    >>> import numpy as np, passos
    >>> passos.ops.dense.dense(np.array([[1.0, -2.0]]), np.eye(2), np.array([0.5, 0.5]),
    ...                        activation="relu").numpy()
    array([[1.5, 0. ]])
    """
    return apply(Dense(activation), x, kernel, *([] if bias is None else [bias]), name=name)
