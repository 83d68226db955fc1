"""tf.data iterators: graph nodes whose per-session state is a running pipeline.

`get_next()` is a stateful source op: its `bind` gives each Session a function returning
that session's next element (all components from one call, so every fetch of one
`sess.run` sees the same element), raising `tf.errors.OutOfRangeError` at the end.
An initializer node (re)starts the pipeline from the values of the symbols it reads.
"""
import threading
import weakref

import numpy as np

from ....core.op import Op
from ....graph.graph import get_default_graph
from ....graph.session import required_nodes
from ....graph.sources import OutputOf, PlaceholderOp
from ..errors import FailedPreconditionError, OutOfRangeError
from .structure import (Structured, compatible, flatten, flatten_up_to, numpy_dtype, pack,
                        static_shape)


class _State:
    """The running pipeline of an iterator in each Session (weakly keyed: it goes with the session)."""

    def __init__(self):
        self.by_session = weakref.WeakKeyDictionary()
        self.lock = threading.Lock()  # sessions run from several threads share one pipeline

    def start(self, session, dataset, inputs, values):
        env = {id(x): v for x, v in zip(inputs, values)}
        self.by_session[session] = iter(dataset._elements(env))


class GetNextOp(Op):
    kind = "IteratorGetNext"
    differentiable = False

    def __init__(self, iterator):
        self.iterator = iterator
        self.width = len(iterator._specs)

    def shape(self, *shapes):
        return self.iterator._specs[0][0]

    def dtype(self, *dtypes):
        return self.iterator._specs[0][1]

    def bind(self, session, node):
        iterator, state = self.iterator, self.iterator._state
        single = self.width == 1

        def next_element(*values):
            with state.lock:
                if session not in state.by_session:
                    if iterator._dataset is None:
                        raise FailedPreconditionError(
                            "GetNext() failed because the iterator has not been initialized: "
                            "run its initializer (iterator.initializer or make_initializer's "
                            "node) first")
                    state.start(session, iterator._dataset, node.inputs, values)
                element = next(state.by_session[session], None)
            if element is None:
                raise OutOfRangeError(f"End of sequence (node '{node.node_name}')")
            return element[0] if single else element
        return next_element


class MakeIteratorOp(Op):
    """Start an iterator's pipeline over `dataset` in the running Session."""

    kind = "MakeIterator"
    differentiable = False

    def __init__(self, iterator, dataset):
        self.iterator, self.dataset = iterator, dataset

    def shape(self, *shapes):
        return ()

    def dtype(self, *dtypes):
        return np.dtype(bool)

    def bind(self, session, node):
        state, dataset = self.iterator._state, self.dataset

        def start(*values):
            with state.lock:
                state.start(session, dataset, node.inputs, values)
        return start


class Iterator(Structured):
    """Elements of a dataset, one per `sess.run` of `get_next()`."""

    def __init__(self, template, specs, dataset=None):
        self._template, self._specs, self._dataset = template, list(specs), dataset
        self._state = _State()
        self.initializer = None

    @classmethod
    def one_shot(cls, dataset):
        fed = [n.name for n in required_nodes(dataset._inputs) if isinstance(n.primitive, PlaceholderOp)]
        if fed:
            raise ValueError(f"make_one_shot_iterator: the dataset reads placeholders {fed}; "
                             "use make_initializable_iterator and feed them to its initializer")
        return cls(dataset._template, dataset._specs, dataset)

    @classmethod
    def initializable(cls, dataset):
        iterator = cls(dataset._template, dataset._specs)
        iterator.initializer = iterator.make_initializer(dataset)
        return iterator

    @staticmethod
    def from_structure(output_types, output_shapes=None, shared_name=None, output_classes=None):
        """An iterator for any dataset of this structure; start it with `make_initializer`."""
        types = flatten(output_types)
        shapes = [None] * len(types) if output_shapes is None else flatten_up_to(
            output_types, output_shapes, "Iterator.from_structure: output_shapes")
        specs = [(static_shape(s), numpy_dtype(t)) for s, t in zip(shapes, types)]
        return Iterator(pack(output_types, range(len(types))), specs)

    def make_initializer(self, dataset, name=None):
        """A node that (re)starts this iterator on `dataset`'s first element."""
        if len(dataset._specs) != len(self._specs) or any(
                d1 != d2 or not compatible(s1, s2)
                for (s1, d1), (s2, d2) in zip(dataset._specs, self._specs)):
            raise TypeError(f"make_initializer: the dataset's elements (types "
                            f"{dataset.output_types}, shapes {dataset.output_shapes}) do not "
                            f"match the iterator's (types {self.output_types}, shapes "
                            f"{self.output_shapes})")
        return get_default_graph().add_op(MakeIteratorOp(self, dataset), dataset._inputs,
                                          name=name or "MakeIterator")

    def get_next(self, name=None):
        """The next element's tensors, in the dataset's structure."""
        graph = get_default_graph()
        inputs = self._dataset._inputs if self._dataset is not None else []
        node = graph.add_op(GetNextOp(self), inputs, name=name or "IteratorGetNext")
        parts = [node] + [graph.add_op(OutputOf(i, s, d), [node], name=f"{node.node_name}:{i}")
                          for i, (s, d) in enumerate(self._specs[1:], 1)]
        return pack(self._template, parts)



def make_one_shot_iterator(dataset):
    return dataset.make_one_shot_iterator()


def make_initializable_iterator(dataset, shared_name=None):
    return dataset.make_initializable_iterator(shared_name)
