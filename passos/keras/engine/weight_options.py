"""Keras' regularizer and constraint arguments of a layer (kernel_regularizer, bias_constraint,
activity_regularizer ...), taken, attached to the weights they name, and saved in the config.

A layer class lists the options it takes in `weight_options`, e.g. ("kernel", "bias",
"activity"): each weight prefix gives `<prefix>_regularizer` and `<prefix>_constraint`,
"activity" gives `activity_regularizer`. Layers that list none pay nothing.
"""
from .. import constraints, regularizers

# the weight each option prefix names, where it is not the prefix itself
_WEIGHT = {"recurrent": "recurrent_kernel", "depthwise": "depthwise_kernel",
           "pointwise": "pointwise_kernel"}


def _arguments(prefixes):
    """(argument name, module) for each option of a layer listing `prefixes`."""
    for prefix in prefixes:
        if prefix == "activity":
            yield "activity_regularizer", regularizers
        else:
            yield f"{prefix}_regularizer", regularizers
            yield f"{prefix}_constraint", constraints


def take(layer, kwargs, label):
    """Pop the layer's options from kwargs into attributes of the same name (None when unset)."""
    layer.activity_regularizer = None
    for name, module in _arguments(type(layer).weight_options):
        try:
            setattr(layer, name, module.get(kwargs.pop(name, None)))
        except (ValueError, TypeError) as error:
            raise ValueError(f"{label} argument {name}: {error}") from None


def attach(layer, weight, name, regularizer, constraint):
    """Record the weight's regularizer and constraint: add_weight's own, else the layer's option."""
    prefix = next((p for p in type(layer).weight_options if _WEIGHT.get(p, p) == name), None)
    if prefix is not None:
        regularizer = regularizer or getattr(layer, f"{prefix}_regularizer")
        constraint = constraint or getattr(layer, f"{prefix}_constraint")
    if regularizer is not None:
        layer._penalized.append((weight, regularizers.get(regularizer)))
    if constraint is not None:
        layer._constraints.append((weight, constraints.get(constraint)))


def config(layer):
    """The options as Keras saves them (serialized, None when unset)."""
    return {name: module.serialize(getattr(layer, name))
            for name, module in _arguments(type(layer).weight_options)}
