"""An assign-style op: replace a tensor's value (a stateful recurrent layer's carried states).

>>> import numpy as np, passos
>>> state = passos.tensor(np.zeros((1, 2), np.float32))
>>> _ = assign_state(state, passos.tensor([[1.0, 2.0]]))
>>> state.numpy()
array([[1., 2.]], dtype=float32)
"""
import numpy as np

from ..core.apply import apply
from ..core.op import Op
from ..core.shapes import ShapeError, describe


class AssignState(Op):
    """tensor.data = value: applied eagerly it writes now; traced, at every run of the plan.

    The tensor gets a new array rather than being overwritten in place: whatever a run read
    from it before the assignment (the recurrence's initial states, which its gradient may
    still use later in a training step) stays as it was.
    """

    kind = "assign_state"
    differentiable = False

    def __init__(self, tensor):
        self.tensor = tensor

    def attrs(self):
        return {"tensor": self.tensor.name}

    def forward(self, value):
        self.shape(np.shape(value))  # eager calls too: broadcasting would hide a wrong batch
        stored = np.array(value, dtype=self.tensor.dtype)  # a copy: plans own their values
        self.tensor.data = stored
        return stored

    def shape(self, value):
        target = self.tensor.shape
        if len(value) != len(target) or any(v is not None and v != t
                                            for v, t in zip(value, target)):
            raise ShapeError(f"{self.kind}: '{self.tensor.name}' has shape {describe(target)}, "
                             f"the value has shape {describe(value)}")
        return target

    def dtype(self, value):
        return self.tensor.dtype


def assign_state(tensor, value, name=None):
    """Replace the value of `tensor` (an eager Tensor) by `value`'s; returns the new value."""
    return apply(AssignState(tensor), value, name=name)
