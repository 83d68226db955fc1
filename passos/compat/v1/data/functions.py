"""Dataset.map and Dataset.filter: the user's function traced once into a graph of its own.

The function runs on placeholders shaped like one element, in a private Graph; each element
then runs that graph's compiled plan on NumPy values (one Python call per node).
"""
import numpy as np

from ....graph import Graph, Session, Symbol
from ....graph.graph import placeholder
from ..framework import convert_to_tensor
from .structure import flatten, pack


def _trace(dataset, function, who):
    """(structure returned, flat output symbols, a callable running them on flat arrays)."""
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
