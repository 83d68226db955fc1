"""tf.control_dependencies and tf.tuple: nodes that run only after other nodes ran.

A plan runs nodes in creation order and only those its fetches need. Nodes built
inside `control_dependencies(deps)` come after `deps`; when the block closes, each
of them that reads nothing else built in the block (each first node of a path
through the block) is given `deps` as extra inputs, its op wrapped in `After`,
which ignores them. So fetching anything built in the block runs `deps` first.
"""
import contextlib

from ...graph import Symbol
from ...graph.graph import get_default_graph, group
from ...graph.sources import CaptureOp, PlaceholderOp, VariableOp
from .after import After
from .framework import identity


_SOURCES = (PlaceholderOp, VariableOp, CaptureOp)


def _is_source(node):
    """Placeholders, variables and their initializers never wait for control dependencies."""
    variable = getattr(node.primitive, "variable", None)
    return isinstance(node.primitive, _SOURCES) or node.primitive.offset is not None or (
        variable is not None and getattr(variable, "initializer", None) is node)


@contextlib.contextmanager
def control_dependencies(control_inputs):
    """Nodes built inside run only after every node of `control_inputs` (None: no deps).

    Nodes built inside by cond, case or while_loop branches are left alone: the
    control-flow node they belong to runs after `control_inputs`.
    """
    graph = get_default_graph()
    deps = []
    for dep in control_inputs or ():
        dep = getattr(dep, "graph_node_to_run", dep)  # a tf.Operation: its node
        if not isinstance(dep, Symbol) or dep.graph is not graph:
            raise TypeError(f"control_dependencies: {dep!r:.60} is not a node of the default "
                            "graph; pass ops or tensors built in it")
        deps.append(dep)
    start = len(graph.nodes)
    yield
    if not deps:
        return
    made = {id(n) for n in graph.nodes[start:]}
    inner = graph.front_ends.get("subgraph nodes", ())
    for node in graph.nodes[start:]:
        if _is_source(node) or id(node) in inner or any(
                isinstance(x, Symbol) and id(x) in made for x in node.inputs):
            continue
        node.primitive = After(node.primitive, len(node.inputs))
        node.inputs = [*node.inputs, *deps]


def tuple(tensors, control_inputs=None, name=None):  # noqa: A001 - TensorFlow's name
    """Copies of `tensors` that are computed only once all of them (and `control_inputs`) are."""
    tensors = list(tensors)
    real = [t for t in tensors if t is not None]
    gate = group(*real, *(control_inputs or ()), name=name or "tuple")
    with control_dependencies([gate]):
        return [None if t is None else identity(t) for t in tensors]
