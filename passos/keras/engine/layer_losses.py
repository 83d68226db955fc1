"""The layer losses of a model traced into a graph: what a compiled plan adds to its loss."""
from ...graph.graph import Symbol
from ...ops import reduce as rd


def layer_losses(model, graph):
    """model.losses that live in `graph` (call inside `tracing(graph)`), each reduced to a scalar.

    Weight penalties are computed here, on the captured weights; activity penalties and
    add_loss losses were recorded as the trace called the layers. Constants add no gradient
    and are left out, as are losses of other graphs or of eager calls.
    """
    found = []
    for loss in model.losses:
        if isinstance(loss, Symbol) and loss.graph is graph:
            found.append(loss if loss.shape == () else rd.sum(loss))
    return found
