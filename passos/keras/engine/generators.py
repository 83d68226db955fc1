"""fit_generator, evaluate_generator and predict_generator: Keras 2.2.4's loops over batches
from a Python generator or a keras.utils.Sequence (and fit/evaluate/predict given one).

Each batch is checked like `train_on_batch`'s arguments, with errors naming the step, then
runs the same compiled plans as `fit`. Epoch logs are averages weighted by batch size.
"""
import numpy as np

from ... import arguments
from ...ops import random as passos_random
from ..utils.data_utils import Sequence
from . import fit_arguments as checks
from .feed import Feed, is_source, warn_multiprocessing

__all__ = ["is_source", "fit_generator", "evaluate_generator", "predict_generator",
           "source_options"]


def fit_generator(model, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                  validation_data=None, validation_steps=None, class_weight=None,
                  max_queue_size=10, workers=1, use_multiprocessing=False, shuffle=True,
                  initial_epoch=0, who="fit_generator"):
    """Train `model` on `steps_per_epoch` batches per epoch from `generator`; its History."""
    # 1. the arguments, and where each epoch's batches and validation come from
    steps = _steps(generator, steps_per_epoch, who, "steps_per_epoch")
    epochs = arguments.integer(epochs, who, "epochs", minimum=0)
    initial_epoch = arguments.integer(initial_epoch, who, "initial_epoch", minimum=0)
    workers = arguments.integer(workers, who, "workers", minimum=0)
    warn_multiprocessing(use_multiprocessing, who)
    model._require_compiled("fit")
    val_source = validation_data if is_source(validation_data) else None
    val_arrays = None
    if validation_data is not None and val_source is None:
        val_arrays = model._prepare(*checks.validation_parts(validation_data),
                                    who=f"{who} (validation_data)")
    val_steps = _steps(val_source, validation_steps, who, "validation_steps") if val_source else 0
    # 2. callbacks as fit's, counting steps instead of samples
    validating = validation_data is not None
    cb = model._callbacks(callbacks, verbose, {
        "epochs": epochs, "steps": steps, "samples": None, "batch_size": None,
        "verbose": verbose, "do_validation": validating,
        "metrics": model.metrics_names + (["val_" + n for n in model.metrics_names]
                                          if validating else [])})
    model.stop_training = False
    rng = np.random.default_rng(passos_random.generator().integers(2 ** 63))
    epochs_run = max(epochs - initial_epoch, 0)
    feed = Feed(generator, steps * epochs_run, shuffle, workers, max_queue_size, rng)
    val_feed = None
    try:
        if val_source is not None and not isinstance(val_source, Sequence):  # one stream for all
            val_feed = Feed(val_source, val_steps * epochs_run, False, workers, max_queue_size)
        cb.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            # 3. one epoch of `steps` batches
            cb.on_epoch_begin(epoch)
            totals, seen, batch_size = np.zeros(len(model.metrics_names)), 0, None
            for step in range(steps):
                where = f"{who} (step {step + 1} of {steps}, epoch {epoch + 1})"
                x, y, weights = _prepared(model, _next(feed, where), where, class_weight)
                size = len(x[0])
                batch_size = batch_size or size
                if cb.wants_batch_logs:
                    cb.on_batch_begin(step, {"batch": step, "size": size})
                values = [float(v) for v in
                          model._plan("train", weighted=weights is not None).run(x, y, weights)]
                totals += np.asarray(values) * size
                seen += size
                if cb.wants_batch_logs:
                    cb.on_batch_end(step, {"batch": step, "size": size,
                                           **dict(zip(model.metrics_names, values))})
                if model.stop_training:
                    break
            logs = {n: t / max(seen, 1) for n, t in zip(model.metrics_names, totals.tolist())}
            # 4. validation at the end of the epoch
            if validating:
                if val_arrays is not None:
                    scores = model._evaluate_arrays(*val_arrays, batch_size or 32)
                elif val_feed is not None:
                    scores = _evaluate_feed(model, val_feed, val_steps, f"{who} (validation)")
                else:
                    scores = evaluate_generator(model, val_source, validation_steps,
                                                max_queue_size, workers, who=f"{who} (validation)")
                    scores = scores if isinstance(scores, list) else [scores]
                logs.update(("val_" + n, v) for n, v in zip(model.metrics_names, scores))
            cb.on_epoch_end(epoch, logs)
            if model.stop_training:
                break
        cb.on_train_end()
    finally:
        feed.close()
        if val_feed is not None:
            val_feed.close()
    return model.history


