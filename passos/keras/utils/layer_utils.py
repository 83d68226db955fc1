"""`print_summary`: a model's layers, output shapes and parameter counts, laid out as Keras 2 prints.

A model whose layers form a chain prints three columns in 65 characters; one with merges,
several inputs or outputs, or a layer used twice prints a fourth, 'Connected to', in 98.
Each field is cut to its column, and the last character before the next column is always a
space, so a long name reads `max_pooling2d_1 (MaxPooling2 (None, 14, 14, 32)` as in Keras.
"""
from html import escape

import numpy as np

TOTALS = ("Total params", "Trainable params", "Non-trainable params")


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


def summary_table(model):
    """(header, groups, totals, chain): the summary's column names; per layer, its rows (the
    fields, then one row per further 'Connected to' source); (total, trainable, non-trainable)
    parameter counts; whether the layers form one chain (three columns, else four)."""
    nodes = calls(model)
    chain = _is_chain(model, nodes)
    header = ["Layer (type)", "Output Shape", "Param #"] + ([] if chain else ["Connected to"])
    if chain:
        layers = [layer for layer, _, _ in nodes] or list(model.layers)
        links = {}
    else:
        layers = list({id(layer): layer for layer, _, _ in nodes}.values())
        links = _connections(nodes)
    groups = []
    for layer in layers:
        fields = [f"{layer.name} ({type(layer).__name__})", _shape_text(layer), layer.count_params()]
        sources = links.get(id(layer)) or [""]
        groups.append([fields + ([] if chain else sources[:1])]
                      + [["", "", "", source] for source in sources[1:]])
    trainable, other = _count(model.trainable_weights), _count(model.non_trainable_weights)
    return header, groups, (trainable + other, trainable, other), chain


def print_summary(model, line_length=None, positions=None, print_fn=None):
    """Print `model`'s summary line by line through `print_fn` (default print).

    `positions` are the columns' right ends, as fractions of `line_length` (when all <= 1)
    or in characters.
    """
    print_fn = print if print_fn is None else print_fn
    header, groups, totals, chain = summary_table(model)
    line_length = line_length or (65 if chain else 98)
    positions = list(positions or ([.45, .85, 1.] if chain else [.33, .55, .67, 1.]))
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    print_fn("_" * line_length)
    print_fn(_row(header, positions))
    print_fn("=" * line_length)
    for i, rows in enumerate(groups):
        for row in rows:
            print_fn(_row(row, positions))
        print_fn(("=" if i == len(groups) - 1 else "_") * line_length)
    for words, count in zip(TOTALS, totals):
        print_fn(f"{words}: {count:,}")
    print_fn("_" * line_length)


def summary_html(model):
    """The summary as an HTML table (Model._repr_html_): the same rows and totals as print_summary."""
    header, groups, totals, _ = summary_table(model)
    cell = "padding: 1px 10px; text-align: left"
    head = "".join(f'<th style="{cell}">{escape(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(f'<td style="{cell}">{escape(str(f))}</td>' for f in row) + "</tr>"
                   for rows in groups for row in rows)
    foot = "<br>".join(f"{words}: {count:,}" for words, count in zip(TOTALS, totals))
    return (f'<div class="passos-summary"><p>Model: {escape(model.name)}</p><table><thead><tr>'
            f"{head}</tr></thead><tbody>{body}</tbody></table><p>{foot}</p></div>")
