"""compile's per-output settings: one loss, loss weight and metric list for each model output.

Keras accepts each setting as one value (the same for every output), a list in output order,
or a dict keyed by output layer names; the logs then read `loss` (the weighted sum),
`<output>_loss` and `<output>_<metric>` when the model has several outputs.
"""
import warnings
from numbers import Real

from .. import losses, metrics as metrics_module


def per_output(value, names, what, missing_ok=False):
    """`value` spread over the outputs `names`: one for all, a list in order, or a dict by name
    (where `missing_ok`, an output the dict leaves out gets None)."""
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise ValueError(f"compile: {what} names {unknown}, which are not outputs of the "
                             f"model; its outputs are {names}")
        missing = [name for name in names if name not in value]
        if missing and not missing_ok:
            raise ValueError(f"compile: {what} has no entry for output(s) {missing}; give one "
                             f"for each of {names}")
        return [value.get(name) for name in names]
    if isinstance(value, (list, tuple)):
        if len(value) != len(names):
            raise ValueError(f"compile: {what} is a list of {len(value)}, but the model has "
                             f"{len(names)} output(s) {names}; give one per output (or a dict "
                             "keyed by output names)")
        return list(value)
    return [value] * len(names)


def loss_functions(loss, names):
    """The loss function of each output; None for an output without one (loss=None, or left
    out of a dict: Keras then expects no targets for it, and add_loss gives the loss)."""
    items = per_output(loss, names, "loss", missing_ok=True)
    missing = [n for n, item in zip(names, items) if item is None]
    if isinstance(loss, dict) and missing:
        warnings.warn(f"compile: output(s) {missing} are missing from the loss dict; they get "
                      "no loss and take no targets during training", UserWarning, stacklevel=4)
    return [None if item is None else losses.get(item) for item in items]


def loss_weights(weights, names):
    """The weight of each output's loss in the total (1.0 each by default)."""
    if weights is None:
        return [1.0] * len(names)
    if not isinstance(weights, (list, tuple, dict)):
        raise TypeError(f"compile: loss_weights must be a list or a dict keyed by output names "
                        f"{names}, got {type(weights).__name__}")
    values = per_output(weights, names, "loss_weights")
    for name, value in zip(names, values):
        if not isinstance(value, Real) or isinstance(value, bool):
            raise TypeError(f"compile: loss_weights for output '{name}' must be a number, got "
                            f"{value!r:.40}")
    return [float(value) for value in values]


def metric_specs(metrics, names, loss_fns, shapes):
    """(output index, metric name, function) for each metric of each output."""
    if metrics is None:
        return []
    if isinstance(metrics, dict) or (isinstance(metrics, (list, tuple)) and metrics and all(
            isinstance(item, (list, tuple)) for item in metrics) and len(names) > 1):
        lists = per_output(metrics, names, "metrics", missing_ok=True)
    elif isinstance(metrics, (list, tuple)):
        lists = [metrics] * len(names)  # one list: every output gets it, as in Keras
    else:
        raise TypeError(f"compile: metrics must be a list (or a dict keyed by output names), "
                        f"got {type(metrics).__name__}")
    specs = []
    for i, items in enumerate(lists):
        if loss_fns[i] is None:  # an output without targets has no metrics (Keras skips it)
            continue
        for item in items if isinstance(items, (list, tuple)) else [] if items is None else [items]:
            name, function = metrics_module.get(item, loss_fns[i], shapes[i])
            specs.append((i, name, function))
    return specs


def logged_names(names, specs, loss_fns):
    """The names fit logs after 'loss': Keras' `<output>_loss` (for each output with a loss)
    and `<output>_<metric>` forms."""
    if len(names) == 1:
        return [name for _, name, _ in specs]
    return [f"{name}_loss" for name, fn in zip(names, loss_fns) if fn is not None] + \
        [f"{names[i]}_{name}" for i, name, _ in specs]
