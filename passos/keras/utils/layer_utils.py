"""`print_summary`: a model's layers, output shapes and parameter counts, laid out as Keras 2 prints.

A model whose layers form a chain prints three columns in 65 characters; one with merges,
several inputs or outputs, or a layer used twice prints a fourth, 'Connected to', in 98.
Each field is cut to its column, and the last character before the next column is always a
space, so a long name reads `max_pooling2d_1 (MaxPooling2 (None, 14, 14, 32)` as in Keras.
"""
import numpy as np


def _row(fields, positions):
    """One line: field i fills the columns up to positions[i], cut if longer."""
    line = ""
    for field, end in zip(fields, positions):
        if line:
            line = line[:-1] + " "  # columns never touch
        line = (line + str(field))[:end]
        line += " " * (end - len(line))
    return line


def _shape_text(layer):
    """A layer's output shape as Keras prints it, (None, 28, 28, 32), a list of those for
    several outputs, or 'multiple'."""
    shape = getattr(layer, "output_shape_built", None)
    if shape is None and type(layer).__name__ == "InputLayer":
        shape = layer.batch_input_shape
    return shape_text(shape)


def shape_text(shape):
    """(None, 28, 28, 32); [(None, 8), (None, 8)] for several outputs; None: 'multiple'."""
    if shape is None:
        return "multiple"
    if isinstance(shape, list):
        return str([_as_shape(s) for s in shape])
    return str(_as_shape(shape))


def _as_shape(shape):
    return tuple(None if d is None else int(d) for d in shape)


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def calls(model):
    """[(layer, inbound KerasTensors, output KerasTensors)] of each layer call of a functional
    model, inputs first, one entry per call however many outputs it has.

    Input tensors come as (their InputLayer, [], (tensor,)). Empty for a Sequential model or
    one not wired from Input(...).
    """
    if type(model).__name__ == "Sequential" or getattr(model, "outputs", None) is None:
        return []
    order, seen = [], set()

    def visit(tensor):
        call = tensor.node if tensor.node is not None else tensor
        if id(call) in seen:
            return
        seen.add(id(call))
        for inbound in tensor.inputs:
            visit(inbound)
        layer = tensor.layer or getattr(tensor, "input_layer", None)
        if layer is not None:
            outputs = tensor.node.outputs if tensor.node is not None else (tensor,)
            order.append((layer, list(tensor.inputs), outputs))

    for output in _as_list(model.outputs):
        visit(output)
    return order


def _is_chain(model, nodes):
    """True when the layers form one chain: Keras' three-column layout."""
    if not nodes:
        return True
    layers = [layer for layer, _, _ in nodes]
    consumed = [id(t) for _, inbound, _ in nodes for t in inbound]
    return (len(_as_list(model.inputs)) == 1 and len(_as_list(model.outputs)) == 1
            and all(len(inbound) <= 1 for _, inbound, _ in nodes)
            and len({id(layer) for layer in layers}) == len(layers)
            and len(set(consumed)) == len(consumed))


def _connections(nodes):
    """{id(layer): ['dense_1[0][0]', ...]}: who feeds each layer, with node and tensor index."""
    produced, count = {}, {}
    for layer, _, outputs in nodes:
        for i, tensor in enumerate(outputs):
            produced[id(tensor)] = f"{layer.name}[{count.get(id(layer), 0)}][{i}]"
        count[id(layer)] = count.get(id(layer), 0) + 1
    links = {}
    for layer, inbound, _ in nodes:
        links.setdefault(id(layer), []).extend(produced[id(t)] for t in inbound
                                               if id(t) in produced)
    return links


def _count(weights):
    return int(sum(int(np.prod(w.shape)) for w in {id(w): w for w in weights}.values()))


def print_summary(model, line_length=None, positions=None, print_fn=None):
    """Print `model`'s summary line by line through `print_fn` (default print).

    `positions` are the columns' right ends, as fractions of `line_length` (when all <= 1)
    or in characters.
    """
    print_fn = print if print_fn is None else print_fn
    nodes = calls(model)
    chain = _is_chain(model, nodes)
    line_length = line_length or (65 if chain else 98)
    positions = list(positions or ([.45, .85, 1.] if chain else [.33, .55, .67, 1.]))
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    header = ["Layer (type)", "Output Shape", "Param #"] + ([] if chain else ["Connected to"])
    if chain:
        layers = [layer for layer, _, _ in nodes] or list(model.layers)
        links = {}
    else:
        layers = list({id(layer): layer for layer, _, _ in nodes}.values())
        links = _connections(nodes)
    print_fn("_" * line_length)
    print_fn(_row(header, positions))
    print_fn("=" * line_length)
    for i, layer in enumerate(layers):
        fields = [f"{layer.name} ({type(layer).__name__})", _shape_text(layer), layer.count_params()]
        sources = links.get(id(layer)) or [""]
        print_fn(_row(fields + ([] if chain else sources[:1]), positions))
        for source in sources[1:]:
            print_fn(_row(["", "", "", source], positions))
        print_fn(("=" if i == len(layers) - 1 else "_") * line_length)
    trainable, other = _count(model.trainable_weights), _count(model.non_trainable_weights)
    print_fn(f"Total params: {trainable + other:,}")
    print_fn(f"Trainable params: {trainable:,}")
    print_fn(f"Non-trainable params: {other:,}")
    print_fn("_" * line_length)
