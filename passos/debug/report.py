"""`NonFiniteError` and its message: which op gave NaN or inf, where, and the ranges it was given."""
import numpy as np

from ..core.shapes import describe


class NonFiniteError(FloatingPointError):
    """An op gave NaN or infinity inside check_numerics(); attributes say where.

    `op` (its kind), `node` (graph node or eager tensor name, or None), `layer` (Keras layer
    name or None), `direction` ('forward', 'backward' or 'update'), `found` ('NaN' or 'inf').
    """

    def __init__(self, message, op, node=None, layer=None, direction="forward", found="NaN"):
        super().__init__(message)
        self.op, self.node, self.layer = op, node, layer
        self.direction, self.found = direction, found


def non_finite(value):
    """'NaN' or 'inf' when float `value` (array or scalar) holds one (NaN first), else None."""
    floating = (value.dtype.kind in "fc" if isinstance(value, np.ndarray)
                else isinstance(value, (float, complex, np.inexact)))
    if floating and not np.isfinite(value).all():
        return "NaN" if np.isnan(value).any() else "inf"
    return None


def summary(label, value):
    """`label dtype shape in [min, max]`, plus how many NaN and infinities it holds."""
    if value is None:
        return f"{label} None"
    array = np.asarray(value)
    head = f"{label} {array.dtype} {describe(array.shape)}"
    if array.size == 0 or array.dtype.kind not in "biufc":
        return head
    if array.dtype.kind in "fc":
        finite = np.isfinite(array)
        nans = int(np.isnan(array).sum())
        infs = int(array.size - finite.sum() - nans)
        values = array[finite]
    else:
        nans = infs = 0
        values = array
    text = head + (f" in [{values.min():.4g}, {values.max():.4g}]" if values.size else "")
    extra = [f"{n} {what}" for n, what in ((nans, "NaN"), (infs, "inf")) if n]
    return text + (f" with {' and '.join(extra)}" if extra else "")


def failure(op, found, direction, inputs, node=None, layer=None, grad=None):
    """The NonFiniteError for `op` whose result held `found`, given its inputs [(label, value)]."""
    where = f"op '{op}'" + (f" (node '{node}')" if node else "") + (f" in layer '{layer}'" if layer else "")
    parts = [summary(label, value) for label, value in inputs]
    if grad is not None:
        parts.append(summary("output gradient", grad))
    inputs = "; ".join(parts) if parts else "none (the value came in so: a weight or a feed)"
    message = f"check_numerics: {where} gave {found} in the {direction} pass; inputs: {inputs}"
    return NonFiniteError(message, op, node, layer, direction, found)
