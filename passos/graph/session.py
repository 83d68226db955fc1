"""`Session`: runs graphs through compiled execution plans and holds variables' values.

A plan is compiled once per distinct (fetches, fed symbols) pair: the nodes
the fetches need, in order, with chains of primitives fused (rewrite.py),
each bound to one function and to numbered slots, so a step costs one
Python call per node and nothing more. Plans with convolutions or pooling run
inside `compute_threads()`, as Keras fit does.

Hook: `observers` holds functions `(plan, feeds)` called as each plan run starts;
each returns None or a callback `(node, input values, result)` told of every step
of that run. Debug tools (`passos.debug.check_numerics`) check values this way,
in the same loop as every run; with none set, a step pays one `is None` test.
"""
import functools

import numpy as np

from ..core.autodiff import input_grads
from ..core.apply import _explain_failure, out_of_memory
from ..arguments import numeric_array
from ..core.shapes import describe
from ..kernels import schedule
from ..kernels.threads import compute_threads
from .gradients import VjpOp
from .rewrite import fuse
from .graph import Symbol, get_default_graph
from .sources import AssignOp, CaptureOp, VariableOp

observers = []  # functions (plan, feeds) -> None or a step callback (node, args, result)


def required_nodes(fetches, fed=()):
    """The nodes that computing `fetches` needs, in creation (topological) order.

    The walk stops at fed symbols (`fed` holds their ids): their inputs are not needed.
    """
    needed, stack = {}, list(fetches)
    while stack:
        node = stack.pop()
        if id(node) in needed:
            continue
        needed[id(node)] = node
        if id(node) not in fed:
            stack.extend(x for x in node.inputs if isinstance(x, Symbol))
    return sorted(needed.values(), key=lambda n: n.index)


# plans with these ops (milliseconds a step) gain from compute_threads: BLAS on one thread,
# the ops split over the cores. Its setup and BLAS's switch cost 0.2-0.6 ms a run, as much
# as a whole step of a small product-only graph, which keeps BLAS's own threads instead.


def _width(op):
    """How many slots an op's run fills: its outputs (and what it saves for its gradient)."""
    return op.width


class Plan:
    """The flat list of calls that computes `fetches` from the fed symbols."""

    def __init__(self, session, fetches, fed):
        # 1. the nodes the fetches need, stopping at fed symbols, in creation order
        order = required_nodes(fetches, fed)
        # 2. chains of primitives swapped for fused ops (the plan's own nodes; the graph stays)
        order, replaced, self.origins = fuse(order, fetches, fed)
        # 3. one slot per value (two for ops that save residuals); constants pre-filled
        slots, template = {}, []
        for node in order:
            offset = node.primitive.offset  # another node's extra output
            if offset is not None and id(node) not in fed:
                slots[id(node)] = slots[id(node.inputs[0])] + offset
                continue
            slots[id(node)] = len(template)
            template.extend([None] * _width(node.primitive))
        slots.update((key, slots[id(node)]) for key, node in replaced.items())
        # 4. one step per computed node: (function, input slots, first output slot, width, node)
        steps = []
        for node in order:
            if id(node) in fed or node.primitive.offset is not None:
                continue
            inputs = []
            for x in node.inputs:
                if isinstance(x, Symbol):
                    inputs.append(slots[id(x)])
                else:
                    inputs.append(len(template))
                    template.append(x)
            bind = node.primitive.bind
            function = bind(session, node) if bind else _scheduled(node.primitive)
            steps.append((function, tuple(inputs), slots[id(node)], _width(node.primitive), node))
        self.template = template
        self.steps = steps
        self.feed_slots = [(key, slots[key]) for key in fed if key in slots]
        self.fed_nodes = [node for node in order if id(node) in fed]
        self.fetch_slots = [slots[id(f)] for f in fetches]
        # fetched values may alias state that later updates change in place
        self.nodes = order  # what runs, fused
        self.computes = any(_computes(n.primitive) for n in order)
        self.writes = any(isinstance(n.primitive, (AssignOp, VariableOp, CaptureOp)) for n in order)
        self.captured = [n.primitive.tensor for n in order if isinstance(n.primitive, CaptureOp)]

    def origin_of(self, node):
        """(Keras layer name(s) or None, whether the node computes a gradient)."""
        return self.origins.get(id(node)) or node.graph.origin_of(node)

    def run(self, feeds):
        """Fetched values, given {id(symbol): array} for the fed symbols."""
        observe = _observer(self, feeds) if observers else None
        values = self.template.copy()
        for key, slot in self.feed_slots:
            values[slot] = feeds[key]
        step = None
        try:
            for step in self.steps:
                function, inputs, out, width, node = step
                args = [values[i] for i in inputs]
                result = function(*args)
                if width == 1:
                    values[out] = result
                else:
                    values[out:out + width] = result
                if observe is not None:
                    observe(node, args, result)
        except (ValueError, IndexError, TypeError, MemoryError) as error:
            raise _failed(step, values, error, self) from error
        return [schedule.whole(values[slot]) for slot in self.fetch_slots]


