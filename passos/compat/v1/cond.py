"""tf.cond and tf.case: only the branch a predicate picks runs, and gradients flow through it.

Each branch function is called once while building; its nodes form a `Subgraph`
that the plan does not run. The `Branch` node reads the predicates and every
symbol the branches use; when the plan reaches it, it runs the picked branch
alone and outputs a `Record` of its results (one `Pick` node per result).
"""
import builtins

import numpy as np

from ...core.shapes import describe
from ...graph.graph import get_default_graph
from .framework import convert_to_tensor
from .records import Record, RecordOp, picks
from .subgraph import Subgraph


class Branch(RecordOp):
    """Runs branch k for the first of the `count` predicate inputs that holds (else the last)."""

    def __init__(self, kind, count, branches, positions, exclusive=False):
        self.kind, self.count, self.exclusive = kind, count, exclusive
        self.branches, self.positions = branches, positions

    def bind(self, session, node):
        functions = [b.functions(session) for b in self.branches]
        count, branches, positions = self.count, self.branches, self.positions

        def run(*xs):
            held = [i for i, p in enumerate(xs[:count]) if p]
            if self.exclusive and len(held) > 1:
                raise ValueError(f"{node.name}: exclusive case, yet predicates {held} all hold")
            k = held[0] if held else count
            env = branches[k].run(functions[k], [xs[count + p] for p in positions[k]])
            return Record(branches[k].results(env), (k, env))
        return run

    def vjp(self, gy, xs, y, saved, needs):
        k, env = y.saved
        branch = self.branches[k]
        grads = branch.grads(env, gy.items(len(branch.outputs)))
        out = [np.zeros_like(x) if need else None for x, need in zip(xs, needs)]
        for p, g in zip(self.positions[k], grads):
            if g is not None and needs[self.count + p]:
                out[self.count + p] = g
        return out


def _build(graph, fn, what):
    """(Subgraph, how its results nest) of the nodes `fn()` builds."""
    if not callable(fn):
        raise TypeError(f"{what} must be callable, got {fn!r:.60}")
    start = len(graph.nodes)
    result = fn()
    flat = list(result) if isinstance(result, (list, builtins.tuple)) else [result]
    if any(x is None for x in flat):
        raise ValueError(f"{what} returned None; return the tensor(s) the branch computes")
    outputs = [convert_to_tensor(x) for x in flat]
    nesting = type(result) if isinstance(result, (list, builtins.tuple)) else None
    return Subgraph(graph, start, outputs), nesting


def _merged(kind, names, branches):
    """Shapes and dtypes of the results every branch gives (sizes that differ become None)."""
    counts = {len(b.outputs) for b in branches}
    if len(counts) > 1:
        got = ", ".join(f"{n}: {len(b.outputs)}" for n, b in zip(names, branches))
        raise ValueError(f"{kind}: the branches return different numbers of tensors ({got})")
    shapes, dtypes = [], []
    for outs in zip(*(b.outputs for b in branches)):
        kinds = {np.dtype(o.dtype) for o in outs}
        if len(kinds) > 1:
            got = ", ".join(f"{n}: {o.dtype}" for n, o in zip(names, outs))
            raise ValueError(f"{kind}: the branches return different dtypes ({got})")
        dtypes.append(kinds.pop())
        known = [o.shape for o in outs]
        if any(s is None for s in known) or len({len(s) for s in known}) > 1:
            shapes.append(None)
        else:
            shapes.append(builtins.tuple(s[0] if len(set(s)) == 1 else None for s in zip(*known)))
    return shapes, dtypes


def _predicate(kind, pred):
    pred = convert_to_tensor(pred)
    if pred.dtype != np.dtype(bool) or (pred.shape is not None and pred.shape != ()):
        raise TypeError(f"{kind}: a predicate must be a boolean scalar, got '{pred.name}' of "
                        f"dtype {pred.dtype} and shape {describe(pred.shape)}")
    return pred


def _select(kind, preds, fns, names, name, exclusive=False):
    graph = get_default_graph()
    preds = [_predicate(kind, p) for p in preds]
    built = [_build(graph, fn, what) for fn, what in zip(fns, names)]
    branches = [b for b, _ in built]
    shapes, dtypes = _merged(kind, names, branches)
    externals = {}
    for b in branches:
        for x in b.externals:
            externals.setdefault(id(x), (len(externals), x))
    positions = [[externals[id(x)][0] for x in b.externals] for b in branches]
    inputs = [*preds, *(x for _, x in sorted(externals.values(), key=lambda e: e[0]))]
    op = Branch(kind, len(preds), branches, positions, exclusive)
    node = graph.add_op(op, inputs, name=name or kind)
    results = picks(graph, node, shapes, dtypes, node.node_name)
    nesting = built[0][1]
    return results[0] if nesting is None else nesting(results)


def cond(pred, true_fn=None, false_fn=None, strict=False, name=None, fn1=None, fn2=None):
    """`true_fn()` when `pred` holds, else `false_fn()`; only the one picked runs."""
    true_fn, false_fn = true_fn or fn1, false_fn or fn2
    return _select("cond", [pred], [true_fn, false_fn], ["cond: true_fn", "cond: false_fn"],
                   name)


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """The results of the fn of the first pair whose predicate holds, else of `default`."""
    pairs = list(pred_fn_pairs.items() if isinstance(pred_fn_pairs, dict) else pred_fn_pairs)
    if not pairs:
        raise ValueError("case: pred_fn_pairs is empty; give (predicate, function) pairs")
    if default is None:  # as TensorFlow: the last pair's function is the default
        *pairs, (_, default) = pairs
    names = [f"case: fn {i}" for i in range(len(pairs))] + ["case: default"]
    return _select("case", [p for p, _ in pairs], [f for _, f in pairs] + [default], names,
                   name, exclusive)

