"""Keras' masks: a (batch, steps) bool array that travels next to a value from layer to layer.

`Embedding(mask_zero=True)` and `Masking` make one (`compute_mask`); layers that declare
`supports_masking` pass it on, recurrent layers skip the masked steps, and any other layer
that is handed one refuses it, as Keras 2 does. Wiring a functional model finds, by tracing
`compute_mask` on placeholders, which KerasTensors carry a mask (`mask_shape`) and marks
those layer calls; replaying the model computes masks only for the marked calls, so models
without masks run exactly as before.
"""
import contextlib

import numpy as np

from ...core.apply import tracing
from ...graph.graph import Graph, Symbol, placeholder
from ...ops import arithmetic as ar, elementwise as el
from .node import KerasTensor, flat


def mask_error(layer, mask):
    """Keras' error for a mask handed to a layer without `supports_masking`."""
    shapes = [None if m is None else tuple(np.shape(m)) for m in flat(mask)]
    return TypeError(f"Layer {layer.name} does not support masking, but was passed an "
                     f"input_mask: mask of shape(s) {shapes}. A layer before it "
                     f"(Embedding(mask_zero=True), Masking) makes the mask; put a layer that "
                     f"consumes it (LSTM, GRU, SimpleRNN) in between, or drop the masking")


def none_given(mask):
    """True when `mask` is None or a list of Nones (a merge layer's unmasked inputs)."""
    return all(m is None for m in flat(mask))


def same_masks(a, b):
    """True when two mask arguments hold the same objects, or neither holds a mask."""
    if none_given(a) and none_given(b):
        return True
    return same_items(a, b)


def same_items(a, b):
    """True when `a` and `b` (each a value or a list) hold the very same objects in order."""
    a, b = flat(a), flat(b)
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


def wired_mask_shapes(layer, inputs, listed):
    """The mask shape (or None) of each output of `layer` called on KerasTensors `inputs`.

    compute_mask runs on placeholders, so a layer that cannot take the given mask raises
    Keras' error while the model is wired, before any data flows.
    """
    with Graph().as_default() as graph, tracing(graph):
        xs = [placeholder(t.dtype, t.shape, name=f"x{i}") for i, t in enumerate(inputs)]
        ms = [None if t.mask_shape is None else placeholder(bool, t.mask_shape, name=f"m{i}")
              for i, t in enumerate(inputs)]
        out = layer.compute_mask(xs if listed else xs[0], ms if listed else ms[0])
    return [None if m is None else tuple(m.shape) for m in flat(out)]


def masked_call(layer, x, mask, training):
    """(layer's output, its mask): the call, given `mask` when there is one, then compute_mask."""
    if isinstance(flat(x)[0], KerasTensor):
        return layer(x, training=training), None  # wiring: the masks are the KerasTensors'
    y = layer(x, training=training, mask=None if none_given(mask) else mask)
    graph = next((item.graph for item in flat(x) if isinstance(item, Symbol)), None)
    context = contextlib.nullcontext() if graph is None else tracing(graph)
    with context:
        return y, layer.compute_mask(x, mask)


def run_masked(node, values, masks, training):
    """Replay a marked layer call: its inputs and their masks from `values` and `masks` (by
    KerasTensor id); its outputs and their masks stored back."""
    args = [values[id(t)] for t in node.inputs]
    given = [masks.get(id(t)) for t in node.inputs]
    y, out = masked_call(node.layer, args if node.listed else args[0],
                         given if node.listed else given[0], training)
    ys = y if node.multiple else [y]
    outs = out if isinstance(out, list) else [out] * len(ys)
    for t, value, mask in zip(node.outputs, ys, outs):
        values[id(t)] = value
        if mask is not None:
            masks[id(t)] = mask


def all_of(masks):
    """The steps every mask keeps: the logical and of bool masks of one shape."""
    product = el.cast(masks[0], "float32")
    for m in masks[1:]:
        product = product * el.cast(m, "float32")
    return ar.not_equal(product, 0.0)
