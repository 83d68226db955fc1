"""tf.train: TF1's optimizers over passos.optim's update rules, the global step, decays, Saver.

`minimize(loss)` adds the gradient nodes and one apply-gradients node, whose runs update the
variables' arrays in place. The optimizer's slots (moments, accumulators) are variables, as in
TF1 ('dense/kernel/Adam', 'beta1_power'; see slots.py): tf.train.Saver saves them, and
global_variables_initializer() resets them.

>>> import passos.compat.v1 as tf
>>> with tf.Graph().as_default():
...     w = tf.Variable(3.0)
...     step = tf.train.GradientDescentOptimizer(0.25).minimize(tf.square(w))
...     with tf.Session() as sess:
...         sess.run(tf.global_variables_initializer())
...         sess.run(step)
...         float(sess.run(w))
1.5
"""
import contextlib
import copy
import functools

import numpy as np

from ... import optim
from ...core.op import Op
from ...graph.gradients import gradients as _gradients
from ...graph.graph import Symbol, VariableSymbol, get_default_graph
from ...ops import arithmetic as ar, elementwise as el
from .framework import GraphKeys, add_to_collection, get_collection, name_scope, named, state
from .math_ops import floor as _floor
from .graph_io import write_graph
from .slots import SlotStore
from .meta_codec import storable
from .meta_graph import export_meta_graph, import_meta_graph  # noqa: F401
from .saver import (Saver, checkpoint_exists, get_checkpoint_state,  # noqa: F401
                    latest_checkpoint, list_variables, load_variable)
from .variables import get_variable, optimizer_states


def gradients(ys, xs, grad_ys=None, name="gradients", **ignored):
    """Symbols for d(sum of ys)/dx for each x in `xs` (a list; None where x does not reach ys)."""
    xs = list(xs) if isinstance(xs, (list, tuple)) else [xs]
    with name_scope(name):
        return list(_gradients(ys, xs, grad_ys))


class ApplyGradients(Op):
    """Graph node that hands the gradients to the update rule, which changes the variables in place."""

    kind = "apply_gradients"
    differentiable = False

    def __init__(self, optimizer, variables, global_step, learning_rate_fed, slots, non_slots):
        self.optimizer, self.variables = optimizer, variables
        self.global_step, self.learning_rate_fed = global_step, learning_rate_fed
        self.slots, self.non_slots = slots, non_slots  # [[(rule key, slot variable)]], [variable]

    def attrs(self):
        return {"optimizer": type(self.optimizer).__name__,
                "variables": [v.node_name for v in self.variables]}

    def shape(self, *shapes):
        return ()

    def dtype(self, *dtypes_):
        return np.dtype(bool)

    def bind(self, session, node):
        states, values = optimizer_states(session), session.variables
        variables, n, make = self.variables, len(self.variables), self.optimizer._rule
        global_step, lr_fed = self.global_step, self.learning_rate_fed
        slots, non_slots = self.slots, self.non_slots

        def read(v):
            try:
                return values[v]
            except KeyError:
                raise RuntimeError(f"variable '{v.name}' is not initialised in this Session: run "
                                   "tf.global_variables_initializer() first") from None

        def apply(*inputs):
            if node not in states:
                states[node] = (make(), [None] * n)
            rule, last = states[node]
            if lr_fed:
                rule.hyper["learning_rate"] = float(inputs[n])
            params = []
            for i, v in enumerate(variables):
                p = read(v)
                if p is not last[i]:  # a new array (assign, restore): its state moves with it
                    moved = None if last[i] is None else rule.slots.pop(id(last[i]), None)
                    rule.slots[id(p)] = rule.create_slots(p) if moved is None else moved
                    last[i] = p
                state = rule.slots[id(p)]
                for key, slot in slots[i]:  # the session's arrays: a restore or init replaces them
                    state[key] = read(slot)
                params.append(p)
            if non_slots:
                rule.non_slots = [read(x) for x in non_slots]
            rule.step(params, inputs[:n])
            if global_step is not None:
                step = read(global_step)
                step += 1
        return apply


