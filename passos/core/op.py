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

An op keeps no state on ``self`` beyond its attributes, so one instance can
run any number of times (graph plans reuse it on every step).

Scheduling is declared, never done, by an op: with ``batch_inputs = m``
its first m inputs, output and saved values share a batch axis that a plan
may split over threads; with ``split_grads`` its input gradients are
independent products a plan may compute apart. ``work`` tells how large a
call is, so only large ones split (see kernels/schedule.py).
"""
import numpy as np

from .shapes import broadcast_shapes


class Op:
    """A differentiable primitive: forward on arrays, vjp, and static shape."""

    kind = "op"            # the name users see: in errors, traces and graphs
    saves = False          # forward returns (y, saved) when True
    differentiable = True  # False for comparisons, argmax, casts ...
    batch_inputs = 0       # leading inputs whose axis 0 a plan may split over threads
    split_grads = False    # True: a plan may compute the input gradients on separate threads

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
        return dict(vars(self))

    def __repr__(self):
        inner = ", ".join(f"{k}={v!r}" for k, v in self.attrs().items())
        return f"{self.kind}({inner})"


class ElementwiseOp(Op):
    """An op applied element by element, with NumPy broadcasting of its inputs."""

    def shape(self, *shapes):
        return broadcast_shapes(self.kind, *shapes)


class FloatElementwiseOp(ElementwiseOp):
    """Elementwise op whose result is floating point even for integer inputs."""

    def dtype(self, *dtypes):
        dt = np.result_type(*dtypes)
        return dt if dt.kind in "fc" else np.dtype(np.float64)
