"""`Model`: compile, fit, evaluate and predict through compiled plans.

Per training step the Python work is one batch slice, one run of the compiled train plan
(forward, loss, gradients, the optimizer's in-place update) and the callbacks' bookkeeping.
"""
import numpy as np

from ... import arguments
from ...debug import numerics
from ...kernels.threads import with_compute_threads
from ...ops import random as passos_random
from .. import callbacks as callbacks_module
from .. import losses, metrics as metrics_module, model_file, optimizers
from . import fit_arguments as checks
from .access import reads, writes
from .network import Network
from .plans import Plan


class Model(Network):
    """A network that can be compiled and trained (functional: Model(inputs, outputs))."""

    saved_by_config = True  # model.save writes its config; a subclass must save weights only

    def __init__(self, inputs=None, outputs=None, name=None, **kwargs):
        super().__init__(inputs=inputs, outputs=outputs, name=name, **kwargs)
        self.optimizer = self.loss = None
        self.metric_functions = []
        self._metric_identifiers = []
        self.stop_training = False
        self.history = None
        self._plans = {}

    def _invalidate_plans(self):
        self._plans = {}

    @property
    def input_dtype(self):
        return self.inputs.dtype if self.inputs is not None else np.dtype("float32")

    # -- compile ---------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                sample_weight_mode=None, weighted_metrics=None, **kwargs):
        """Choose the optimizer, loss and metrics; plans are built on first use."""
        if loss is None:
            raise ValueError("compile: give a loss, e.g. loss='categorical_crossentropy'")
        if isinstance(loss, (list, dict)):
            raise NotImplementedError("compile: passos models have one output and one loss")
        self.optimizer = optimizers.get(optimizer)
        self.loss = losses.get(loss)
        self._metric_identifiers = list(metrics or [])
        self._resolve_metrics()
        self._invalidate_plans()

    def _resolve_metrics(self):
        shape = self.output_shape
        self.metric_functions = [metrics_module.get(m, self.loss, shape)
                                 for m in self._metric_identifiers]

    @property
    def metrics_names(self):
        return ["loss"] + [name for name, _ in self.metric_functions]

    def _plan(self, kind, weighted=False):
        key = (kind, weighted)
        plan = self._plans.get(key)
        if plan is None:
            if kind != "predict" and self.loss is None:
                what = "fit" if kind == "train" else "evaluate"
                raise RuntimeError(f"model '{self.name}' must be compiled before {what}: "
                                   "call model.compile(optimizer=..., loss=...) first")
            plan = self._plans[key] = Plan(self, kind, weighted)
        return plan

    # -- data ------------------------------------------------------------------
    def _prepare(self, x, y=None, sample_weight=None, class_weight=None, who="fit", targets=True):
        """Arrays in the dtypes the plans expect, checked against the model's shapes.

        `who` names the caller in errors; without `targets` (predict) y is unread, x may be empty.
        """
        x = checks.samples(x, who, "x", empty_ok=not targets)
        if not self.built:
            self._build(x.shape)
            self._resolve_metrics()
        self.check_input(x.shape)
        if x.dtype != self.input_dtype:
            x = x.astype(self.input_dtype)
        if not targets:
            return x, None, None
        y = checks.targets(y, who)
        if len(y) != len(x):
            raise ValueError(f"{who}: x has {len(x)} samples but y has {len(y)}; they must match")
        losses.check_targets(self.loss, y, self.output_shape)
        dtype, shape = losses.target_spec(self.loss, self.output_shape)
        y = y.reshape((len(y),) + tuple(shape[1:])) if y.ndim != len(shape) else y
        y = y.astype(dtype, copy=False)
        weights = None
        if sample_weight is not None:
            weights = checks.samples(sample_weight, who, "sample_weight").astype(
                np.float32).reshape(-1)
            if len(weights) != len(x):
                raise ValueError(f"{who}: sample_weight has {len(weights)} values for {len(x)} "
                                 f"samples")
        if class_weight is not None:
            labels = y.reshape(len(y), -1).argmax(-1) if y.ndim > 1 and y.shape[-1] > 1 \
                else y.reshape(-1).astype(np.int64)
            per_class = np.array([class_weight.get(int(c), 1.0) for c in labels], np.float32)
            weights = per_class if weights is None else weights * per_class
        return x, y, weights

    # -- training --------------------------------------------------------------
    @writes
    @with_compute_threads
    @numerics.option
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose=1, callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, seed=None,
            check_numerics=False, **kwargs):
        """Train for `epochs` epochs; returns a History whose `.history` holds the logs.

        check_numerics=True runs the whole fit inside passos.debug.check_numerics():
        it stops at the first op (forward, gradient or update) that gives NaN or inf.
        """
        if kwargs:
            raise TypeError(f"fit: unknown argument(s) {sorted(kwargs)}")
        batch_size = checks.batch_size(batch_size, "fit")
        epochs = arguments.integer(epochs, "fit", "epochs", minimum=0)
        initial_epoch = arguments.integer(initial_epoch, "fit", "initial_epoch", minimum=0)
        if seed is not None:
            passos_random.seed(seed)
        x, y, weights = self._prepare(x, y, sample_weight, class_weight)
        # 1. hold out the last samples for validation, as Keras does (before shuffling)
        val = None
        if validation_data is not None:
            val = self._prepare(*checks.validation_parts(validation_data),
                                who="fit (validation_data)")
        elif validation_split:
            split = checks.split_point(len(x), validation_split)
            val = (x[split:], y[split:], None if weights is None else weights[split:])
            x, y = x[:split], y[:split]
            weights = None if weights is None else weights[:split]
        # 2. callbacks in Keras' order: the user's, History, then the progress bar, so
        #    that History and the bar see what user callbacks add to the logs (e.g. lr)
        self.history = callbacks_module.History()
        progbar = [callbacks_module.ProgbarLogger(verbose)] if verbose else []
        cb = callbacks_module.CallbackList(list(callbacks or []) + [self.history] + progbar)
        steps = -(-len(x) // batch_size)
        cb.set_model(self)
        cb.set_params({"epochs": epochs, "steps": steps, "samples": len(x),
                       "batch_size": batch_size, "verbose": verbose, "do_validation": val is not None,
                       "metrics": self.metrics_names + (
                           ["val_" + n for n in self.metrics_names] if val is not None else [])})
        plan = self._plan("train", weighted=weights is not None)
        self.stop_training = False
        cb.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            # 3. one epoch: shuffled batches, running averages of loss and metrics
            cb.on_epoch_begin(epoch)
            order = passos_random.generator().permutation(len(x)) if shuffle else None
            totals = [0.0] * len(self.metrics_names)
            seen = 0
            for batch in range(steps):
                index = order[batch * batch_size:(batch + 1) * batch_size] if shuffle \
                    else slice(batch * batch_size, (batch + 1) * batch_size)
                xb, yb = x[index], y[index]
                size = len(xb)
                if cb.wants_batch_logs:
                    cb.on_batch_begin(batch, {"batch": batch, "size": size})
                values = plan.run(xb, yb, None if weights is None else weights[index])
                values = [float(v) for v in values]
                for i, v in enumerate(values):
                    totals[i] += v * size
                seen += size
                if cb.wants_batch_logs:
                    logs = {"batch": batch, "size": size, **dict(zip(self.metrics_names, values))}
                    cb.on_batch_end(batch, logs)
                if self.stop_training:
                    break
            epoch_logs = {n: t / max(seen, 1) for n, t in zip(self.metrics_names, totals)}
            # 4. validation at the end of the epoch
            if val is not None:
                scores = self._evaluate_arrays(*val, batch_size)
                epoch_logs.update(("val_" + n, v) for n, v in zip(self.metrics_names, scores))
            cb.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        cb.on_train_end()
        return self.history

    def _evaluate_arrays(self, x, y, weights, batch_size):
        plan = self._plan("test", weighted=weights is not None)
        totals = np.zeros(len(self.metrics_names))
        for start in range(0, len(x), batch_size):
            end = start + batch_size
            values = plan.run(x[start:end], y[start:end],
                              None if weights is None else weights[start:end])
            totals += np.asarray(values, np.float64) * len(x[start:end])
        return (totals / max(len(x), 1)).tolist()

    @reads
    @with_compute_threads
    def evaluate(self, x=None, y=None, batch_size=None, verbose=1, sample_weight=None, **kwargs):
        """The loss (and metrics) on (x, y): a float, or a list in `metrics_names` order."""
        batch_size = checks.batch_size(batch_size, "evaluate")
        x, y, weights = self._prepare(x, y, sample_weight, who="evaluate")
        scores = self._evaluate_arrays(x, y, weights, batch_size)
        if verbose:
            print(" - ".join(f"{n}: {v:.4f}" for n, v in zip(self.metrics_names, scores)))
        return scores[0] if len(scores) == 1 else scores

    @reads
    @with_compute_threads
    def predict(self, x, batch_size=None, verbose=0, **kwargs):
        """The model's outputs for `x`, computed in batches (no dropout)."""
        batch_size = checks.batch_size(batch_size, "predict")
        x, _, _ = self._prepare(x, who="predict", targets=False)
        plan = self._plan("predict")
        outputs = [plan.run(x[start:start + batch_size])[0]
                   for start in range(0, len(x), batch_size)]
        if not outputs:
            return np.zeros((0,) + tuple(self.output_shape[1:]), np.float32)
        return np.concatenate(outputs)

    def predict_classes(self, x, batch_size=None, verbose=0):
        """Argmax of `predict` (Keras 2's Sequential.predict_classes)."""
        probabilities = self.predict(x, batch_size)
        if probabilities.shape[-1] == 1:
            return (probabilities > 0.5).astype(np.int64)
        return probabilities.argmax(axis=-1)

    @writes
    def train_on_batch(self, x, y, sample_weight=None, class_weight=None):
        x, y, weights = self._prepare(x, y, sample_weight, class_weight, who="train_on_batch")
        values = self._plan("train", weighted=weights is not None).run(x, y, weights)
        return float(values[0]) if len(values) == 1 else [float(v) for v in values]

    @reads
    def test_on_batch(self, x, y, sample_weight=None):
        x, y, weights = self._prepare(x, y, sample_weight, who="test_on_batch")
        values = self._plan("test", weighted=weights is not None).run(x, y, weights)
        return float(values[0]) if len(values) == 1 else [float(v) for v in values]

    @reads
    def predict_on_batch(self, x):
        x, _, _ = self._prepare(x, who="predict_on_batch", targets=False)
        return self._plan("predict").run(x)[0]

    # -- saving (keras/model_file.py; keras/saving.py rebuilds a model from a file) ----------
    def save(self, filepath, include_optimizer=True):
        """Write architecture, weights, compile settings and optimizer state to one file."""
        model_file.save_model(self, filepath, include_optimizer)

    def save_weights(self, filepath):
        """Write only the weights; read them back with load_weights."""
        model_file.save_weights(self, filepath)

    def load_weights(self, filepath):
        """Set the weights from a file written by save_weights or save (same architecture)."""
        model_file.load_weights(self, filepath)
