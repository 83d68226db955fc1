"""Trace a Keras model into a passos Graph with one name scope per model and layer.

Each layer's ops and weights go in ``model-name/layer-name/``: TensorBoard draws layer boxes.
"""
from ..graph.graph import Graph, placeholder


def trace_model(model, training=False):
    """A fresh Graph computing `model` on a placeholder of its input shape.

    Weights are captured (shared, not copied); state updates that layers record while tracing
    (BatchNormalization in training mode) are dropped again, so compiled plans are unaffected.
    """
    if not getattr(model, "built", False) or getattr(model, "input_shape", None) is None:
        raise ValueError(f"add_graph: model '{model.name}' is not built yet, so its input shape "
                         "is unknown; give the first layer input_shape=..., call the model on "
                         "data, or log the graph after fit has started")
    saved_updates = [(layer, list(layer._updates)) for layer in _all_layers(model)]
    graph = Graph()
    try:
        with graph.as_default():
            inputs = getattr(model, "inputs", None)
            x = placeholder(getattr(model, "input_dtype", "float32"), model.input_shape,
                            name=getattr(inputs, "name", None) or "input")
            with graph.name_scope(model.name):
                _trace_network(graph, model, x, training)
    finally:
        for layer, updates in saved_updates:
            layer._updates[:] = updates
    return graph


def _all_layers(model):
    found, stack = [], [model]
    while stack:
        layer = stack.pop()
        found.append(layer)
        stack.extend(getattr(layer, "layers", []))
    return found


def _trace_network(graph, network, x, training):
    """Replay `network` layer call by layer call, each inside its layer's name scope."""
    nodes = getattr(network, "_nodes", None)
    if not nodes:  # a subclassed model with its own call: one box for the whole model
        return network.call(x, training=training)

    def run(node, value):
        layer = node.layer
        nested = getattr(layer, "_nodes", None)
        if not nested:
            for weight in layer.weights:  # "dense/kernel" lands beside the layer's ops
                if weight.requires_grad:  # the rest are read as constants
                    graph.capture(weight)
        with graph.name_scope(layer.name):
            if nested:
                return _trace_network(graph, layer, value, training)
            return layer(value, training=training)
    values = dict(zip(map(id, network.inputs), x if isinstance(x, list) else [x]))
    for node in nodes:
        node.run(values, run)
    outputs = [values[id(t)] for t in network.outputs]
    return outputs if len(outputs) > 1 else outputs[0]
