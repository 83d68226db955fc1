"""The `Op` base class: one primitive, written once, run by every front end.

A subclass gives three methods side by side:

* ``forward(*xs)``: NumPy arrays (or Python scalars) in, one array out. An op
  that needs more than its inputs and output for its gradient sets
  ``saves = True`` and returns ``(y, saved)`` instead.
* ``vjp(gy, xs, y, saved, needs)``: the gradient of each input, given the
  output gradient ``gy``; entries whose ``needs`` flag is False may be None.
  Gradients may keep the broadcast output shape: the engine sums them back.
* ``shape(*shapes)``: the output shape from input shapes (None = unknown
  dimension), raising ShapeError with the op's name and the shapes at fault.

Next to the vjp, ``formulas`` holds the local derivative of each input as text
(one text serves every input of a variadic op), which explain shows; an op
whose ``elementwise`` is True lets explain read the local derivatives' numbers
off its vjp of an output gradient of ones. The op's public function carries
``@register(...)`` (`passos.core.registry`), which puts it in the namespaces.

The graph plan also reads three attributes, declared here with their defaults:

* ``width``: plan slots one run fills: 1, or 2 when the op ``saves`` (output and
  saved); an op with several outputs sets it to their number.
* ``bind``: None, or ``bind(session, node)`` for an op with per-session state
  (variables, captured tensors): the function the plan calls instead of forward.
* ``offset``: None, or, for a stand-in for another node's extra output, which
  slot after that node's first one holds it (the plan never runs such a node).

An op keeps no state on ``self`` beyond its attributes, so one instance can
run any number of times (graph plans reuse it on every step).

Scheduling is declared, never done, by an op: with ``batch_inputs = m``
its first m inputs, output and saved values share a batch axis that a plan
may split over threads; with ``split_grads`` its input gradients are
independent products a plan may compute apart. ``work`` tells how large a
call is, so only large ones split (see kernels/schedule.py). An op that calls
BLAS without declaring a split sets ``calls_blas``: a plan with any of these
ops runs with BLAS held to one thread (BLAS's own threads spin between a
graph's small products), a plan without skips that cost (30 µs a run).
"""
import numpy as np

from .shapes import broadcast_shapes


class Op:
    """A differentiable primitive: forward on arrays, vjp, and static shape."""

    kind = "op"            # the name users see: in errors, traces and graphs
    saves = False          # forward returns (y, saved) when True
    differentiable = True  # False for comparisons, argmax, casts ...
    formulas = ()          # explain: "∂(a+b)/∂a = 1", ... one text per input
    elementwise = False    # each output element depends only on its own input elements

    width = 1              # plan slots a run fills (2 for an op that saves, by default)
    bind = None            # bind(session, node) -> the function a plan calls for a stateful op
    offset = None          # stands for the output this many slots after its input's first

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "width" not in vars(cls):  # an op that saves fills a second slot with what it saved
            cls.width = 2 if cls.saves else 1
    batch_inputs = 0       # leading inputs whose axis 0 a plan may split over threads
    split_grads = False    # True: a plan may compute the input gradients on separate threads
    calls_blas = False     # True: forward or vjp calls BLAS (products) though it declares no split

    def forward(self, *xs):
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def vjp(self, gy, xs, y, saved, needs):
        raise NotImplementedError(f"{self.kind} has no gradient")

    def shape(self, *shapes):
        raise NotImplementedError(f"{type(self).__name__}.shape")

    def work(self, xs, needs=None):
        """Multiply-adds of forward on arrays `xs` (needs None) or of the vjp for `needs`."""
        return 0

    def dtype(self, *dtypes):
        """Output dtype from input dtypes (Python scalars stay weak, as in NumPy)."""
        return np.result_type(*dtypes)

    def attrs(self):
        """The op's attributes, for error messages, traces and graph drawings."""
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}

    def __repr__(self):
        inner = ", ".join(f"{k}={v!r}" for k, v in self.attrs().items())
        return f"{self.kind}({inner})"


class ElementwiseOp(Op):
    """An op applied element by element, with NumPy broadcasting of its inputs."""

    elementwise = True

    def shape(self, *shapes):
        return broadcast_shapes(self.kind, *shapes)


class FloatElementwiseOp(ElementwiseOp):
    """Elementwise op whose result is floating point even for integer inputs."""

    def dtype(self, *dtypes):
        dt = np.result_type(*dtypes)
        return dt if dt.kind in "fc" else np.dtype(np.float64)
