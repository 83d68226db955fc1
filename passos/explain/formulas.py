"""Local derivatives as explain shows them, read from the ops themselves.

The text comes from the `formulas` an op keeps next to its vjp; the numbers, for elementwise
ops, from that same vjp given an output gradient of ones: each output element depends only on
its own input elements, so the vjp of ones is ∂y/∂xᵢ element by element (output shape).
"""
import numpy as np


def local_formulas(op, arity):
    """One formula text per input of `op`: how its output changes with that input.

    A single text serves every input (variadic ops such as concatenate); none gives "vjp of <kind>".

    >>> from passos.ops.arithmetic import DIVIDE
    >>> local_formulas(DIVIDE, 2)
    ('∂(a/b)/∂a = 1/b', '∂(a/b)/∂b = -a/b²')
    """
    texts = tuple(op.formulas)
    if len(texts) == 1:
        return texts * arity
    if len(texts) < arity:
        return (f"vjp of {op.kind}",) * arity
    return texts[:arity]  # ops with optional inputs (a bias) list them all


def local_values(op, xs, y, saved, needs):
    """The elementwise local derivatives ∂y/∂xᵢ as arrays (None: not elementwise, or not needed)."""
    if not op.elementwise:
        return (None,) * len(xs)
    y = np.asarray(y)
    ones = np.ones(y.shape, y.dtype if y.dtype.kind in "fc" else np.float64)
    with np.errstate(all="ignore"):
        values = op.vjp(ones, xs, y, saved, needs)
    return tuple(None if v is None or not need else np.asarray(v) for v, need in zip(values, needs))
