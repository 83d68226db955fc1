"""A sub-graph: the nodes a branch or loop-body function built, run and differentiated alone.

`tf.cond`, `tf.case` and `tf.while_loop` call the user's functions while building,
so their nodes land in the graph; a `Subgraph` keeps those that the function's
outputs need, reads every other symbol they use as an external input, and runs
them node by node when the control-flow node decides to. Each run keeps every
value (and what each op saved), so `grads` can hand output gradients back through
the same vjps the rest of passos uses (`core.autodiff.walk`).
"""
import numpy as np

from ...core.autodiff import input_grads, walk
from ...graph import Symbol


class Subgraph:
    """The nodes since `start` that `outputs` (symbols) need, and the symbols they read."""

    def __init__(self, graph, start, outputs):
        made = {id(n) for n in graph.nodes[start:]}
        nodes, externals, stack, seen = [], {}, list(outputs), set()
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if id(node) not in made:
                externals[id(node)] = node
                continue
            nodes.append(node)
            stack.extend(x for x in node.inputs if isinstance(x, Symbol))
        self.nodes = sorted(nodes, key=lambda n: n.index)
        self.externals = sorted(externals.values(), key=lambda n: n.index)
        self.outputs = list(outputs)
        # control_dependencies leaves these alone: the control-flow node waits instead
        graph.front_ends.setdefault("subgraph nodes", set()).update(id(n) for n in nodes)

    def __setstate__(self, state):
        """Rebuilt from a meta graph: its nodes are again left alone by control_dependencies."""
        vars(self).update(state)
        if self.nodes:
            self.nodes[0].graph.front_ends.setdefault("subgraph nodes", set()).update(
                id(n) for n in self.nodes)

    def functions(self, session):
        """What each node calls in `session` (stateful ops bound to it, as plans do)."""
        return [None if n.primitive.offset is not None else n.primitive.bind(session, n) if n.primitive.bind
                else n.primitive.forward for n in self.nodes]

    def run(self, functions, values):
        """{id(node): its output slots} after running the nodes on the externals' `values`."""
        env = {id(x): [v] for x, v in zip(self.externals, values)}
        for node, function in zip(self.nodes, functions):
            if function is None:  # another node's extra output (or what it saved)
                env[id(node)] = [env[id(node.inputs[0])][node.primitive.offset]]
                continue
            result = function(*[env[id(x)][0] if isinstance(x, Symbol) else x
                                for x in node.inputs])
            env[id(node)] = list(result) if node.primitive.width > 1 else [result]
        return env

    def results(self, env):
        return [env[id(o)][0] for o in self.outputs]

    def grads(self, env, output_grads):
        """Gradients of the externals (None where none flows) given those of the outputs."""
        seeds = {}
        for out, g in zip(self.outputs, output_grads):
            if g is not None:
                seeds[id(out)] = g if id(out) not in seeds else seeds[id(out)] + g

        def step(node, g):
            op = node.primitive
            if not op.differentiable or op.offset is not None or id(node) not in env:
                return None
            xs = [env[id(x)][0] if isinstance(x, Symbol) else x for x in node.inputs]
            needs = tuple(isinstance(x, Symbol) and np.dtype(x.dtype).kind in "fc"
                          for x in node.inputs)
            slots = env[id(node)]
            gxs = input_grads(op, g, xs, slots[0], slots[1] if op.saves else None, needs)
            return [(x, gx) for x, gx in zip(node.inputs, gxs) if gx is not None]

        rest = walk(reversed(self.nodes), seeds, step)
        return [rest.get(id(x)) for x in self.externals]
