"""Matrix product with NumPy's rules (1-D vectors, batched stacks with broadcasting)."""
import numpy as np

from ..core.apply import apply
from ..core.op import Op
from ..core.registry import register
from ..core.shapes import ShapeError, broadcast_shapes, describe


class MatMul(Op):
    kind = "matmul"
    formulas = ("∂(A@B)/∂A: gy @ Bᵀ", "∂(A@B)/∂B: Aᵀ @ gy")
    split_grads = True  # gy @ b.T and a.T @ gy: two independent products
    forward = staticmethod(np.matmul)

    def work(self, xs, needs=None):
        a, b = (np.shape(x) for x in xs)
        if needs is None or not all(needs) or len(a) != 2 or len(b) != 2:
            return 0
        return a[0] * a[1] * b[1]

    def vjp(self, gy, xs, y, saved, needs):
        a, b = xs
        if a.ndim == 2 and b.ndim == 2:  # the common case, kept cheap
            return (gy @ b.T if needs[0] else None), (a.T @ gy if needs[1] else None)
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = gy
        if b.ndim == 1:  # first, so that a 0-d gy (vector @ vector) has an axis for a's
            g2 = np.expand_dims(g2, -1)
        if a.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        ga = gb = None
        if needs[0]:
            ga = np.matmul(g2, np.swapaxes(b2, -1, -2))
            if a.ndim == 1:  # sum the batch axes away: the vector was shared
                ga = ga.reshape(-1, a.shape[0]).sum(axis=0)
        if needs[1]:
            gb = np.matmul(np.swapaxes(a2, -1, -2), g2)
            if b.ndim == 1:
                gb = gb.reshape(-1, b.shape[0]).sum(axis=0)
        return ga, gb

    def shape(self, a, b):
        if len(a) == 0 or len(b) == 0:
            raise ShapeError(f"matmul: inputs must be at least 1-D, got shapes "
                             f"{describe(a)} and {describe(b)}")
        a2 = (1,) + a if len(a) == 1 else a
        b2 = b + (1,) if len(b) == 1 else b
        k1, k2 = a2[-1], b2[-2]
        if k1 is not None and k2 is not None and k1 != k2:
            raise ShapeError(
                f"matmul: shapes {describe(a)} and {describe(b)} are not aligned: the "
                f"last dimension of the first ({k1}) must equal the "
                f"{'only' if len(b) == 1 else 'second-to-last'} dimension of the second ({k2})")
        batch = broadcast_shapes(self.kind, a2[:-2], b2[:-2])
        out = batch + (a2[-2], b2[-1])
        if len(a) == 1:
            out = out[:-2] + out[-1:]
        if len(b) == 1:
            out = out[:-1]
        return out


MATMUL = MatMul()


@register("passos")
def matmul(a, b, name=None):
    """Matrix product a @ b (NumPy semantics: vectors and batched stacks)."""
    return apply(MATMUL, a, b, name=name)