def _observer(plan, feeds):
    """One step callback for this run of `plan`: those the run observers return, or None."""
    calls = [c for c in (start(plan, feeds) for start in observers) if c is not None]
    return (lambda *step: [call(*step) for call in calls]) if calls else None


def _computes(op):
    """Whether `op` (or a VjpOp's op) calls BLAS or may split: it runs inside compute_threads."""
    op = op.op if isinstance(op, VjpOp) else op
    return bool(op.batch_inputs or op.split_grads or op.calls_blas)


def _scheduled(op):
    """What a plan step calls to run `op` (or the vjp of a VjpOp's op): split over the
    compute threads where the op declares it can be (kernels/schedule.py)."""
    if isinstance(op, VjpOp):
        inner = op.op
        if inner.batch_inputs or inner.split_grads:
            return schedule.vjp(inner, op.needs, functools.partial(input_grads, inner))
        return op.forward
    return schedule.forward(op) if op.batch_inputs else op.forward


def _failed(step, values, error, plan):
    """The error to raise when the node of `step` failed: it names the node (and layer)."""
    node = step[4]
    args = [values[i] for i in step[1]]
    if isinstance(error, MemoryError):
        return out_of_memory(error, node.primitive.kind, args, node.name, plan.origin_of(node)[0])
    explained = _explain_failure(node.primitive, args, error)
    return type(explained)(f"while running node '{node.name}': {explained}")