def _graph_of(node):
    """Build in `node`'s graph (TF1 code may call minimize outside `with graph.as_default()`)."""
    graph = getattr(node, "graph", None)
    if graph is None or graph is get_default_graph():
        return contextlib.nullcontext()
    return graph.as_default()


@storable  # a meta graph stores the optimizers its apply-gradients nodes hold
class Optimizer:
    """Base of TF1's optimizers: compute_gradients, apply_gradients, minimize."""

    _learning_rate_tensor = None
    _make = None  # a subclass's passos.optim rule with its hyperparameters (see _uses)
    _slot_names = {}  # the rule's state keys kept as slot variables -> TF1's slot names
    _non_slots = ()   # (name, initial value) of the variables kept once per graph

    def __init__(self, use_locking=False, name=None):
        self._name = name or type(self).__name__.replace("Optimizer", "")
        self._slot_bases = {}  # rule key -> the slot variables' last name part, when not _name
        self._store = SlotStore()

    def _uses(self, rule, learning_rate, **hyper):
        """Update with passos.optim `rule`; learning_rate is a number or a tensor fed on each run."""
        if isinstance(learning_rate, Symbol):
            self._learning_rate_tensor, learning_rate = learning_rate, 0.0
        self._make = functools.partial(rule, learning_rate=float(learning_rate), **hyper)

    def _rule(self):
        if self._make is None:
            raise NotImplementedError(f"{type(self).__name__} has no update rule: its __init__ "
                                      "should call self._uses(rule, learning_rate, ...)")
        return self._make()

    def get_name(self):
        return self._name

    def _distributed(self, wrap):
        """A copy whose update rule is wrap(rule): passos.distributed.DistributedOptimizer's hook."""
        twin, make = copy.copy(self), self._rule
        twin._make = lambda: wrap(make())
        return twin

    def get_slot_names(self):
        """The names of the slots this optimizer made ('m', 'v' for Adam), sorted."""
        return self._store.slot_names()

    def get_slot(self, var, name):
        """The slot variable `name` of variable `var` ('m' of Adam ...), or None."""
        return self._store.get_slot(var, name)

    def variables(self):
        """The slot and non-slot variables this optimizer made in the default graph."""
        return self._store.variables(get_default_graph())

    def compute_gradients(self, loss, var_list=None, gate_gradients=1, aggregation_method=None,
                          colocate_gradients_with_ops=False, grad_loss=None):
        """[(gradient, variable)] for the trainable variables (or `var_list`); gradient None where unused."""
        if callable(loss) and not isinstance(loss, Symbol):
            loss = loss()
        with _graph_of(loss):
            variables = list(var_list) if var_list is not None else get_collection(
                GraphKeys.TRAINABLE_VARIABLES)
            if not variables:
                raise ValueError("No variables to optimize.")
            return list(zip(gradients(loss, variables, grad_ys=grad_loss), variables))

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """One operation that updates each variable from its gradient (and adds 1 to global_step)."""
        pairs = [(g, v) for g, v in grads_and_vars if g is not None]
        if not pairs:
            names = [v.name for _, v in grads_and_vars]
            raise ValueError(f"No gradients provided for any variable, check your graph for ops "
                             f"that do not support gradients, between variables {names} and loss.")
        for _, v in pairs:
            if not isinstance(v, VariableSymbol):
                raise TypeError(f"apply_gradients: '{getattr(v, 'name', v)}' is not a variable")
        rule = self._rule()  # hyperparameters outside their ranges fail now, as the graph is built
        graph = pairs[0][1].graph
        lr = self._learning_rate_tensor
        bases = {key: self._slot_bases.get(key, self._name) for key in self._slot_names}
        slots = [self._store.slots_of(v, rule, self._slot_names, bases) for _, v in pairs]
        non_slots = self._store.non_slots_of(graph, self._non_slots, pairs[0][1].dtype) \
            if self._non_slots else []
        op = ApplyGradients(self, [v for _, v in pairs], global_step, lr is not None, slots,
                            non_slots)
        with _graph_of(pairs[0][1]):
            node = graph.add_op(op, [g for g, _ in pairs] + ([lr] if lr is not None else []),
                                name=name or self._name)
            state(graph).optimizer_nodes.append(node)
            add_to_collection(GraphKeys.TRAIN_OP, node)
        return node

    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=1,
                 aggregation_method=None, colocate_gradients_with_ops=False, name=None,
                 grad_loss=None):
        """compute_gradients then apply_gradients: the training operation to run each step."""
        with _graph_of(loss):
            grads_and_vars = self.compute_gradients(loss, var_list, grad_loss=grad_loss)
            if all(g is None for g, _ in grads_and_vars):
                names = [v.name for _, v in grads_and_vars]
                raise ValueError(f"No gradients provided for any variable, check your graph for "
                                 f"ops that do not support gradients, between variables {names} "
                                 f"and loss '{getattr(loss, 'name', loss)}'.")
            return self.apply_gradients(grads_and_vars, global_step, name)


