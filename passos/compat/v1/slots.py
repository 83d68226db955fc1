"""Optimizer slots kept as TF1 keeps them: variables, so tf.train.Saver saves and restores them.

Beside each trained variable, one variable per slot of the update rule ('dense/kernel/Adam' and
'dense/kernel/Adam_1' for Adam's m and v), and per graph the optimizer's non-slot variables
('beta1_power'); all are global, not trainable, and set by global_variables_initializer. A
variable whose shape is not fully known gets no slot variables: its slots live in the session.
"""
import weakref

import numpy as np

from ...core.op import Op
from ...graph import graph as passos_graph


class _Fill(Op):
    """A slot's initial value: `shape` filled with `value` (a new array at each initialisation)."""

    kind = "slot_initial_value"
    differentiable = False

    def __init__(self, shape, dtype, value):
        self.target, self.to, self.value = shape, np.dtype(dtype), value

    def attrs(self):
        return {"shape": self.target, "value": float(self.value)}

    def forward(self):
        return np.full(self.target, self.value, self.to)

    def shape(self):
        return self.target

    def dtype(self):
        return self.to


def _variable(graph, name, shape, dtype, value):
    """A new global, non-trainable variable named `name` (made unique), filled with `value`."""
    with graph.absolute_name_scope(f"{name}/Initializer/"):
        initial = graph.add_op(_Fill(shape, dtype, value), [], name="fill")
    with graph.absolute_name_scope(""):
        return passos_graph.Variable(initial, name=name, trainable=False)


class SlotStore:
    """An optimizer's slot and non-slot variables, made on first use and shared afterwards, as
    TF1's Optimizer shares them between its apply_gradients calls."""

    def __init__(self):
        # per graph (variables compare with ==, a graph op in TF1; the graph keeps them alive)
        self.slots = weakref.WeakKeyDictionary()      # graph -> {id(variable): {slot name: var}}
        self.non_slots = weakref.WeakKeyDictionary()  # graph -> [non-slot variables]

    def __getstate__(self):
        """Nothing to store (a meta graph's apply-gradients nodes name their slot variables):
        the store is a cache of variables made per graph, empty again in a new graph."""
        return {}

    def __setstate__(self, state):
        self.__init__()

    def slots_of(self, variable, rule, names, bases):
        """[(rule's state key, slot variable)] of `variable`: one per key of `names` ({rule key:
        TF1 slot name}) that the rule keeps; each named 'variable/base' (base: `bases`[key])."""
        if variable.shape is None or None in variable.shape:
            return []
        made = self.slots.setdefault(variable.graph, {}).setdefault(id(variable), {})
        found = []
        probe = rule.create_slots(np.zeros(1, variable.dtype))  # each slot starts as a fill
        for key, array in probe.items():
            if key not in names:
                continue  # a scratch buffer, not state
            if names[key] not in made:
                made[names[key]] = _variable(variable.graph, f"{variable.node_name}/{bases[key]}",
                                             variable.shape, variable.dtype, array.flat[0])
            found.append((key, made[names[key]]))
        return found

    def non_slots_of(self, graph, specs, dtype):
        """The variables [(name, initial value)] of `specs` in `graph`: scalars of `dtype` (the
        first trained variable's; TF1's are float32 whatever the variables)."""
        if graph not in self.non_slots:
            self.non_slots[graph] = [_variable(graph, name, (), dtype, value)
                                     for name, value in specs]
        return self.non_slots[graph]

    def get_slot(self, variable, name):
        return self.slots.get(variable.graph, {}).get(id(variable), {}).get(name)

    def slot_names(self):
        return sorted({name for per_graph in self.slots.values() for made in per_graph.values()
                       for name in made})

    def variables(self, graph):
        """Every slot and non-slot variable made in `graph`, in creation order."""
        found = {id(v) for made in self.slots.get(graph, {}).values() for v in made.values()}
        found.update(id(v) for v in self.non_slots.get(graph, []))
        return [v for v in graph.variables if id(v) in found]
