"""`check_numerics()`: stop at the first op whose output or gradient is not finite, and say where.

The role of PyTorch's anomaly mode and TensorFlow's check_numerics. Inside the
block, eager ops (`apply`), the eager backward walk and compiled plans (graph
`Session.run`, Keras fit/evaluate/predict) check every float result and raise
`NonFiniteError` at the first NaN or infinity, naming the op, its node, the
Keras layer that made it, forward or backward, and the ranges of its inputs.
Outside the block the hot paths read one module-level count (`checking`) and
do nothing else. The block is per thread: other threads run unchecked.

Also here: `out_of_memory`, the MemoryError that names the op that asked.
"""
import contextlib
import functools
import math
import threading

import numpy as np

from .shapes import describe

checking = 0  # check_numerics blocks open in any thread: the one flag hot paths read
_count_lock = threading.Lock()
_here = threading.local()  # .depth: this thread's open blocks


class NonFiniteError(FloatingPointError):
    """An op gave NaN or infinity inside check_numerics(); attributes say where.

    `op` (its kind), `node` (graph node or eager tensor name, or None), `layer`
    (Keras layer name or None), `direction` ('forward' or 'backward'), `found`
    ('NaN' or 'inf').
    """

    def __init__(self, message, op, node=None, layer=None, direction="forward", found="NaN"):
        super().__init__(message)
        self.op, self.node, self.layer = op, node, layer
        self.direction, self.found = direction, found


@contextlib.contextmanager
def check_numerics():
    """Raise NonFiniteError at the first op (forward or gradient) that gives NaN or inf.

    >>> import passos
    >>> with passos.debug.check_numerics():
    ...     try:
    ...         passos.log(passos.tensor([-1.0]))
    ...     except passos.debug.NonFiniteError as error:
    ...         print(error.op, error.direction, error.found)
    log forward NaN
    """
    global checking
    with _count_lock:
        checking += 1
    _here.depth = getattr(_here, "depth", 0) + 1
    try:
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # the error says more
            yield
    finally:
        _here.depth -= 1
        with _count_lock:
            checking -= 1


def option(method):
    """Run `method` inside check_numerics() when it is called with check_numerics=True (fit)."""
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        if not kwargs.get("check_numerics"):
            return method(*args, **kwargs)
        with check_numerics():
            return method(*args, **kwargs)
    return wrapper


@contextlib.contextmanager
def in_layer(name):
    """Eager ops inside are Keras layer `name`'s: forward errors name it."""
    outer = getattr(_here, "layer", None)
    _here.layer = name
    try:
        yield
    finally:
        _here.layer = outer


def enabled():
    """True inside a check_numerics() block of the calling thread."""
    return getattr(_here, "depth", 0) > 0


def non_finite(value):
    """'NaN' or 'inf' when float `value` (array or scalar) holds one (NaN first), else None."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "fc" or np.isfinite(value).all():
            return None
        return "NaN" if np.isnan(value).any() else "inf"
    if isinstance(value, (float, np.floating, complex, np.complexfloating)):
        if np.isfinite(value):
            return None
        return "NaN" if np.isnan(value) else "inf"
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
    where = f"op '{op}'"
    if node:
        where += f" (node '{node}')"
    if layer:
        where += f" in layer '{layer}'"
    parts = [summary(label, value) for label, value in inputs]
    if grad is not None:
        parts.append(summary("output gradient", grad))
    inputs = "; ".join(parts) if parts else "none (the value came in so: a weight or a feed)"
    message = f"check_numerics: {where} gave {found} in the {direction} pass; inputs: {inputs}"
    return NonFiniteError(message, op, node, layer, direction, found)


def check_apply(op, xs, out, name):
    """Eager forward: raise if `out` of `op` on arrays `xs` is not finite (inside a block)."""
    found = non_finite(out) if enabled() else None
    if found:
        raise failure(op.kind, found, "forward", [(f"x{i}", x) for i, x in enumerate(xs)],
                      node=name, layer=getattr(_here, "layer", None))


def check_vjp(op, grads, xs, gy, name):
    """Eager backward: raise if a gradient of `op`'s inputs is not finite (inside a block)."""
    if not enabled():
        return
    for i, g in enumerate(grads):
        found = non_finite(g)
        if found:
            raise failure(op.kind, found, "backward",
                          [(f"x{j}", x) for j, x in enumerate(xs)], node=name,
                          grad=gy)


def out_of_memory(error, op, xs, node=None, layer=None):
    """A MemoryError naming `op` (its node and layer when known) and the bytes it asked for."""
    shape, dtype = getattr(error, "shape", None), getattr(error, "dtype", None)
    asked = ""
    if shape is not None and dtype is not None:
        size = math.prod(shape) * np.dtype(dtype).itemsize
        asked = f" asking for {size} bytes ({size / 2**30:.3g} GiB, shape {describe(shape)} {dtype})"
    where = f"'{op}'" + (f" (node '{node}')" if node else "") + (
        f" in layer '{layer}'" if layer else "")
    inputs = ", ".join(describe(np.shape(x)) for x in xs)
    return MemoryError(f"{where} ran out of memory{asked}; its inputs have shapes {inputs}: "
                       f"use smaller batches or inputs ({error})")
