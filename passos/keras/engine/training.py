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
from .. import losses, model_file, optimizers
from . import distributed as distributed_fit, fit_arguments as checks, generators, outputs
from .access import reads, writes
from .network import Network
from .plans import Plan


class Model(Network):
    """A network that can be compiled and trained (functional: Model(inputs, outputs))."""

    saved_by_config = True  # model.save writes its config; a subclass must save weights only

    def __init__(self, inputs=None, outputs=None, name=None, **kwargs):
        super().__init__(inputs=inputs, outputs=outputs, name=name, **kwargs)
        self.optimizer = self.loss = self._compiled = None
        self.metric_functions, self.metric_specs, self.loss_functions = [], [], []
        self.loss_weights_list = []
        self._metric_identifiers = []
        self.stop_training = False
        self.history = None
        self._plans = {}

    def _invalidate_plans(self):
        self._plans = {}

    @property
    def input_dtype(self):
        return self.inputs[0].dtype if self.inputs else np.dtype("float32")

    # -- compile ---------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                sample_weight_mode=None, weighted_metrics=None, **kwargs):
        """Choose the optimizer, the loss (one, or one per output: a list or a dict by output
        name), their loss_weights and the metrics; plans are built on first use."""
        self.optimizer = optimizers.get(optimizer)
        self._compiled = (loss, loss_weights, metrics)
        self._metric_identifiers = list(metrics or []) if not isinstance(metrics, dict) else metrics
        self._resolve_outputs()
        self._invalidate_plans()

    def _resolve_outputs(self):
        """Each output's loss function, loss weight and metrics, from compile's arguments."""
        loss, weights, metrics = self._compiled
        names = self.output_names
        shapes = [t.shape for t in self.outputs] if self.outputs is not None else [None]
        self.loss_functions = outputs.loss_functions(loss, names)
        self.loss = self.loss_functions[0] if len(names) == 1 else list(self.loss_functions)
        self.loss_weights_list = outputs.loss_weights(weights, names)
        self.metric_specs = outputs.metric_specs(metrics, names, self.loss_functions, shapes)
        logged = outputs.logged_names(names, self.metric_specs, self.loss_functions)
        self.metric_functions = [(name, fn) for name, (_, _, fn) in
                                 zip(logged[len(logged) - len(self.metric_specs):], self.metric_specs)]

    @property
    def metrics_names(self):
        return ["loss"] + outputs.logged_names(self.output_names, self.metric_specs,
                                               self.loss_functions)

    @property
    def targeted(self):
        """The indices of the outputs that have a loss, so take targets (y)."""
        return [i for i, fn in enumerate(self.loss_functions) if fn is not None]

    def _plan(self, kind, weighted=False):
        key = (kind, weighted)
        plan = self._plans.get(key)
        if plan is None:
            if kind != "predict":
                self._require_compiled("fit" if kind == "train" else "evaluate")
            plan = self._plans[key] = Plan(self, kind, weighted)
        return plan

    def _require_compiled(self, what):
        if self._compiled is None:
            raise RuntimeError(f"model '{self.name}' must be compiled before {what}: "
                               "call model.compile(optimizer=..., loss=...) first")

    # -- data ------------------------------------------------------------------
    def _prepare(self, x, y=None, sample_weight=None, class_weight=None, who="fit", targets=True):
        """Lists of arrays (one per input; one per output for targets and sample weights) in
        the dtypes the plans expect, checked against the model's shapes.

        `who` names the caller in errors; without `targets` (predict) y is unread, x may be empty.
        """
        xs = checks.arrays(x, self.input_names or ["x"], who, "x", empty_ok=not targets)
        if not self.built:
            self._build(xs[0].shape)
            if self._compiled is not None:
                self._resolve_outputs()
        self.check_input(xs[0].shape if len(xs) == 1 else [a.shape for a in xs])
        xs = [a if a.dtype == t.dtype else a.astype(t.dtype) for a, t in zip(xs, self.inputs)]
        if len(xs) > 1:
            checks.same_length([(f"x '{n}'", a) for n, a in zip(self.input_names, xs)], who)
        if not targets:
            return xs, None, None
        self._require_compiled("fit" if who.startswith(("fit", "train")) else "evaluate")
        targeted = self.targeted
        targeted_names = [self.output_names[i] for i in targeted]
        if not targeted:
            given = [n for n, v in (("y", y), ("sample_weight", sample_weight),
                                    ("class_weight", class_weight))
                     if v is not None and not (isinstance(v, (list, tuple)) and not v)]
            if given:
                raise ValueError(f"{who}: model '{self.name}' has no output with a loss (its loss "
                                 f"comes from add_loss), so it takes no {' or '.join(given)}: "
                                 "pass None")
            return xs, [], None
        ys = checks.arrays(y, targeted_names, who, "y")
        names = targeted_names if len(ys) > 1 else [None]
        for j, (name, array) in enumerate(zip(names, ys)):
            i = targeted[j]
            checks.same_length([("x", xs[0]), ("y" if name is None else f"y '{name}'", array)], who)
            loss, shape = self.loss_functions[i], self.outputs[i].shape
            losses.check_targets(loss, array, shape)
            dtype, wanted = losses.target_spec(loss, shape)
            array = array.reshape((len(array),) + tuple(wanted[1:])) if array.ndim != len(wanted) \
                else array
            ys[j] = array.astype(dtype, copy=False)
        weights = checks.sample_weights(targeted_names, ys, sample_weight, class_weight, who)
        return xs, ys, weights

    # -- training --------------------------------------------------------------
    @writes
    @with_compute_threads
    @numerics.option
    @distributed_fit.quiet_ranks
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose=1, callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, seed=None,
            check_numerics=False, distributed=None, **kwargs):
        """Train for `epochs` epochs; returns a History whose `.history` holds the logs.

        check_numerics=True runs the whole fit inside passos.debug.check_numerics():
        it stops at the first op (forward, gradient or update) that gives NaN or inf.
        distributed=True (or compiling with passos.distributed.DistributedOptimizer) trains
        data-parallel over MPI processes, batch_size samples per process (engine/distributed.py).
        """
        if generators.is_source(x):  # Keras 2.3: fit(generator, steps_per_epoch=...)
            if distributed:
                raise ValueError("fit: distributed=True takes arrays (x, y); with a generator, "
                                 "give each process its own batches and compile with "
                                 "passos.distributed.DistributedOptimizer")
            generators.refuse_arrays("fit", y=y, sample_weight=sample_weight,
                                     validation_split=validation_split or None)
            return generators.fit_generator(
                self, x, steps_per_epoch, epochs, verbose, callbacks, validation_data,
                class_weight=class_weight, shuffle=shuffle, initial_epoch=initial_epoch, who="fit",
                **generators.source_options(kwargs, "fit", _FIT_OPTIONS))
        if kwargs:
            raise TypeError(f"fit: unknown argument(s) {sorted(kwargs)}")
        batch_size = checks.batch_size(batch_size, "fit")
        epochs = arguments.integer(epochs, "fit", "epochs", minimum=0)
        initial_epoch = arguments.integer(initial_epoch, "fit", "initial_epoch", minimum=0)
        if seed is not None:
            passos_random.seed(seed)
        x, y, weights = self._prepare(x, y, sample_weight, class_weight)
        shards, verbose, callbacks = distributed_fit.prepare(self, distributed, verbose, callbacks)
        # 1. hold out the last samples for validation, as Keras does (before shuffling)
        val = None
        if validation_data is not None:
            val = self._prepare(*checks.validation_parts(validation_data),
                                who="fit (validation_data)")
        elif validation_split:
            split = checks.split_point(len(x[0]), validation_split)
            val = (_rows(x, slice(split, None)), _rows(y, slice(split, None)),
                   _rows(weights, slice(split, None)))
            x, y, weights = _rows(x, slice(split)), _rows(y, slice(split)), _rows(weights, slice(split))
        # 2. callbacks in Keras' order: the user's, History, then the progress bar, so
        #    that History and the bar see what user callbacks add to the logs (e.g. lr)
        count = len(x[0])
        steps, samples = shards.extent(count, batch_size) if shards else \
            (-(-count // batch_size), count)
        cb = self._callbacks(callbacks, verbose, {
            "epochs": epochs, "steps": steps, "samples": samples, "batch_size": batch_size,
            "verbose": verbose, "do_validation": val is not None,
            "metrics": self.metrics_names + (
                ["val_" + n for n in self.metrics_names] if val is not None else [])})
        plan = self._plan("train", weighted=weights is not None)
        self.stop_training = False
        cb.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            # 3. one epoch: shuffled batches, running averages of loss and metrics
            cb.on_epoch_begin(epoch)
            order = passos_random.generator().permutation(count) if shuffle and not shards \
                else None
            parts = shards.epoch(count, batch_size, shuffle) if shards else None
            totals = [0.0] * len(self.metrics_names)
            seen = 0
            for batch in range(steps):
                index = shards.take(parts, batch) if shards else \
                    order[batch * batch_size:(batch + 1) * batch_size] if shuffle \
                    else slice(batch * batch_size, (batch + 1) * batch_size)
                xb = [a[index] for a in x]
                size = len(xb[0])
                if cb.wants_batch_logs:
                    cb.on_batch_begin(batch, {"batch": batch, "size": size})
                values = plan.run(xb, [a[index] for a in y], _rows(weights, index))
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

    def _callbacks(self, callbacks, verbose, params):
        """The user's callbacks, then a new History, then the progress bar (fit's order)."""
        self.history = callbacks_module.History()
        count_mode = "steps" if params["samples"] is None else "samples"  # generators: steps
        progbar = [callbacks_module.ProgbarLogger(count_mode)] if verbose else []
        cb = callbacks_module.CallbackList(list(callbacks or []) + [self.history] + progbar)
        cb.set_model(self)
        cb.set_params(params)
        return cb

    @writes
    @with_compute_threads
    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                      validation_data=None, validation_steps=None, class_weight=None,
                      max_queue_size=10, workers=1, use_multiprocessing=False, shuffle=True,
                      initial_epoch=0):
        """Train on batches from a Python generator or a keras.utils.Sequence; a History.

        A generator yields (x, y) or (x, y, sample_weight) without end; `workers` threads build
        batches ahead (engine/generators.py, engine/feed.py)."""
        return generators.fit_generator(
            self, generator, steps_per_epoch, epochs, verbose, callbacks, validation_data,
            validation_steps, class_weight, max_queue_size, workers, use_multiprocessing, shuffle,
            initial_epoch)

    @reads
    @with_compute_threads
    def evaluate_generator(self, generator, steps=None, max_queue_size=10, workers=1,
                           use_multiprocessing=False, verbose=0):
        """The loss (and metrics) over `steps` batches of a generator or Sequence."""
        return generators.evaluate_generator(self, generator, steps, max_queue_size, workers,
                                             use_multiprocessing, verbose)

    @reads
    @with_compute_threads
    def predict_generator(self, generator, steps=None, max_queue_size=10, workers=1,
                          use_multiprocessing=False, verbose=0):
        """The outputs for the inputs of `steps` batches of a generator or Sequence."""
        return generators.predict_generator(self, generator, steps, max_queue_size, workers,
                                            use_multiprocessing, verbose)

    def _evaluate_arrays(self, x, y, weights, batch_size):
        plan = self._plan("test", weighted=weights is not None)
        totals, count = np.zeros(len(self.metrics_names)), len(x[0])
        for start in range(0, count, batch_size):
            rows = slice(start, start + batch_size)
            values = plan.run(_rows(x, rows), _rows(y, rows), _rows(weights, rows))
            totals += np.asarray(values, np.float64) * len(x[0][rows])
        return (totals / max(count, 1)).tolist()

    @reads
    @with_compute_threads
    def evaluate(self, x=None, y=None, batch_size=None, verbose=1, sample_weight=None, **kwargs):
        """The loss (and metrics) on (x, y) or on a generator's batches: a float, or a list in
        `metrics_names` order."""
        if generators.is_source(x):
            generators.refuse_arrays("evaluate", y=y, sample_weight=sample_weight)
            return self.evaluate_generator(x, verbose=verbose, **generators.source_options(
                kwargs, "evaluate", _EVALUATE_OPTIONS))
        batch_size = checks.batch_size(batch_size, "evaluate")
        x, y, weights = self._prepare(x, y, sample_weight, who="evaluate")
        scores = self._evaluate_arrays(x, y, weights, batch_size)
        if verbose:
            print(" - ".join(f"{n}: {v:.4f}" for n, v in zip(self.metrics_names, scores)))
        return scores[0] if len(scores) == 1 else scores

    @reads
    @with_compute_threads
    def predict(self, x, batch_size=None, verbose=0, **kwargs):
        """The model's outputs for `x` (or a generator's inputs), computed in batches (no dropout)."""
        if generators.is_source(x):
            return self.predict_generator(x, verbose=verbose, **generators.source_options(
                kwargs, "predict", _EVALUATE_OPTIONS))
        batch_size = checks.batch_size(batch_size, "predict")
        x, _, _ = self._prepare(x, who="predict", targets=False)
        plan = self._plan("predict")
        parts = [plan.run(_rows(x, slice(start, start + batch_size)))
                 for start in range(0, len(x[0]), batch_size)]
        results = [np.concatenate([part[i] for part in parts]) if parts else
                   np.zeros((0,) + tuple(t.shape[1:]), np.float32)
                   for i, t in enumerate(self.outputs)]
        return results[0] if len(results) == 1 else results

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
        results = self._plan("predict").run(x)
        return results[0] if len(results) == 1 else list(results)

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


_EVALUATE_OPTIONS = ("steps", "max_queue_size", "workers", "use_multiprocessing")
_FIT_OPTIONS = ("validation_steps", "max_queue_size", "workers", "use_multiprocessing")


def _rows(arrays, index):
    """The rows `index` of each array (None stays None)."""
    return None if arrays is None else [a[index] for a in arrays]
