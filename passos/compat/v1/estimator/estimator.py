"""tf.estimator.Estimator: train, evaluate and predict with a model_fn, through checkpoints.

Each call builds a fresh graph (input_fn, then model_fn for its mode), opens a session, restores
the newest checkpoint of model_dir and runs; train saves one at its end, so a second Estimator
on the same model_dir continues where the first stopped.

>>> import numpy as np, tempfile, passos.compat.v1 as tf
>>> def model_fn(features, labels, mode):
...     w = tf.get_variable("w", initializer=0.0)
...     loss = tf.reduce_mean(tf.square(features["x"] * w - labels))
...     train_op = tf.train.GradientDescentOptimizer(0.1).minimize(
...         loss, global_step=tf.train.get_global_step())
...     return tf.estimator.EstimatorSpec(mode, predictions={"y": features["x"] * w},
...                                       loss=loss, train_op=train_op)
>>> x, y = np.ones(8, "float32"), np.full(8, 3.0, "float32")
>>> input_fn = tf.estimator.inputs.numpy_input_fn({"x": x}, y, batch_size=4, num_epochs=None,
...                                               shuffle=False)
>>> estimator = tf.estimator.Estimator(model_fn, model_dir=tempfile.mkdtemp())
>>> _ = estimator.train(input_fn, steps=50)
>>> round(float(estimator.get_variable_value("w")), 3)
3.0
>>> estimator.evaluate(input_fn, steps=1)["global_step"]
50
"""
import copy
import os
import tempfile
import time

import numpy as np

from .. import metrics
from ..data import Dataset
from ..errors import OutOfRangeError
from ..framework import Graph
from ..random_ops import set_random_seed
from ..saver import (Saver, get_checkpoint_state, latest_checkpoint, list_variables,
                     load_variable)
from ..session import Session
from ..tf_logging import logger
from ..train import get_or_create_global_step
from ..variables import global_variables_initializer, local_variables_initializer
from .model_fn import ModeKeys, call_model_fn, call_with_wanted
from .run_config import RunConfig
from .summaries import TrainSummaries, write_eval, write_graph_text


class NanLossDuringTrainingError(RuntimeError):
    """The training loss became NaN or infinite."""


