"""Dataset.map and Dataset.filter: the user's function traced once into a graph of its own.

The function runs on placeholders shaped like one element, in a private Graph; each element
then runs that graph's compiled plan on NumPy values (one Python call per node).
"""
import itertools

import numpy as np

from ....graph import Graph, Session, Symbol
from ....graph.graph import placeholder
from ..framework import convert_to_tensor
from .structure import flatten, pack


def _call(dataset, function, who):
    """(graph, its placeholders for one element, what `function` returned on them)."""
    graph = Graph()
    with graph.as_default():
        inputs = [placeholder(d, s, name=f"arg{i}") for i, (s, d) in enumerate(dataset._specs)]
        element = pack(dataset._template, inputs)
        try:
            result = function(*element) if isinstance(element, tuple) else function(element)
        except (TypeError, ValueError) as error:
            raise type(error)(f"{who}: calling {getattr(function, '__name__', function)} on "
                              f"an element of types {dataset.output_types} and shapes "
                              f"{dataset.output_shapes} failed: {error}") from error
    return graph, inputs, result


def _trace(dataset, function, who):
    """(structure returned, flat output symbols, a callable running them on flat arrays)."""
    graph, inputs, result = _call(dataset, function, who)
    with graph.as_default():
        if isinstance(result, list):  # a list of tensors is returned as a tuple, as TF does
            result = tuple(result)
        outputs = [x if isinstance(x, Symbol) else convert_to_tensor(x) for x in flatten(result)]
    run = Session(graph).make_callable(outputs, inputs)
    return result, outputs, run


def map_dataset(dataset, function):
    result, outputs, run = _trace(dataset, function, "Dataset.map")

    def elements(env):
        for element in dataset._elements(env):
            yield [np.array(v) for v in run(*element)]
    template = pack(result, range(len(outputs)))
    specs = [(None if o.shape is None else tuple(o.shape), np.dtype(o.dtype)) for o in outputs]
    return dataset._derived(elements, template=template, specs=specs)


def filter_dataset(dataset, predicate):
    _, outputs, run = _trace(dataset, predicate, "Dataset.filter")
    if len(outputs) != 1 or outputs[0].dtype != np.bool_ or outputs[0].shape not in ((), None):
        raise ValueError(f"Dataset.filter: the predicate must return a scalar bool tensor, got "
                         f"{[(o.shape, str(o.dtype)) for o in outputs]}")

    def elements(env):
        for element in dataset._elements(env):
            if run(*element)[0]:
                yield element
    return dataset._derived(elements)


def flat_map_dataset(dataset, function, cycle_length=1, block_length=1):
    """The elements of the datasets `function(element)`, `cycle_length` of them interleaved
    `block_length` elements at a time (flat_map: one after another)."""
    graph, inputs, inner = _call(dataset, function, "Dataset.flat_map")
    if not hasattr(inner, "_elements"):
        raise TypeError(f"Dataset.flat_map: the function must return a Dataset, got "
                        f"{type(inner).__name__}")
    reads = inner._inputs
    run = Session(graph).make_callable(reads, inputs) if reads else (lambda *element: [])

    def opened(env):
        for element in dataset._elements(env):
            yield iter(inner._elements(dict(zip(map(id, reads), run(*element)))))

    def elements(env):
        # TensorFlow's order: a slot whose dataset ended is refilled when the cycle comes back
        sources, slots, more = opened(env), [None] * cycle_length, True
        while more or any(slots):
            for k in range(cycle_length):
                if slots[k] is None and more:
                    slots[k] = next(sources, None)
                    more = slots[k] is not None
                if slots[k] is not None:
                    block = list(itertools.islice(slots[k], block_length))
                    yield from block
                    if len(block) < block_length:
                        slots[k] = None
    return dataset._derived(elements, template=inner._template, specs=inner._specs)