class GradientDescentOptimizer(Optimizer):
    """var -= learning_rate * grad."""

    def __init__(self, learning_rate, use_locking=False, name="GradientDescent"):
        super().__init__(use_locking, name)
        self._uses(optim.SGD, learning_rate)


class MomentumOptimizer(Optimizer):
    """accum = momentum * accum + grad; var -= lr * accum (Nesterov: var -= lr (grad + momentum accum))."""

    def __init__(self, learning_rate, momentum, use_locking=False, name="Momentum",
                 use_nesterov=False):
        super().__init__(use_locking, name)
        self._slot_names = {"velocity": "momentum"}
        self._uses(optim.SGD, learning_rate, momentum=float(momentum),
                   nesterov=bool(use_nesterov), momentum_of_gradients=True)


class AdamOptimizer(Optimizer):
    """m, v: moving averages of g, g²; var -= lr sqrt(1 - beta2^t) / (1 - beta1^t) m / (sqrt(v) + epsilon)."""

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8,
                 use_locking=False, name="Adam"):
        super().__init__(use_locking, name)
        self._slot_names = {"m": "m", "v": "v"}
        self._non_slots = (("beta1_power", float(beta1)), ("beta2_power", float(beta2)))
        self._uses(Adam, learning_rate, beta_1=float(beta1), beta_2=float(beta2),
                   epsilon=float(epsilon))


class Adam(optim.Adam):
    """TF1's Adam rule: the bias correction comes from beta1_power and beta2_power (the session's
    arrays, set in `non_slots` before each step and multiplied by the betas after it); named
    Adam, as its errors name it."""

    non_slots = None

    def bias_correction(self):
        beta1_power, beta2_power = self.non_slots
        return np.sqrt(1 - beta2_power) / (1 - beta1_power)

    def step(self, params, grads):
        super().step(params, grads)
        for power, beta in zip(self.non_slots, (self.hyper["beta_1"], self.hyper["beta_2"])):
            power *= beta


class RMSPropOptimizer(Optimizer):
    """ms = decay ms + (1 - decay) g² (ms starts at 1); mom = momentum mom + lr g / sqrt(ms + epsilon); var -= mom."""

    def __init__(self, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10, use_locking=False,
                 centered=False, name="RMSProp"):
        super().__init__(use_locking, name)
        self._slot_names = {"accumulator": "rms", "mean_grad": "mg", "moment": "momentum"}
        self._uses(optim.RMSprop, learning_rate, rho=float(decay), epsilon=float(epsilon),
                   momentum=float(momentum), centered=bool(centered), initial_accumulator_value=1.0,
                   epsilon_inside_sqrt=True)


class AdagradOptimizer(Optimizer):
    """accum += g² (starting at initial_accumulator_value); var -= lr g / sqrt(accum)."""

    def __init__(self, learning_rate, initial_accumulator_value=0.1, use_locking=False,
                 name="Adagrad"):
        super().__init__(use_locking, name)
        if initial_accumulator_value <= 0:
            raise ValueError(f"initial_accumulator_value must be positive: "
                             f"{initial_accumulator_value}")
        self._slot_names = {"accumulator": "accumulator"}
        self._uses(optim.Adagrad, learning_rate, epsilon=0.0,
                   initial_accumulator_value=float(initial_accumulator_value))


