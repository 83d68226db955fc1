"""Compiled execution plans for a Keras model: train, test and predict.

Each plan traces the model once into a passos graph (weights are captured eager
tensors, shared by every plan and eager call), adds the loss, metrics and the
optimizer's update, and runs one Session plan per step: one Python call per node.
Every plan also runs the state updates its trace recorded (`layer.add_update`):
BatchNormalization's moving averages while training, a stateful RNN's final states
in all three kinds.
"""
import itertools
import threading

import numpy as np

from ...core.apply import tracing
from ...core.op import Op
from ...core.shapes import describe
from ...debug import numerics
from ...graph.gradients import gradients
from ...graph.graph import Graph, placeholder
from ...graph.session import Session
from ...ops import arithmetic as ar, elementwise as el, reduce as rd
from .. import losses
from .base_layer import call_layer
from .layer_losses import layer_losses

# Tracing writes to the layers (their update lists, lazily built state): one trace at a time
_tracing = threading.Lock()
_steps = itertools.count()  # numbers training steps, so the latest one can be found


class ApplyOptimizer(Op):
    """Graph node that hands the gradients to the optimizer, which updates the weights in place."""

    kind = "apply_gradients"
    differentiable = False

    def __init__(self, optimizer, weights, scaled=False, constraints=()):
        self.optimizer = optimizer
        self.weights = weights
        self.scaled = scaled  # gradients arrive multiplied by the learning rate
        self.constraints = constraints  # (weight, constraint) to project after each step

    def attrs(self):
        return {"optimizer": type(self.optimizer).__name__}

    def shape(self, *shapes):
        return ()

    def dtype(self, *dtypes):
        return np.dtype(bool)

    def bind(self, session, node):
        weights = self.weights
        step = self.optimizer.step_scaled if self.scaled else self.optimizer.step

        def apply(*grads):
            step([w.data for w in weights], grads)

        def apply_constrained(*grads):
            step([w.data for w in weights], grads)
            for weight, constraint in self.constraints:
                np.copyto(weight.data, constraint(weight.data), casting="same_kind")
        return apply_constrained if self.constraints else apply


def _per_sample(values):
    """Reduce a loss or metric to one value per sample (mean over non-batch axes)."""
    if values.shape is not None and len(values.shape) > 1:
        return rd.mean(values, axis=tuple(range(1, len(values.shape))))
    return values