class Estimator:
    """A model (model_fn) trained, evaluated and used through the checkpoints in model_dir."""

    def __init__(self, model_fn, model_dir=None, config=None, params=None, warm_start_from=None):
        if not callable(model_fn):
            raise TypeError(f"Estimator: model_fn must be a function, given {model_fn!r:.60}")
        if warm_start_from is not None:
            raise NotImplementedError("Estimator: warm_start_from is not supported in passos")
        config = RunConfig() if config is None else config
        if not isinstance(config, RunConfig):
            raise TypeError(f"Estimator: config must be a tf.estimator.RunConfig, given "
                            f"{type(config).__name__}")
        model_dir = os.fspath(model_dir) if model_dir is not None else None
        if model_dir and config.model_dir and model_dir != config.model_dir:
            raise ValueError(f"Estimator: model_dir is set both in the constructor "
                             f"('{model_dir}') and in RunConfig ('{config.model_dir}'), with "
                             "different values; set one")
        model_dir = model_dir or config.model_dir
        if model_dir is None:
            model_dir = tempfile.mkdtemp()
            logger.warning("Using temporary folder as model directory: %s", model_dir)
        self._model_fn, self._params = model_fn, copy.deepcopy(params or {})
        self._config = config.replace(model_dir=model_dir)

    model_fn = property(lambda self: self._model_fn)
    model_dir = property(lambda self: self._config.model_dir)
    config = property(lambda self: self._config)
    params = property(lambda self: copy.deepcopy(self._params))

    def latest_checkpoint(self):
        """The prefix of the newest checkpoint in model_dir, or None."""
        return latest_checkpoint(self.model_dir)

    def get_variable_names(self):
        """The names of the variables in the newest checkpoint."""
        return [name for name, _ in list_variables(self._checkpoint(None, "get_variable_names"))]

    def get_variable_value(self, name):
        """The value of variable `name` in the newest checkpoint."""
        return load_variable(self._checkpoint(None, "get_variable_value"), name)

    def train(self, input_fn, hooks=None, steps=None, max_steps=None, saving_listeners=None):
        """Train until input_fn's data ends, `steps` more steps, or global step `max_steps`."""
        _no_hooks(hooks or saving_listeners, "train")
        if steps is not None and max_steps is not None:
            raise ValueError("Estimator.train: give steps or max_steps, not both")
        for name, value in (("steps", steps), ("max_steps", max_steps)):
            if value is not None and value <= 0:
                raise ValueError(f"Estimator.train: {name} must be > 0, given {value}")
        checkpoint = self.latest_checkpoint()
        if max_steps is not None and checkpoint and _step_of(checkpoint) >= max_steps:
            logger.info("Skipping training since max_steps has already saved.")
            return self
        graph, global_step, spec = self._build(input_fn, ModeKeys.TRAIN)
        with graph.as_default():
            saver = Saver(max_to_keep=self._config.keep_checkpoint_max)
            saver.recover_last_checkpoints(_kept_checkpoints(self.model_dir))
        summaries = TrainSummaries(graph, spec.loss, self._config)
        write_graph_text(graph, self.model_dir)
        try:
            with self._session(graph, checkpoint, saver) as sess:
                _TrainingLoop(self, sess, saver, global_step, spec, steps, max_steps,
                              summaries).run()
        finally:
            summaries.close()
        return self

    def evaluate(self, input_fn, steps=None, hooks=None, checkpoint_path=None, name=None):
        """{metric name: value} over input_fn's data (or `steps` batches), with mean 'loss' and
        'global_step', for the newest checkpoint (or `checkpoint_path`); also written as
        TensorBoard scalars in model_dir/eval (eval_<name> with a name)."""
        _no_hooks(hooks, "evaluate")
        if steps is not None and steps <= 0:
            raise ValueError(f"Estimator.evaluate: steps must be > 0, given {steps}")
        checkpoint = self._checkpoint(checkpoint_path, "evaluate")
        graph, global_step, spec = self._build(input_fn, ModeKeys.EVAL)
        if "loss" in spec.eval_metric_ops:
            raise ValueError("Estimator.evaluate: eval_metric_ops may not define 'loss': the "
                             "Estimator reports the mean loss under that name")
        with graph.as_default():
            ops = {"loss": metrics.mean(spec.loss), **spec.eval_metric_ops}
        with self._session(graph, checkpoint) as sess:
            updates, batches = [update for _, update in ops.values()], 0
            while steps is None or batches < steps:
                try:
                    sess.run(updates)
                except OutOfRangeError:
                    break
                batches += 1
            results = {key: float(value) for key, value in
                       sess.run({key: value for key, (value, _) in ops.items()}).items()}
            results["global_step"] = int(sess.run(global_step))
        logger.info("Saving dict for global step %d: %s", results["global_step"],
                    ", ".join(f"{k} = {v}" for k, v in sorted(results.items())))
        write_eval(self.model_dir, name, results)
        return results

    def predict(self, input_fn, predict_keys=None, hooks=None, checkpoint_path=None,
                yield_single_examples=True):
        """A generator of predictions: one dict (or array) per example, or per batch."""
        _no_hooks(hooks, "predict")
        checkpoint = self._checkpoint(checkpoint_path, "predict")
        graph, _, spec = self._build(input_fn, ModeKeys.PREDICT)
        predictions = _selected(spec.predictions, predict_keys)
        with self._session(graph, checkpoint) as sess:
            while True:
                try:
                    batch = sess.run(predictions)
                except OutOfRangeError:
                    return
                if not yield_single_examples:
                    yield batch
                elif isinstance(batch, dict):
                    yield from ({k: v[i] for k, v in batch.items()} for i in range(_rows(batch)))
                else:
                    yield from batch

    # -- building and running ------------------------------------------------------------------

    def _checkpoint(self, checkpoint_path, who):
        path = checkpoint_path or self.latest_checkpoint()
        if not path:
            raise ValueError(f"Estimator.{who}: could not find a trained model in model_dir "
                             f"{self.model_dir}; train the Estimator first")
        return path

    def _build(self, input_fn, mode):
        """A new graph with the global step, input_fn's tensors and model_fn's spec for `mode`."""
        graph = Graph()
        with graph.as_default():
            if self._config.tf_random_seed is not None:
                set_random_seed(self._config.tf_random_seed)
            global_step = get_or_create_global_step()
            features, labels = _input(input_fn, mode, self._params, self._config)
            spec = call_model_fn(self._model_fn, features, labels, mode, self._params,
                                 self._config)
        return graph, global_step, spec

    def _session(self, graph, checkpoint, saver=None):
        """A Session on `graph` with the variables initialised, then restored from `checkpoint`."""
        with graph.as_default():
            saver = saver or Saver()
            init = [global_variables_initializer(), local_variables_initializer()]
        sess = Session(graph=graph)
        sess.run(init)
        if checkpoint:
            saver.restore(sess, checkpoint)
        return sess

    def _save(self, sess, saver, step):
        logger.info("Saving checkpoints for %d into %s.", step,
                    os.path.join(self.model_dir, "model.ckpt"))
        saver.save(sess, os.path.join(self.model_dir, "model.ckpt"), global_step=step)