class AdadeltaOptimizer(Optimizer):
    """accum = rho accum + (1-rho) g²; u = sqrt(delta + eps) / sqrt(accum + eps) g; var -= lr u; delta = rho delta + (1-rho) u²."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-8, use_locking=False,
                 name="Adadelta"):
        super().__init__(use_locking, name)
        self._slot_names = {"accumulator": "accum", "delta": "accum_update"}
        self._uses(optim.Adadelta, learning_rate, rho=float(rho), epsilon=float(epsilon))


class FtrlOptimizer(Optimizer):
    """FTRL-Proximal: per coordinate, accum += g²; linear += g - (accum'^-p - accum^-p)/lr var;
    var = (sign(linear) l1 - linear) / (accum'^-p / lr + 2 l2) where |linear| > l1, else 0
    (p: learning_rate_power; with l2 shrinkage s, linear takes g + 2 s var instead of g)."""

    def __init__(self, learning_rate, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking=False, name="Ftrl", accum_name=None, linear_name=None,
                 l2_shrinkage_regularization_strength=0.0):
        super().__init__(use_locking, name)
        self._slot_names = {"accumulator": "accum", "linear": "linear"}
        self._slot_bases = {key: base for key, base in (("accumulator", accum_name),
                                                          ("linear", linear_name)) if base}
        self._uses(optim.Ftrl, learning_rate, learning_rate_power=float(learning_rate_power),
                   initial_accumulator_value=float(initial_accumulator_value),
                   l1_regularization_strength=float(l1_regularization_strength),
                   l2_regularization_strength=float(l2_regularization_strength),
                   l2_shrinkage_regularization_strength=float(
                       l2_shrinkage_regularization_strength))
        self._rule()  # TF1 checks the strengths and the power as the optimizer is made


def get_global_step(graph=None):
    """The graph's global step variable, or None."""
    found = (get_collection if graph is None else graph.get_collection)(GraphKeys.GLOBAL_STEP)
    return found[0] if found else None


def create_global_step(graph=None):
    """A new int64 variable 'global_step' (0), not trainable; apply_gradients(global_step=) adds 1."""
    graph = graph or get_default_graph()
    with graph.as_default():
        if get_global_step() is not None:
            raise ValueError("\"global_step\" already exists.")
        st = state()
        saved, st.var_scopes = st.var_scopes, []  # at the root scope, never 'scope/global_step'
        try:
            step = get_variable("global_step", initializer=np.int64(0), trainable=False)
        finally:
            st.var_scopes = saved
        add_to_collection(GraphKeys.GLOBAL_STEP, step)
    return step


def get_or_create_global_step(graph=None):
    """The graph's global step variable, created on first use."""
    graph = graph or get_default_graph()
    with graph.as_default():
        step = get_global_step()
        return step if step is not None else create_global_step(graph)


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """learning_rate * decay_rate ** (global_step / decay_steps) (floored with staircase=True)."""
    return named(name or "ExponentialDecay", lambda: ar.multiply(float(learning_rate), ar.power(
        float(decay_rate), _progress(global_step, decay_steps, staircase))))


def inverse_time_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                       name=None):
    """learning_rate / (1 + decay_rate * global_step / decay_steps)."""
    return named(name or "InverseTimeDecay", lambda: ar.divide(float(learning_rate), ar.add(
        1.0, ar.multiply(float(decay_rate), _progress(global_step, decay_steps, staircase)))))


def _progress(global_step, decay_steps, staircase):
    """global_step / decay_steps, floored with staircase=True."""
    p = ar.divide(el.cast(global_step, "float32"), float(decay_steps))
    return _floor(p) if staircase else p


__all__ = ["GradientDescentOptimizer", "MomentumOptimizer", "AdamOptimizer", "RMSPropOptimizer",
           "AdagradOptimizer", "AdadeltaOptimizer", "FtrlOptimizer", "Optimizer", "Saver",
           "get_global_step", "create_global_step", "get_or_create_global_step",
           "exponential_decay", "inverse_time_decay", "latest_checkpoint", "get_checkpoint_state", "checkpoint_exists",
           "write_graph", "list_variables", "load_variable", "export_meta_graph",
           "import_meta_graph"]


from .unsupported import module_getattr as _module_getattr  # noqa: E402 (TF1 names passos lacks)

__getattr__ = _module_getattr(__name__)
