"""A functional model's graph: the layer calls from its inputs to its outputs, and its config.

The config is Keras': each layer once, with `inbound_nodes` naming, for each call, the
(layer, node index, tensor index) of every input; node indices count the calls made inside
this model, so a model can be rebuilt from its config alone (`rebuild`).
"""
from ...core.shapes import describe
from .node import KerasTensor


def graph_order(inputs, outputs, name):
    """The Nodes that compute `outputs` from `inputs`, each after the nodes it reads."""
    for role, tensors in (("inputs", inputs), ("outputs", outputs)):
        bad = next((t for t in tensors if not isinstance(t, KerasTensor)), None)
        if bad is not None or not tensors:
            raise TypeError(f"Model '{name}': {role} must be KerasTensors from Input(...) and "
                            f"layer calls (one, or a list), got {bad!r:.60}")
    for t in inputs:
        if t.node is not None:
            raise ValueError(f"Model '{name}': input {t!r} is computed by layer '{t.layer.name}'; "
                             "a model's inputs must be Input(...) tensors")
    known = {id(t) for t in inputs}
    order, done = [], set()
    for output in outputs:
        stack = [(output, False)]
        while stack:  # depth first, iteratively: deep models do not hit the recursion limit
            tensor, expanded = stack.pop()
            node = tensor.node
            if id(tensor) in known or (node is not None and id(node) in done and not expanded):
                continue
            if node is None:
                raise ValueError(f"Model: the outputs {outputs} are not computed from the given "
                                 f"inputs {inputs} alone: they need Input '{tensor.name}' "
                                 f"{describe(tensor.shape)}, which is not among them")
            if expanded:
                if id(node) not in done:
                    done.add(id(node))
                    order.append(node)
                continue
            stack.append((tensor, True))
            stack.extend((t, False) for t in reversed(node.inputs))
    return order


def network_config(network):
    """{'name', 'layers': [{class_name, name, config, inbound_nodes}], 'input_layers',
    'output_layers'}: JSON-serialisable."""
    index = {}  # id(node) -> its number among its layer's calls in this network
    layers = {}
    for node in network._nodes:
        calls = layers.setdefault(id(node.layer), (node.layer, []))[1]
        index[id(node)] = len(calls)
        calls.append(node)

    def ref(tensor):
        if tensor.node is None:
            return [tensor.name, 0, 0, {}]
        return [tensor.layer.name, index[id(tensor.node)], tensor.index, {}]

    entries = [{"class_name": "InputLayer", "name": t.name,
                "config": {"batch_input_shape": list(t.shape), "dtype": str(t.dtype),
                           "name": t.name}, "inbound_nodes": []} for t in network.inputs]
    entries += [{"class_name": type(layer).__name__, "name": layer.name,
                 "config": layer.get_config(),
                 "inbound_nodes": [[ref(t) for t in node.inputs] for node in calls]}
                for layer, calls in layers.values()]
    return {"name": network.name, "layers": entries,
            "input_layers": [ref(t)[:3] for t in network.inputs],
            "output_layers": [ref(t)[:3] for t in network.outputs]}


def rebuild(config, make_input, make_layer, fail):
    """(inputs, outputs) of the model `config` describes, its layers made by make_layer(item).

    Calls are replayed in rounds: a call runs once all its inputs exist (Keras does the
    same), so a config lists layers in any order. `fail(message)` returns the error to raise.
    """
    tensors = {}  # (layer name, node index, tensor index) -> KerasTensor
    pending = []
    for item in config["layers"]:
        if item["class_name"] == "InputLayer":
            tensors[(item["name"], 0, 0)] = make_input(item)
        else:
            layer = make_layer(item)
            pending += [(layer, i, call) for i, call in enumerate(item["inbound_nodes"])]
    while pending:
        ready = [p for p in pending if all(tuple(ref[:3]) in tensors for ref in p[2])]
        if not ready:
            layer, _, call = pending[0]
            raise fail(f"layer {layer.name!r} takes its input from {[r[0] for r in call]}, which "
                       "no layer or InputLayer in the config computes")
        for layer, i, call in ready:
            args = [tensors[tuple(ref[:3])] for ref in call]
            out = layer(args if len(args) > 1 or _takes_list(layer) else args[0])
            for j, tensor in enumerate(out if isinstance(out, list) else [out]):
                tensors[(layer.name, i, j)] = tensor
        pending = [p for p in pending if p not in ready]

    def lookup(refs, what):
        missing = [ref for ref in refs if tuple(ref[:3]) not in tensors]
        if missing:
            raise fail(f"the model's {what} {missing[0]!r:.80} are not in its config")
        return [tensors[tuple(ref[:3])] for ref in refs]
    return lookup(config["input_layers"], "inputs"), lookup(config["output_layers"], "outputs")


def _takes_list(layer):
    """Merge layers take a list even of one tensor (Keras' Concatenate needs two)."""
    return getattr(layer, "takes_list", False)


def legacy_functional(config):
    """A config in the format of passos before several inputs ('inbound': [name], 'output')
    written in Keras' format; a config in Keras' format is returned as it is."""
    if "output" not in config:
        return config
    layers = [dict(item, inbound_nodes=[[[name, 0, 0, {}] for name in item["inbound"]]]
                   if item["inbound"] else []) for item in config["layers"]]
    inputs = [[item["name"], 0, 0] for item in layers if item["class_name"] == "InputLayer"]
    return dict(config, layers=layers, input_layers=inputs, output_layers=[[config["output"], 0, 0]])