class Session:
    """Runs nodes of one graph; holds the values of its variables.

    Threads may call run() at once: each run keeps its values to itself (variables'
    assignments still race, as in TensorFlow).

    >>> import passos.graph as g
    >>> graph = g.Graph()
    >>> with graph.as_default():
    ...     x = g.placeholder("float32", (None, 2), name="x")
    ...     y = (x * 2).sum()
    >>> g.Session(graph).run(y, {x: [[1, 2]]})
    np.float32(6.0)
    """

    def __init__(self, graph=None):
        self.graph = graph or get_default_graph()
        self.variables = {}
        self._plans = {}
        self.closed = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.closed = True
        self.variables.clear()
        self._plans.clear()

    def run(self, fetches, feed_dict=None):
        """Compute `fetches` (a symbol, or a list, tuple or dict of them, nested) given feeds."""
        if self.closed:
            raise RuntimeError("Session.run(): this session is closed")
        flat = []
        structure = self._flatten(fetches, flat)
        feeds = self._check_feeds(feed_dict or {})
        key = (tuple(id(f) for f in flat), frozenset(feeds))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = Plan(self, flat, feeds)
        return self._rebuild(structure, iter(self._run_plan(plan, feeds)))

    def make_callable(self, fetches, feed_list=()):
        """A function of the values of `feed_list` that returns the flat list of `fetches`.

        The plan is compiled once, and each call skips run()'s parsing of
        fetches and feed_dict: the per-step path of a training loop.
        """
        flat = []
        self._flatten(list(fetches), flat)
        nodes = [self.graph.get_tensor_by_name(n) if isinstance(n, str) else n for n in feed_list]
        keys = [id(n) for n in nodes]
        plan = Plan(self, flat, {k: None for k in keys})

        def call(*values):
            if self.closed:
                raise RuntimeError("Session: this session is closed")
            feeds = {k: _feed_value(n, v) for k, n, v in zip(keys, nodes, values)}
            return self._run_plan(plan, feeds)
        call.plan = plan  # its `nodes` say what runs
        return call

    def _run_plan(self, plan, feeds):
        # BLAS on one thread, large ops split over the cores
        if plan.computes:
            with compute_threads():
                values = plan.run(feeds)
        else:
            values = plan.run(feeds)
        if plan.writes:
            live = [*self.variables.values(), *(t.data for t in plan.captured)]
            values = [_detached(v, live) for v in values]
        return values

    def _flatten(self, fetches, flat):
        if isinstance(fetches, (list, tuple)):
            return type(fetches), [self._flatten(f, flat) for f in fetches]
        if isinstance(fetches, dict):
            return dict, {k: self._flatten(v, flat) for k, v in fetches.items()}
        if isinstance(fetches, str):
            fetches = self.graph.get_tensor_by_name(fetches)
        to_run = getattr(fetches, "graph_node_to_run", None)  # a front end's operation (TF1)
        if to_run is not None:
            self._flatten(to_run, flat)
            return _RUN_ONLY
        if not isinstance(fetches, Symbol):
            raise TypeError(f"Session.run(): cannot fetch {type(fetches).__name__} "
                            f"{fetches!r:.60}; fetch graph symbols (or lists/dicts of them)")
        if fetches.graph is not self.graph:
            raise ValueError(f"Session.run(): '{fetches.name}' belongs to another Graph "
                             "than this Session's")
        flat.append(fetches)
        return None

    def _rebuild(self, structure, values):
        if structure is _RUN_ONLY:
            next(values)
            return None
        if structure is None:
            value = next(values)
            return value[()] if isinstance(value, np.ndarray) and value.ndim == 0 else value
        kind, parts = structure
        if kind is dict:
            return {k: self._rebuild(v, values) for k, v in parts.items()}
        items = [self._rebuild(p, values) for p in parts]
        return kind(*items) if hasattr(kind, "_fields") else kind(items)  # namedtuples: fields

    def _check_feeds(self, feed_dict):
        feeds = {}
        for node, value in feed_dict.items():
            if isinstance(node, str):
                node = self.graph.get_tensor_by_name(node)
            if not isinstance(node, Symbol) or node.graph is not self.graph:
                raise TypeError(f"feed_dict: keys must be symbols of this Session's graph, "
                                f"got {node!r:.60}")
            feeds[id(node)] = _feed_value(node, value)
        return feeds


_RUN_ONLY = "run only"  # a fetched operation: run, and give None in its place


def _detached(value, live):
    """A fetched array that no later in-place update of `live` state can change."""
    if not isinstance(value, np.ndarray):
        return value
    if value.base is None and not any(value is v for v in live):
        return value  # an op's fresh result owns its memory
    if any(np.may_share_memory(value, v) for v in live):
        return value.copy()
    return value


def _feed_value(node, value):
    """`value` converted to the placeholder's dtype, after checking dtype and shape."""
    array = numeric_array(getattr(value, "data", value), "feed_dict",
                          f"the value fed to placeholder '{node.node_name}'")
    target = node.dtype
    if array.dtype.kind == "f" and target.kind in "iub":
        raise TypeError(f"feed_dict: placeholder '{node.node_name}' has dtype {target}; cannot "
                        f"feed values of dtype {array.dtype}")
    array = array.astype(target, copy=False)
    shape = node.shape
    if shape is not None and (array.ndim != len(shape) or any(
            d is not None and d != a for d, a in zip(shape, array.shape))):
        raise ValueError(f"feed_dict: placeholder '{node.node_name}' has shape {describe(shape)}; "
                         f"cannot feed a value of shape {describe(array.shape)}")
    return array
