"""`check_numerics()`: stop at the first op whose output or gradient is not finite, and say where.

PyTorch's anomaly mode and TensorFlow's check_numerics in one. While a block is open in any
thread, checks sit on the hooks of eager ops, the eager backward walk and compiled plans
(`Session.run`, Keras fit/evaluate/predict), raising `NonFiniteError` at the first NaN or inf
with the op, node, Keras layer, pass and input ranges. After the last block they leave the
hooks, so unchecked code runs as if this module did not exist; other threads run unchecked.
"""
import contextlib
import functools
import threading

import numpy as np

from ..core import apply, autodiff
from ..core.tensor import Tensor
from .report import failure, non_finite

checking = 0  # check_numerics blocks open in any thread: the checks are on the hooks while > 0
_count_lock = threading.Lock()
_here = threading.local()  # .depth: this thread's open blocks; .layer: the Keras layer running


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
        if not checking:
            _hooks(list.append)
        checking += 1
    _here.depth = getattr(_here, "depth", 0) + 1
    try:
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # the error says more
            yield
    finally:
        _here.depth -= 1
        with _count_lock:
            checking -= 1
            if not checking:
                _hooks(list.remove)


def _hooks(change):
    """Put the checks on the core's and the graph's hooks (list.append), or take them off."""
    from ..graph import session  # imported once checking starts: `import passos` stays light
    change(apply.observers, check_apply)
    change(autodiff.observers, check_vjp)
    change(session.observers, check_plan)


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


def check_apply(op, xs, out, name):
    """Eager forward observer: raise if `out` of `op` on arrays `xs` is not finite."""
    found = non_finite(out) if enabled() else None
    if found:
        raise failure(op.kind, found, "forward", [(f"x{i}", x) for i, x in enumerate(xs)],
                      node=name, layer=getattr(_here, "layer", None))


def check_vjp(t, g, sent):
    """Eager backward observer: raise if a gradient the op of `t` sent its inputs is not finite."""
    if not enabled():
        return
    for _, _, gx, _ in sent:
        found = non_finite(gx)
        if found:
            xs = [x.data if isinstance(x, Tensor) else x for x in t._node.inputs]
            raise failure(t._node.op.kind, found, "backward",
                          [(f"x{j}", x) for j, x in enumerate(xs)], node=t.name, grad=g)


def check_plan(plan, feeds):
    """Plan run observer: in a checking thread, the feed and step checks of debug/plans.py."""
    from .plans import check_run  # the graph's classes, imported with the graph
    return check_run(plan, feeds) if enabled() else None
