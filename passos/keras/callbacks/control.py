"""Callbacks that steer training (Keras 2 semantics): stop it early, or change the learning rate."""
import inspect
import numbers

import numpy as np

from ...debug import NonFiniteError
from ...ops import random as passos_random
from ..engine.plans import latest_training_step
from ..metric_names import MissingKey, lookup
from .base import Callback


def monitor_op(who, monitor, mode):
    """np.less or np.greater: is a new value better? Mode 'auto' is 'max' for names holding 'acc'."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{who}: mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "max" or (mode == "auto" and "acc" in monitor):
        return np.greater
    return np.less


def monitored_value(who, logs, monitor):
    """logs[monitor] under either Keras spelling ('val_acc' finds 'val_accuracy').

    A ValueError, listing the keys there are, when the logs hold no such value: a monitor that
    never matches would silently never save, stop or reduce anything.
    """
    value = lookup(logs, monitor)
    if value is None:
        raise ValueError(f"{who}: monitor={str(MissingKey(monitor, sorted(logs or {})))}")
    return value


def _optimizer(who, model):
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        raise ValueError(f"{who}: the model's optimizer has no learning_rate to change; "
                         "compile the model with a passos.keras optimizer first")
    return optimizer


class EarlyStopping(Callback):
    """Stop training when `monitor` has not improved by `min_delta` for `patience` epochs.

    >>> stop = EarlyStopping(monitor='val_loss', patience=2, restore_best_weights=True)
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False):
        super().__init__()
        self.monitor, self.patience, self.verbose = monitor, patience, verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.monitor_op = monitor_op("EarlyStopping", monitor, mode)
        # improvement means current - min_delta < best (min) or current + min_delta > best (max)
        self.min_delta = abs(min_delta) if self.monitor_op is np.greater else -abs(min_delta)
        self.wait = self.stopped_epoch = 0
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self.wait = self.stopped_epoch = 0
        self.best_weights = None
        self.best = self.baseline if self.baseline is not None else \
            np.inf if self.monitor_op is np.less else -np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = monitored_value("EarlyStopping", logs, self.monitor)
        if self.monitor_op(current - self.min_delta, self.best):
            self.best, self.wait = current, 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                if self.verbose > 0:
                    print("Restoring model weights from the end of the best epoch")
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1:05d}: early stopping")


class TerminateOnNaN(Callback):
    """Stop training as soon as a batch's loss is NaN or infinite, and say which op made it.

    With `explain`, each batch's starting weights and random state are kept (one copy per
    batch); on a bad loss the batch is computed again from them under check_numerics(), and
    the first op that gave NaN or inf is printed and kept in `report` (a NonFiniteError, or
    None). The model keeps the weights training left.
    """

    def __init__(self, explain=True):
        super().__init__()
        self.explain = explain
        self.report = None
        self._start = None  # (weights, random state) at the start of the current batch

    def on_train_begin(self, logs=None):
        self.report = None

    def on_batch_begin(self, batch, logs=None):
        if not self.explain:
            return
        weights = [w.data for w in self.model.weights]
        kept = self._start[0] if self._start is not None else []
        if [k.shape for k in kept] != [w.shape for w in weights]:
            kept = [np.empty_like(w) for w in weights]
        for k, w in zip(kept, weights):
            np.copyto(k, w)
        self._start = (kept, passos_random.generator().bit_generator.state)

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not np.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
            if self.explain:
                self.report = self._rerun()
                print(f"Batch {batch}: " + (str(self.report) if self.report is not None else
                      "its loss is finite when computed again from the batch's starting "
                      "weights: the NaN came from outside the model's ops"))

    def _rerun(self):
        """The NonFiniteError of the latest batch computed again from its starting weights."""
        step = latest_training_step(self.model)
        if step is None or self._start is None:
            return None
        plan, x, y, w = step
        weights = [t.data for t in self.model.weights]
        rng = passos_random.generator().bit_generator
        now = ([v.copy() for v in weights], rng.state)
        for target, kept in zip(weights, self._start[0]):
            np.copyto(target, kept)
        rng.state = self._start[1]
        try:
            plan.check(x, y, w)
        except NonFiniteError as error:
            return error
        finally:
            for target, value in zip(weights, now[0]):
                np.copyto(target, value)
            rng.state = now[1]
        return None


class LearningRateScheduler(Callback):
    """Set the learning rate at each epoch's start to schedule(epoch) or schedule(epoch, lr).

    `epoch` counts from 0; `lr` is the current learning rate.

    >>> halve = LearningRateScheduler(lambda epoch, lr: lr * 0.5 if epoch else lr)
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler: schedule must be a function of (epoch) or "
                            f"(epoch, lr), got {schedule!r:.60}")
        self.schedule, self.verbose = schedule, verbose
        self._takes_lr = _accepts_two_arguments(schedule)

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = _optimizer("LearningRateScheduler", self.model)
        lr = float(optimizer.learning_rate)
        lr = self.schedule(epoch, lr) if self._takes_lr else self.schedule(epoch)
        if not isinstance(lr, numbers.Real) or isinstance(lr, bool) or not np.isfinite(lr):
            raise ValueError(f"LearningRateScheduler: schedule({epoch}) must return a finite "
                             f"number, got {lr!r}")
        optimizer.learning_rate = float(lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1:05d}: LearningRateScheduler setting learning rate to "
                  f"{float(lr)}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["lr"] = float(_optimizer("LearningRateScheduler", self.model).learning_rate)


def _accepts_two_arguments(function):
    """Whether `function` can be called as f(epoch, lr) (Keras 2's newer schedule signature)."""
    try:
        inspect.signature(function).bind(0, 0.0)
    except (TypeError, ValueError):  # ValueError: no signature (some builtins); use f(epoch)
        return False
    return True


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by `factor` when `monitor` has not improved for `patience` epochs.

    After a reduction, `cooldown` epochs pass before counting again; never below `min_lr`.

    >>> reduce = ReduceLROnPlateau(monitor='val_loss', factor=0.2, patience=5, min_lr=1e-4)
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0):
        super().__init__()
        if not 0 < factor < 1:
            raise ValueError(f"ReduceLROnPlateau: factor must be in (0, 1) so the learning rate "
                             f"shrinks, got {factor}")
        self.monitor, self.factor, self.patience, self.verbose = monitor, factor, patience, verbose
        self.min_delta, self.cooldown, self.min_lr = min_delta, cooldown, min_lr
        self.monitor_op = monitor_op("ReduceLROnPlateau", monitor, mode)
        self._reset()

    def _reset(self):
        self.best = np.inf if self.monitor_op is np.less else -np.inf
        self.wait = self.cooldown_counter = 0

    def _improved(self, current):
        if self.monitor_op is np.less:
            return current < self.best - self.min_delta
        return current > self.best + self.min_delta

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        optimizer = _optimizer("ReduceLROnPlateau", self.model)
        if logs is not None:
            logs["lr"] = float(optimizer.learning_rate)
        current = monitored_value("ReduceLROnPlateau", logs, self.monitor)
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improved(current):
            self.best, self.wait = current, 0
        elif self.cooldown_counter == 0:
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = float(optimizer.learning_rate)
                if old_lr > self.min_lr:
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    optimizer.learning_rate = new_lr
                    if self.verbose > 0:
                        print(f"\nEpoch {epoch + 1:05d}: ReduceLROnPlateau reducing learning "
                              f"rate to {new_lr}.")
                    self.cooldown_counter, self.wait = self.cooldown, 0
