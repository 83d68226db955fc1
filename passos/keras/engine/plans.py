"""Compiled execution plans for a Keras model: train, test and predict.

Each plan traces the model once into a passos graph (weights are captured eager
tensors, shared by every plan and eager call), adds the loss, metrics and the
optimizer's update, and runs one Session plan per step: one Python call per node.
"""
import itertools
import threading

import numpy as np

from ...core.apply import tracing
from ...core.op import Op
from ...debug import numerics
from ...graph.gradients import gradients
from ...graph.graph import Graph, placeholder
from ...graph.session import Session
from ...ops import arithmetic as ar, elementwise as el, reduce as rd
from .. import losses
from .base_layer import call_layer

# Tracing writes to the layers (their update lists, lazily built state): one trace at a time
_tracing = threading.Lock()
_steps = itertools.count()  # numbers training steps, so the latest one can be found


class ApplyOptimizer(Op):
    """Graph node that hands the gradients to the optimizer, which updates the weights in place."""

    kind = "apply_gradients"
    differentiable = False

    def __init__(self, optimizer, weights, scaled=False):
        self.optimizer = optimizer
        self.weights = weights
        self.scaled = scaled  # gradients arrive multiplied by the learning rate

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
        return apply


def _per_sample(values):
    """Reduce a loss or metric to one value per sample (mean over non-batch axes)."""
    if values.shape is not None and len(values.shape) > 1:
        return rd.mean(values, axis=tuple(range(1, len(values.shape))))
    return values


class Plan:
    """One compiled computation of a model: `run(x, y, w)` -> list of floats or arrays."""

    def __init__(self, model, kind, weighted=False):
        with _tracing:
            self._trace(model, kind, weighted)

    def _trace(self, model, kind, weighted):
        self.kind = kind
        graph = Graph()
        with graph.as_default():
            # 1. inputs and the model itself, traced once
            self.x = placeholder(model.input_dtype, model.input_shape, name="x")
            for layer in model.layers:
                layer._updates.clear()
            with tracing(graph):
                y_pred = call_layer(model, self.x, kind == "train")
            fetches = [y_pred]
            self.y = self.w = self.lr = None
            if kind != "predict":
                # 2. targets, the weighted loss and the metrics
                dtype, shape = losses.target_spec(model.loss, y_pred.shape)
                self.y = placeholder(dtype, shape, name="y_true")
                per_sample = _per_sample(model.loss(self.y, y_pred))
                if weighted:
                    self.w = placeholder("float32", (None,), name="sample_weight")
                    nonzero = rd.mean(el.cast(ar.not_equal(self.w, 0), "float32"))
                    loss = rd.mean(per_sample * self.w) / nonzero
                else:
                    loss = rd.mean(per_sample)
                fetches = [loss] + [rd.mean(_per_sample(fn(self.y, y_pred)))
                                    for _, fn in model.metric_functions]
            if kind == "train":
                # 3. gradients, the optimizer's update and layers' state updates
                weights = model.trainable_weights
                scaled = model.optimizer.folds_learning_rate()
                if scaled:  # seed with lr: the gradients come out multiplied by it
                    self.lr = placeholder(loss.dtype, (), name="learning_rate")
                grads = gradients(loss, [graph.capture(w) for w in weights],
                                  grad_ys=self.lr if scaled else None)
                used = [(w, g) for w, g in zip(weights, grads) if g is not None]
                step = graph.add_op(ApplyOptimizer(model.optimizer, [w for w, _ in used], scaled),
                                    [g for _, g in used])
                self.extra = [step] + [u for layer in model.layers for u in layer._updates]
            else:
                self.extra = []
        self.fetches = fetches
        self.optimizer = model.optimizer
        self.session = Session(graph)
        inputs = (self.x, self.y, self.w, self.lr)
        self._fed = [node is not None for node in inputs]
        self._call = self.session.make_callable(
            fetches + self.extra, [node for node in inputs if node is not None])
        self.nodes = self._call.plan.nodes  # what runs each step: the graph, fused

        self.last = None    # (step number, x, y, w) of the latest training step
        self._check = None  # the loss alone, for check()

    def run(self, x, y=None, w=None):
        if self.kind == "train":
            self.last = (next(_steps), x, y, w)
        values = [x, y, w, self.optimizer.current_learning_rate() if self.lr is not None else 0]
        return self._call(*(v for v, fed in zip(values, self._fed) if fed))[:len(self.fetches)]

    def check(self, x, y=None, w=None):
        """The loss and metrics again, without updates, in check_numerics(): it names a NaN's node."""
        if self._check is None:
            fed = [node for node in (self.x, self.y, self.w) if node is not None]
            self._check = self.session.make_callable(self.fetches, fed)
        with numerics.check_numerics():
            return self._check(*(v for v, node in zip((x, y, w), (self.x, self.y, self.w))
                                 if node is not None))


def latest_training_step(model):
    """(train plan, x, y, sample weights) of the model's latest training step, or None."""
    plans = [p for p in model._plans.values() if p.kind == "train" and p.last is not None]
    if not plans:
        return None
    plan = max(plans, key=lambda p: p.last[0])
    return (plan, *plan.last[1:])
