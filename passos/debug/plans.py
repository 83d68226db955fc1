"""The plan observer of check_numerics: stop a plan at the first node giving NaN or inf.

On `graph.session.observers`: it checks the feeds as a run starts, then each step's result.
"""
from ..graph.gradients import VjpOp
from ..graph.graph import Symbol
from .report import failure, non_finite


def check_run(plan, feeds):
    """Raise for a non-finite feed of `plan`; else the callback that checks each step."""
    for node in plan.fed_nodes:
        found = non_finite(feeds[id(node)])
        if found:
            raise failure("feed", found, "forward", [(f"'{node.name}'", feeds[id(node)])],
                          node=node.node_name)
    return lambda node, args, result: check_step(node, args, result, plan.origin_of(node))


def check_step(node, args, result, origin):
    """Raise NonFiniteError if the result of `node` (or a weight it updated) is not finite."""
    op = node.primitive
    outputs = [result] if op.width == 1 else [result[0]] if op.saves else list(result)
    layer, backward = origin
    for value in outputs:
        found = non_finite(value)
        if not found:
            continue
        if isinstance(op, VjpOp):  # inputs: output gradient, the op's inputs, its output, saved
            forward = node.inputs[len(op.needs) + 1]
            labelled = [(_label(x), v) for x, v in zip(node.inputs[1:-2], args[1:-2])]
            raise failure(op.op.kind, found, "backward", labelled,
                          node=forward.node_name, layer=layer, grad=args[0])
        labelled = [(_label(x), v) for x, v in zip(node.inputs, args)]
        raise failure(op.kind, found, "backward" if backward else "forward", labelled,
                      node=node.node_name, layer=layer)
    for weight in getattr(op, "weights", ()):  # an optimizer's in-place update
        found = non_finite(weight.data)
        if found:
            raise failure(op.kind, found, "update", list(zip(
                [f"gradient of '{w.name}'" for w in op.weights], args)), node=weight.name,
                layer=weight.name.rpartition("/")[0] or None)


def _label(x):
    return f"'{x.name}'" if isinstance(x, Symbol) else "a constant"
