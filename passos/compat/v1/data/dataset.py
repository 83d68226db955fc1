"""tf.data.Dataset: a description of an input pipeline that sessions run on NumPy.

A dataset holds the structure and static (shape, dtype) of its elements, the graph symbols
it reads (placeholders fed when an iterator is initialised), and `_elements(env)`: a Python
generator of elements (flat lists of arrays) given `env`, the symbols' values plus the state
of one initialisation (shuffle's generator, cache's list).
"""
import itertools

import numpy as np

from ....graph import Symbol
from ....graph.graph import get_default_graph
from ....ops import random as passos_random
from ..framework import state
from . import batching, functions
from .iterator import Iterator
from .structure import (Structured, component, flatten, flatten_up_to, numpy_dtype, pack, spec,
                        static_shape)


class Dataset(Structured):
    """A pipeline of elements; build it with the class methods and the transformations."""

    def __init__(self, template, specs, inputs, elements):
        self._template, self._specs = template, list(specs)
        self._inputs = list({id(s): s for s in inputs}.values())
        self._elements = elements

    # -- sources ------------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors):
        """One element per row (axis 0) of `tensors` (an array, or a tuple or dict of them)."""
        leaves = [component(c, "Dataset.from_tensor_slices") for c in flatten(tensors)]
        specs = [spec(c) for c in leaves]
        if any(s == () for s, _ in specs):
            raise ValueError("Dataset.from_tensor_slices: every component needs an axis 0 to "
                             f"slice; got shapes {[s for s, _ in specs]}")
        rows = {s[0] for s, _ in specs if s is not None and s[0] is not None}
        if len(rows) > 1:
            raise ValueError("Dataset.from_tensor_slices: the components' first dimensions "
                             f"differ: shapes {[s for s, _ in specs]}")

        def elements(env):
            arrays = [env[id(c)] if isinstance(c, Symbol) else c for c in leaves]
            sizes = {len(a) for a in arrays}
            if len(sizes) > 1:
                raise ValueError("Dataset.from_tensor_slices: the components' first dimensions "
                                 f"differ: shapes {[np.shape(a) for a in arrays]}")
            for i in range(sizes.pop()):
                yield [np.array(a[i]) for a in arrays]
        specs = [(None if s is None else s[1:], d) for s, d in specs]
        return Dataset(_template(tensors), specs, [c for c in leaves if isinstance(c, Symbol)],
                       elements)

    @staticmethod
    def from_tensors(tensors):
        """A dataset of one element: `tensors` whole."""
        leaves = [component(c, "Dataset.from_tensors") for c in flatten(tensors)]

        def elements(env):
            yield [np.array(env[id(c)]) if isinstance(c, Symbol) else c.copy() for c in leaves]
        return Dataset(_template(tensors), [spec(c) for c in leaves],
                       [c for c in leaves if isinstance(c, Symbol)], elements)

    @staticmethod
    def range(*args, output_type=np.int64):
        """start, stop, step as Python's range; int64 scalars."""
        numbers, dtype = range(*args), numpy_dtype(output_type)

        def elements(env):
            for n in numbers:
                yield [np.array(n, dtype)]
        return Dataset(0, [((), dtype)], [], elements)

    @staticmethod
    def from_generator(generator, output_types, output_shapes=None, args=None):
        """Elements from calling `generator(*args)` anew for each pass."""
        types = flatten(output_types)
        shapes = [None] * len(types) if output_shapes is None else flatten_up_to(
            output_types, output_shapes, "Dataset.from_generator: output_shapes")
        dtypes = [numpy_dtype(t) for t in types]
        specs = [(static_shape(s), d) for s, d in zip(shapes, dtypes)]

        def elements(env):
            for value in generator(*(args or ())):
                yield [np.asarray(v, d) for v, d in zip(_flat_like(value, output_types), dtypes)]
        return Dataset(_template(output_types), specs, [], elements)

    @staticmethod
    def zip(datasets):
        """Elements side by side, as tuples (or dicts) of the datasets' elements."""
        parts = flatten(datasets)
        if not parts or not all(isinstance(d, Dataset) for d in parts):
            raise TypeError(f"Dataset.zip: expected a tuple of datasets, got {datasets!r:.80}")
        counts = [len(d._specs) for d in parts]

        def elements(env):
            for items in zip(*(d._elements(env) for d in parts)):
                yield [c for item in items for c in item]
        offsets = np.cumsum([0] + counts)
        template = pack(datasets, [_shift(d._template, int(o)) for d, o in zip(parts, offsets)])
        return Dataset(template, [s for d in parts for s in d._specs],
                       [x for d in parts for x in d._inputs], elements)

    # -- transformations ----------------------------------------------------------------------
    def _derived(self, elements, template=None, specs=None, inputs=()):
        return Dataset(self._template if template is None else template,
                       self._specs if specs is None else specs, [*self._inputs, *inputs], elements)

    def map(self, map_func, num_parallel_calls=None):
        """Elements `map_func(element)` (a tuple element is passed as separate arguments)."""
        return functions.map_dataset(self, map_func)

    def filter(self, predicate):
        """The elements for which `predicate(element)` (a scalar bool tensor) is true."""
        return functions.filter_dataset(self, predicate)

    def flat_map(self, map_func):
        """The elements of each dataset `map_func(element)`, one dataset after another."""
        return functions.flat_map_dataset(self, map_func)

    def interleave(self, map_func, cycle_length=None, block_length=None, num_parallel_calls=None):
        """flat_map taking `block_length` elements in turn from `cycle_length` open datasets."""
        return functions.flat_map_dataset(self, map_func, int(cycle_length or 1),
                                          int(block_length or 1))

    def apply(self, transformation_func):
        """`transformation_func(self)`: a reusable pipeline step."""
        return transformation_func(self)

    def enumerate(self, start=0):
        """(index, element) pairs, the index int64 from `start`."""
        return Dataset.zip((Dataset.range(start, 2**62), self))

    def unbatch(self):
        """Each element split along axis 0 into its rows."""
        if any(s == () for s, _ in self._specs):
            raise ValueError(f"Dataset.unbatch: scalar components cannot be split: shapes "
                             f"{self.output_shapes}")

        def elements(env):
            for element in self._elements(env):
                yield from ([np.array(c[i]) for c in element] for i in range(len(element[0])))
        return self._derived(elements, specs=[(None if s is None else s[1:], d)
                                              for s, d in self._specs])

    def batch(self, batch_size, drop_remainder=False):
        """Consecutive elements stacked along a new axis 0."""
        return batching.batch(self, batch_size, drop_remainder)

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False):
        """Batches of elements padded to `padded_shapes` (None or -1: the batch's longest)."""
        return batching.padded_batch(self, batch_size, padded_shapes, padding_values,
                                     drop_remainder)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True):
        """Elements drawn at random from a buffer of the next `buffer_size`.

        Without `seed`, the order follows tf.set_random_seed as TF1's does (else passos.random),
        so a seeded program shuffles the same way each run.
        """
        if seed is None:
            graph, graph_seed = get_default_graph(), state().seed
            seed = (int(passos_random.generator().integers(2**63)) if graph_seed is None
                    else (graph_seed, len(graph.nodes)))
        return batching.shuffle(self, buffer_size, seed, reshuffle_each_iteration)

    def repeat(self, count=None):
        """The elements `count` times over (forever when None or -1)."""
        forever = count is None or count == -1

        def elements(env):
            for _ in itertools.count() if forever else range(int(count)):
                yield from self._elements(env)
        return self._derived(elements)

    def take(self, count):
        """The first `count` elements (all when -1)."""
        return self._derived(lambda env: itertools.islice(
            self._elements(env), None if count == -1 else int(count)))

    def skip(self, count):
        """All but the first `count` elements (none when -1)."""
        if count == -1:
            return self._derived(lambda env: iter(()))
        return self._derived(lambda env: itertools.islice(self._elements(env), int(count), None))

    def prefetch(self, buffer_size):
        """The same elements (passos computes each when asked: nothing to overlap)."""
        return self

    def cache(self, filename=""):
        """The same elements, kept in memory after a first full pass (per initialisation)."""
        key = object()  # this cache's list in the state of one initialisation

        def elements(env):
            if key in env:
                yield from env[key]
                return
            kept = []
            for element in self._elements(env):
                kept.append(element)
                yield element
            env[key] = kept
        return self._derived(elements)

    def concatenate(self, dataset):
        """This dataset's elements, then `dataset`'s (the same structure)."""
        batching.check_same(self, dataset, "Dataset.concatenate")
        return self._derived(lambda env: itertools.chain(self._elements(env),
                                                         dataset._elements(env)),
                             inputs=dataset._inputs)

    # -- TF1 properties and iterators ---------------------------------------------------------

    def make_one_shot_iterator(self):
        """An iterator that starts at its first run (the pipeline may not read placeholders)."""
        return Iterator.one_shot(self)

    def make_initializable_iterator(self, shared_name=None):
        """An iterator started (and restarted) by running its `initializer`."""
        return Iterator.initializable(self)


def _template(structure):
    """`structure` with its leaves numbered 0, 1, ... (the template `pack` rebuilds)."""
    return pack(structure, range(len(flatten(structure))))


def _shift(template, offset):
    return pack(template, [i + offset for i in flatten(template)])


def _flat_like(value, types):
    """A generator's value flattened as `types` is (a list counts as a tuple here)."""
    if isinstance(types, tuple) and isinstance(value, list):
        value = tuple(value)
    flat = flatten(value)
    if len(flat) != len(flatten(types)):
        raise ValueError(f"Dataset.from_generator: the generator yielded {value!r:.80}, not "
                         f"the structure of output_types {types}")
    return flat
