"""`After`: an op that also takes control dependencies, as extra inputs it ignores.

`control_dependencies` (control_ops.py) wraps ops in it; `tf.Operation` (operation.py) sees
through it, showing the wrapped op's type and the extra inputs as `control_inputs`.
"""
from ...core.op import Op
from ...graph import Symbol
from ...graph.sources import VariableOp


class After(Op):
    """`op` on the first `arity` inputs; the others are control dependencies, run before it."""

    def __init__(self, op, arity):
        self.op, self.arity = op, arity
        self.kind = f"{op.kind}_after"  # not op.kind: fusion must not swap it for a fused op
        self.saves, self.width, self.differentiable = op.saves, op.width, op.differentiable
        self.formulas = op.formulas

    def attrs(self):
        return self.op.attrs()

    def bind(self, session, node):
        """The op's function; variables it reads are read again, after the dependencies ran."""
        op, arity = self.op, self.arity
        function = op.bind(session, node) if op.bind else op.forward
        reads = [(i, VariableOp().bind(session, x)) for i, x in enumerate(node.inputs[:arity])
                 if isinstance(x, Symbol) and isinstance(x.primitive, VariableOp)]

        def run(*xs):
            xs = list(xs[:arity])
            for i, read in reads:
                xs[i] = read()
            return function(*xs)
        return run

    def forward(self, *xs):
        return self.op.forward(*xs[:self.arity])

    def vjp(self, gy, xs, y, saved, needs):
        n = self.arity
        return [*self.op.vjp(gy, xs[:n], y, saved, needs[:n]), *[None] * (len(xs) - n)]

    def shape(self, *shapes):
        return self.op.shape(*shapes[:self.arity])

    def dtype(self, *dtypes):
        return self.op.dtype(*dtypes[:self.arity])