class _TrainingLoop:
    """One train() call's steps: run train_op, log the loss, write summaries and save
    checkpoints when due."""

    def __init__(self, estimator, sess, saver, global_step, spec, steps, max_steps, summaries):
        self.estimator, self.sess, self.saver = estimator, sess, saver
        self.summaries = summaries
        self.global_step, self.spec, config = global_step, spec, estimator.config
        self.steps, self.max_steps = steps, max_steps
        self.log_every = config.log_step_count_steps
        self.save_steps = config.save_checkpoints_steps
        self.save_secs = config.save_checkpoints_secs

    def run(self):
        # 1. Where the restored checkpoint left off.
        step = saved = int(self.sess.run(self.global_step))
        first, runs, loss = step + 1, 0, None
        logged_at, saved_at = (time.monotonic(),) * 2
        # 2. Steps until the data ends or the step limits are reached.
        while (self.steps is None or runs < self.steps) and (
                self.max_steps is None or step < self.max_steps):
            fetches = [self.spec.train_op, self.spec.loss]
            merged = self.summaries.fetch(step + 1)
            try:
                _, loss, *found = self.sess.run(fetches + ([merged] if merged is not None else []))
            except OutOfRangeError:
                break
            runs += 1
            step = int(self.sess.run(self.global_step))
            self.summaries.after_step(step, found[0] if found else None)
            if not np.isfinite(loss):
                raise NanLossDuringTrainingError(f"NaN loss during training (loss = {loss} at "
                                                 f"step {step}).")
            if self.log_every and (step - first) % self.log_every == 0:
                now = time.monotonic()
                took = f" ({now - logged_at:.3f} sec)" if step > first else ""
                logger.info("loss = %s, step = %d%s", loss, step, took)
                logged_at = now
            # 3. Checkpoints when due (by steps or by seconds), and one at the end.
            if (self.save_steps and step - saved >= self.save_steps) or (
                    self.save_secs and time.monotonic() - saved_at >= self.save_secs):
                self.estimator._save(self.sess, self.saver, step)
                saved, saved_at = step, time.monotonic()
        if step != saved or self.estimator.latest_checkpoint() is None:
            self.estimator._save(self.sess, self.saver, step)
        logger.info("Loss for final step: %s.", loss)


def _input(input_fn, mode, params, config):
    """(features, labels) from input_fn: a Dataset (its next element), a pair, or features."""
    if not callable(input_fn):
        raise TypeError(f"input_fn must be a function, given {input_fn!r:.60}")
    result = call_with_wanted(input_fn, "input_fn", {"mode": mode, "params": params,
                                                     "config": config})
    if isinstance(result, Dataset):
        result = result.make_one_shot_iterator().get_next()
    if isinstance(result, (tuple, list)):
        if len(result) != 2:
            raise ValueError(f"input_fn should return (features, labels) or features, returned "
                             f"a {type(result).__name__} of {len(result)} items")
        return tuple(result)
    return result, None


def _selected(predictions, predict_keys):
    """The predictions named in predict_keys (all when None)."""
    if predict_keys is None:
        return predictions
    if not isinstance(predictions, dict):
        raise ValueError("Estimator.predict: predict_keys needs the model_fn's predictions to be "
                         "a dict")
    keys = [predict_keys] if isinstance(predict_keys, str) else list(predict_keys)
    missing = [k for k in keys if k not in predictions]
    if missing:
        raise ValueError(f"Estimator.predict: predict_keys {missing} are not among the "
                         f"predictions {sorted(predictions)}")
    return {k: predictions[k] for k in keys}


def _rows(batch):
    """The batch size shared by every prediction of a batch."""
    sizes = {k: np.shape(v)[0] if np.ndim(v) else None for k, v in batch.items()}
    if None in sizes.values() or len(set(sizes.values())) != 1:
        raise ValueError("Estimator.predict: with yield_single_examples=True every prediction "
                         f"needs the same batch size (axis 0); got {sizes}")
    return next(iter(sizes.values()))


def _step_of(checkpoint):
    return int(load_variable(checkpoint, "global_step"))


def _kept_checkpoints(model_dir):
    state = get_checkpoint_state(model_dir)
    return state["all_model_checkpoint_paths"] if state else []


def _no_hooks(hooks, who):
    if hooks:
        raise NotImplementedError(f"Estimator.{who}: hooks and saving listeners are not "
                                  "supported in passos")
