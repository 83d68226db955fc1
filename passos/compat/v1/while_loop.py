"""tf.while_loop: run a body sub-graph while a condition sub-graph holds, with gradients.

`cond` and `body` are called once, on stand-ins for the loop variables (placeholders
no one feeds), building two `Subgraph`s. The `Loop` node's inputs are the loop
variables' first values and every other symbol the two read. A run keeps each
iteration's values; the gradient runs the body's vjps over them in reverse,
handing each iteration's loop-variable gradients to the one before.
"""
import builtins

import numpy as np

from ...core.shapes import describe
from ...graph.graph import get_default_graph, placeholder
from .framework import convert_to_tensor
from .records import Record, RecordOp, picks
from .subgraph import Subgraph


class Loop(RecordOp):
    """The loop: inputs are the `count` loop variables, then the other symbols read."""

    kind = "while"

    def __init__(self, count, condition, body, sources, limit, back_prop):
        self.count, self.condition, self.body = count, condition, body
        self.sources = sources  # per subgraph: where each external's value comes from
        self.limit, self.back_prop = limit, back_prop

    def bind(self, session, node):
        cond_functions = self.condition.functions(session)
        body_functions = self.body.functions(session)
        count, limit = self.count, self.limit

        def run(*xs):
            values, steps = list(xs[:count]), []
            while limit is None or len(steps) < limit:
                env = self.condition.run(cond_functions, self._feed(0, values, xs))
                if not self.condition.results(env)[0]:
                    break
                env = self.body.run(body_functions, self._feed(1, values, xs))
                steps.append(env if self.back_prop else None)
                values = self.body.results(env)
            return Record(values, steps)
        return run

    def _feed(self, which, values, xs):
        return [values[i] if loop else xs[i] for loop, i in self.sources[which]]

    def vjp(self, gy, xs, y, saved, needs):
        if not self.back_prop:
            raise ValueError("while_loop: built with back_prop=False, so it has no gradient")
        floats = [np.asarray(v).dtype.kind in "fc" for v in y.items]
        grads = [g if f else None for g, f in zip(gy.items(self.count), floats)]
        outer = [None] * len(xs)
        for env in reversed(y.saved):
            back = [None] * self.count
            for (loop, i), g in zip(self.sources[1], self.body.grads(env, grads)):
                if g is None:
                    continue
                target = back if loop else outer
                target[i] = g if target[i] is None else target[i] + g
            grads = [g if f else None for g, f in zip(back, floats)]
        outer[:self.count] = grads
        return [np.zeros_like(x) if need and g is None else g
                for g, x, need in zip(outer, xs, needs)]


def _fits(shape, invariant):
    return invariant is None or (shape is not None and len(shape) == len(invariant) and all(
        i is None or s == i for s, i in zip(shape, invariant)))


def _build(graph, fn, stand_ins, what):
    if not callable(fn):
        raise TypeError(f"while_loop: {what} must be callable, got {fn!r:.60}")
    start = len(graph.nodes)
    result = fn(*stand_ins)
    flat = list(result) if isinstance(result, (list, builtins.tuple)) else [result]
    return Subgraph(graph, start, [convert_to_tensor(x) for x in flat])


def _check_body(body, stand_ins):
    if len(body.outputs) != len(stand_ins):
        raise ValueError(f"while_loop: body returned {len(body.outputs)} tensors for "
                         f"{len(stand_ins)} loop variables")
    for k, (out, var) in enumerate(zip(body.outputs, stand_ins)):
        if out.dtype != var.dtype:
            raise TypeError(f"while_loop: loop variable {k} has dtype {var.dtype}, the body "
                            f"returns dtype {out.dtype}")
        if not _fits(out.shape, var.shape):
            raise ValueError(f"while_loop: loop variable {k} has shape {describe(var.shape)}, "
                             f"the body returns shape {describe(out.shape)}; give "
                             "shape_invariants with None for the sizes that change")


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,
               back_prop=True, swap_memory=False, name=None, maximum_iterations=None,
               return_same_structure=False):
    """Repeat `loop_vars = body(*loop_vars)` while `cond(*loop_vars)` holds; the last values."""
    graph = get_default_graph()
    nested = isinstance(loop_vars, (list, builtins.tuple))
    first = [convert_to_tensor(v) for v in (loop_vars if nested else [loop_vars])]
    invariants = list(shape_invariants) if shape_invariants is not None else [None] * len(first)
    if maximum_iterations is not None and not isinstance(maximum_iterations, int):
        raise TypeError("while_loop: maximum_iterations must be a Python int here, got "
                        f"{maximum_iterations!r:.60}")
    stand_ins = []
    for v, invariant in zip(first, invariants):
        shape = v.shape if invariant is None else builtins.tuple(getattr(invariant, "dims",
                                                                         invariant))
        if invariant is not None and not _fits(v.shape, shape):
            raise ValueError(f"while_loop: '{v.name}' has shape {describe(v.shape)}, outside "
                             f"its shape invariant {describe(shape)}")
        stand_ins.append(placeholder(v.dtype, shape, name="while/loop_var"))
    condition = _build(graph, cond, stand_ins, "cond")
    if len(condition.outputs) != 1 or condition.outputs[0].dtype != np.dtype(bool):
        raise TypeError("while_loop: cond must return one boolean tensor")
    steps = _build(graph, body, stand_ins, "body")
    _check_body(steps, stand_ins)
    index = {id(s): k for k, s in enumerate(stand_ins)}
    others = {}
    for sub in (condition, steps):
        for x in sub.externals:
            if id(x) not in index:
                others.setdefault(id(x), (len(first) + len(others), x))
    sources = [[(True, index[id(x)]) if id(x) in index else (False, others[id(x)][0])
                for x in sub.externals] for sub in (condition, steps)]
    op = Loop(len(first), condition, steps, sources, maximum_iterations, back_prop)
    inputs = [*first, *(x for _, x in sorted(others.values(), key=lambda e: e[0]))]
    node = graph.add_op(op, inputs, name=name or "while")
    results = picks(graph, node, [s.shape for s in stand_ins], [s.dtype for s in stand_ins],
                    node.node_name)
    if not nested or (len(results) == 1 and not return_same_structure):
        return results[0]
    return type(loop_vars)(results)