def evaluate_generator(model, generator, steps=None, max_queue_size=10, workers=1,
                       use_multiprocessing=False, verbose=0, who="evaluate_generator"):
    """The loss (and metrics) over `steps` batches: a float, or a list as `metrics_names`."""
    steps = _steps(generator, steps, who, "steps")
    workers = arguments.integer(workers, who, "workers", minimum=0)
    warn_multiprocessing(use_multiprocessing, who)
    model._require_compiled("evaluate")
    with Feed(generator, steps, False, workers, max_queue_size) as feed:
        scores = _evaluate_feed(model, feed, steps, who)
    if verbose:
        print(" - ".join(f"{n}: {v:.4f}" for n, v in zip(model.metrics_names, scores)))
    return scores[0] if len(scores) == 1 else scores


def predict_generator(model, generator, steps=None, max_queue_size=10, workers=1,
                      use_multiprocessing=False, verbose=0, who="predict_generator"):
    """The model's outputs for the inputs of `steps` batches (x, or x first in a tuple)."""
    steps = _steps(generator, steps, who, "steps")
    workers = arguments.integer(workers, who, "workers", minimum=0)
    warn_multiprocessing(use_multiprocessing, who)
    parts = []
    with Feed(generator, steps, False, workers, max_queue_size) as feed:
        for step in range(steps):
            where = f"{who} (step {step + 1} of {steps})"
            batch = _next(feed, where)
            x = batch[0] if isinstance(batch, tuple) and len(batch) in (2, 3) else batch
            x, _, _ = _checked(model, where, x)
            parts.append(model._plan("predict").run(x))
    results = [np.concatenate([part[i] for part in parts]) for i in range(len(model.outputs))]
    return results[0] if len(results) == 1 else results


def source_options(kwargs, who, names):
    """Keras 2.3's generator options (`names`) given to fit/evaluate/predict; others refused."""
    unknown = sorted(set(kwargs) - set(names))
    if unknown:
        raise TypeError(f"{who}: unknown argument(s) {unknown}")
    return kwargs


def refuse_arrays(who, **given):
    """Keras' error when a generator comes with arguments that only arrays can use."""
    named = sorted(name for name, value in given.items() if value is not None)
    if named:
        raise ValueError(f"{who}: x is a generator or Sequence, which yields the targets and "
                         f"sample weights itself; do not also pass {', '.join(named)}")


def _evaluate_feed(model, feed, steps, who):
    totals, seen = None, 0
    for step in range(steps):
        where = f"{who} (step {step + 1} of {steps})"
        x, y, weights = _prepared(model, _next(feed, where), where)
        values = model._plan("test", weighted=weights is not None).run(x, y, weights)
        size = len(x[0])
        batch = np.asarray(values, np.float64) * size
        totals = batch if totals is None else totals + batch
        seen += size
    return (totals / max(seen, 1)).tolist()


def _steps(source, steps, who, name):
    """`steps` as a positive int; None means len(source) for a Sequence."""
    if steps is not None:
        return arguments.positive_int(steps, who, name)
    if isinstance(source, Sequence):
        if len(source) == 0:
            raise ValueError(f"{who}: the Sequence {type(source).__name__} has no batches "
                             f"(len 0)")
        return len(source)
    raise ValueError(f"{who}: {name} is required when the data is a Python generator (it "
                     f"cannot tell where an epoch ends); pass {name}=the number of batches, "
                     f"or use a keras.utils.Sequence")


def _next(feed, where):
    batch = feed.get()
    if batch is None:
        raise ValueError(f"{where}: the generator stopped; it must yield batches without end "
                         f"(loop with `while True:`) or as many as the steps asked for")
    return batch


def _prepared(model, batch, where, class_weight=None):
    """(xs, ys, weights) of one batch (x, y) or (x, y, sample_weight), checked as *_on_batch."""
    if not isinstance(batch, (tuple, list)) or len(batch) not in (2, 3):
        kind = f"a {type(batch).__name__} of {len(batch)} items" \
            if isinstance(batch, (tuple, list)) else arguments.got(batch)
        raise ValueError(f"{where}: the generator must yield (x, y) or (x, y, sample_weight), "
                         f"got {kind}")
    x, y, weight = batch if len(batch) == 3 else (*batch, None)
    return _checked(model, where, x, y, weight, class_weight)


def _checked(model, where, x, y=None, weight=None, class_weight=None):
    """model._prepare's arrays, its errors naming the step (the model's own checks do not)."""
    try:
        return model._prepare(x, y, weight, class_weight, who=where, targets=y is not None)
    except ValueError as error:
        if where in str(error):
            raise
        raise ValueError(f"{where}: {error}") from error