class Plan:
    """One compiled computation of a model: `run(xs, ys, ws)` -> list of floats or arrays.

    xs, ys and ws hold one array per model input, output and output (sample weights).
    """

    def __init__(self, model, kind, weighted=False):
        with _tracing:
            self._trace(model, kind, weighted)

    def _trace(self, model, kind, weighted):
        self.kind = kind
        graph = Graph()
        with graph.as_default():
            # 1. one placeholder per input, and the model itself, traced once
            self.xs = [placeholder(t.dtype, t.shape, name=_name("x", i, model.inputs))
                       for i, t in enumerate(model.inputs)]
            layers = _all_layers(model)
            for layer in [model] + layers:
                layer._updates.clear()
                layer._losses.clear()
            with tracing(graph):
                y_pred = call_layer(model, self.xs if len(self.xs) > 1 else self.xs[0],
                                    kind == "train")
                penalties = layer_losses(model, graph) if kind != "predict" else []
            y_pred = list(y_pred) if isinstance(y_pred, (list, tuple)) else [y_pred]
            fetches = y_pred
            self.ys, self.ws, self.lr = [], [], None
            if kind != "predict":
                # 2. per output: its targets, its weighted loss and its metrics
                targeted = model.targeted
                output_losses = [self._output_loss(model.loss_functions[i], y_pred[i], weighted,
                                                   i, y_pred) for i in targeted]
                if not output_losses and not penalties:
                    raise ValueError(f"model '{model.name}' has no loss to optimize: give "
                                     "compile() a loss, or add one with model.add_loss(...)")
                loss = _weighted_sum(output_losses,
                                     [model.loss_weights_list[i] for i in targeted])
                for penalty in penalties:  # Keras' logged loss holds the layer losses too
                    loss = penalty if loss is None else loss + penalty
                fetches = [loss] + (output_losses if len(y_pred) > 1 else [])
                y_of = dict(zip(targeted, self.ys))
                fetches += [rd.mean(_per_sample(fn(y_of[i], y_pred[i])))
                            for i, _, fn in model.metric_specs]
            # 3. the layers' state updates (BatchNormalization's, stateful RNNs'), run each step
            updates = [u for layer in layers for u in layer._updates]
            self.extra = updates
            if kind == "train":
                # 4. gradients and the optimizer's update
                weights = model.trainable_weights
                scaled = model.optimizer.folds_learning_rate()
                if scaled:  # seed with lr: the gradients come out multiplied by it
                    self.lr = placeholder(loss.dtype, (), name="learning_rate")
                grads = gradients(loss, [graph.capture(w) for w in weights],
                                  grad_ys=self.lr if scaled else None)
                used = [(w, g) for w, g in zip(weights, grads) if g is not None]
                trained = {id(w) for w, _ in used}
                constraints = [(w, c) for layer in layers for w, c in layer._constraints
                               if id(w) in trained]
                step = graph.add_op(ApplyOptimizer(model.optimizer, [w for w, _ in used], scaled,
                                                   constraints), [g for _, g in used])
                self.extra = [step] + updates
        self.fetches = fetches
        # Input(batch_shape=...) fixes the batch size (stateful RNNs need one): checked per run
        self.batch = next((x.shape[0] for x in self.xs if x.shape[0] is not None), None)
        self.model_name = model.name
        self.optimizer = model.optimizer
        self.session = Session(graph)
        fed = self.xs + self.ys + self.ws
        self._call = self.session.make_callable(
            fetches + self.extra, fed + ([self.lr] if self.lr is not None else []))
        self.nodes = self._call.plan.nodes  # what runs each step: the graph, fused

        self.last = None    # (step number, xs, ys, ws) of the latest training step
        self._check = None  # the loss alone, for check()

    def _output_loss(self, loss_fn, out, weighted, i, outputs):
        """The mean loss of output i (weighted by its sample weights), its placeholders added."""
        dtype, shape = losses.target_spec(loss_fn, out.shape)
        y = placeholder(dtype, shape, name=_name("y_true", i, outputs))
        self.ys.append(y)
        per_sample = _per_sample(loss_fn(y, out))
        if not weighted:
            return rd.mean(per_sample)
        w = placeholder("float32", (None,), name=_name("sample_weight", i, outputs))
        self.ws.append(w)
        nonzero = rd.mean(el.cast(ar.not_equal(w, 0), "float32"))
        return rd.mean(per_sample * w) / nonzero

    def run(self, xs, ys=(), ws=None):
        if self.batch is not None and len(xs[0]) != self.batch:
            raise ValueError(
                f"model '{self.model_name}' takes batches of exactly {self.batch} samples (its "
                f"input shape {describe(self.xs[0].shape)} fixes the batch size, as stateful "
                f"recurrent layers need), got a batch of {len(xs[0])}: pass batch_size="
                f"{self.batch} to fit, evaluate and predict, with a sample count it divides")
        if self.kind == "train":
            self.last = (next(_steps), xs, ys, ws)
        values = [*xs, *ys, *(ws or ())]
        if self.lr is not None:
            values.append(self.optimizer.current_learning_rate())
        return self._call(*values)[:len(self.fetches)]

    def check(self, xs, ys=(), ws=None):
        """The loss and metrics again, without updates, in check_numerics(): it names a NaN's node."""
        if self._check is None:
            self._check = self.session.make_callable(self.fetches, self.xs + self.ys + self.ws)
        with numerics.check_numerics():
            return self._check(*xs, *ys, *(ws or ()))


def _name(base, i, items):
    return base if len(items) == 1 else f"{base}_{i}"


def _weighted_sum(values, weights):
    """sum(w * v); a single unweighted loss stays as it is (the graph the rewrite pass knows)."""
    if len(values) == 1 and weights[0] == 1.0:
        return values[0]
    total = None
    for value, weight in zip(values, weights):
        term = value if weight == 1.0 else value * weight
        total = term if total is None else total + term
    return total


def _all_layers(model):
    """The model's layers, those of nested models included (their state updates run too)."""
    found, stack = {}, list(model.layers)
    while stack:
        layer = stack.pop(0)
        if id(layer) not in found:
            found[id(layer)] = layer
            stack.extend(getattr(layer, "layers", []) + getattr(layer, "wrapped_layers", []))
    return list(found.values())


def latest_training_step(model):
    """(train plan, x, y, sample weights) of the model's latest training step, or None."""
    plans = [p for p in model._plans.values() if p.kind == "train" and p.last is not None]
    if not plans:
        return None
    plan = max(plans, key=lambda p: p.last[0])
    return (plan, *plan.last[1:])
