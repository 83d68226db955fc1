"""An assign-style op: update a moving average in place (BatchNormalization's statistics).

>>> import numpy as np, passos
>>> average = passos.tensor(np.zeros(2))
>>> _ = moving_average_update(average, passos.tensor([1.0, 2.0]), momentum=0.75)
>>> average.numpy()
array([0.25, 0.5 ])
"""
import numpy as np

from ..core.apply import apply
from ..core.op import Op
from ..core.shapes import ShapeError, describe


class MovingAverageUpdate(Op):
    """average = momentum * average + (1 - momentum) * value, written into `average`.

    Changed in place and returned, the same call updates a layer's tensor eagerly and, in a
    plan (the tensor captured live), at every run. With `unbias_axes` the value is a variance
    over those axes of a third input x, scaled by n / (n - 1) with n counted as it runs.
    """

    kind = "moving_average_update"
    differentiable = False

    def __init__(self, momentum, unbias_axes=None):
        self.momentum, self.unbias_axes = momentum, unbias_axes

    def forward(self, average, value, x=None):
        if self.unbias_axes is not None:
            n = int(np.prod([np.shape(x)[i] for i in self.unbias_axes]))
            value = value * (n / max(n - 1, 1))
        average *= self.momentum
        average += (1 - self.momentum) * np.asarray(value, average.dtype)
        return average

    def shape(self, average, value, x=None):
        if len(value) != len(average) or any(
                a is not None and b is not None and a != b for a, b in zip(average, value)):
            raise ShapeError(f"{self.kind}: the average has shape {describe(average)}, the "
                             f"value has shape {describe(value)}")
        return average

    def dtype(self, average, value, x=None):
        return average


def moving_average_update(average, value, momentum, x=None, unbias_axes=None, name=None):
    """Move `average` (a tensor, changed in place) towards `value`; returns `average`."""
    inputs = (average, value) if x is None else (average, value, x)
    return apply(MovingAverageUpdate(momentum, unbias_axes), *inputs, name=name)
