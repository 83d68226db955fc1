"""Graph nodes that touch a Session's state: placeholders, variables, assignments, groups.

Instead of a pure `forward`, these ops `bind(session, node)` to a function
that the session's execution plan calls.
"""
import numpy as np

from ..core.op import Op
from ..core.shapes import ShapeError, describe


class PlaceholderOp(Op):
    kind = "placeholder"
    differentiable = False

    def bind(self, session, node):
        raise ValueError(f"placeholder '{node.node_name}' (dtype {node.dtype}, shape "
                         f"{describe(node.shape)}) needs a value: pass it in "
                         f"feed_dict={{{node.node_name}: ...}}")


class VariableOp(Op):
    kind = "variable"
    differentiable = False

    def bind(self, session, node):
        variables = session.variables

        def read():
            try:
                return variables[node]
            except KeyError:
                raise RuntimeError(
                    f"variable '{node.node_name}' is not initialised in this Session: run "
                    "global_variables_initializer() (or the variable's initializer) "
                    "first") from None
        return read


class CaptureOp(Op):
    """Reads an eager tensor's current `.data` each run (weights shared with eager code)."""

    kind = "captured"
    differentiable = False

    def __init__(self, tensor):
        self.tensor = tensor

    def attrs(self):
        return {"shape": self.tensor.shape}

    def bind(self, session, node):
        tensor = self.tensor
        return lambda: tensor.data


def _compatible(shape, target):
    return len(shape) == len(target) and all(
        a is None or b is None or a == b for a, b in zip(shape, target))


class AssignOp(Op):
    """Store a value in a variable (`assign`), or add/subtract it (`assign_add/sub`)."""

    differentiable = False

    def __init__(self, variable, mode):
        self.variable = variable
        self.kind = mode

    def attrs(self):
        return {"variable": self.variable.node_name}

    def shape(self, value):
        target = self.variable.shape
        if target is not None and not _compatible(value, target):
            raise ShapeError(f"{self.kind}: variable '{self.variable.name}' has shape "
                             f"{describe(target)}, the value has shape {describe(value)}")
        return target

    def dtype(self, value):
        return self.variable.dtype

    def bind(self, session, node):
        var, mode = self.variable, self.kind
        variables, dtype, read = session.variables, var.dtype, VariableOp().bind(session, var)

        def assign(value):
            if mode == "assign":
                value = np.array(value, dtype=dtype)  # a copy the session owns
                if var.shape is not None and not _compatible(value.shape, var.shape):
                    raise ValueError(f"assign: variable '{var.name}' has shape "
                                     f"{describe(var.shape)}, got a value of shape {value.shape}")
                variables[var] = value
                return value
            current = read()
            # in place: no new buffer per training step (Session.run copies fetched views)
            (np.add if mode == "assign_add" else np.subtract)(current, value, out=current)
            return current
        return assign


class GroupOp(Op):
    """Run all inputs for their effects; the result is None."""

    kind = "group"
    differentiable = False

    def forward(self, *xs):
        return None

    def shape(self, *shapes):
        return ()

    def dtype(self, *dtypes):
        return np.dtype(bool)


class SavedOf(Op):
    """Stands for what a node's op saved for its gradient (filled by the plan, never run)."""

    kind = "saved"
    differentiable = False
    offset = 1  # the plan's slot after the node's own output

    def shape(self, *shapes):
        return ()

    def dtype(self, *dtypes):
        return np.dtype(object)


class OutputOf(Op):
    """Stands for output `offset` of a node with several (filled by the plan, never run)."""

    kind = "output"
    differentiable = False

    def __init__(self, offset, shape, dtype):
        self.offset, self._shape, self._dtype = offset, shape, np.dtype(dtype)

    def attrs(self):
        return {"output": self.offset}

    def shape(self, *shapes):
        return self._shape

    def dtype(self, *dtypes):
        return self._dtype
