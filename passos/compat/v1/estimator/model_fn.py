"""ModeKeys, EstimatorSpec (what a model_fn returns, checked as it is made), and calling a
model_fn or input_fn with the arguments its signature names."""
import inspect
from collections import namedtuple

from ....graph.graph import Symbol


class ModeKeys:
    """The three things an Estimator builds a model for."""

    TRAIN = "train"
    EVAL = "eval"
    PREDICT = "infer"


_MODES = (ModeKeys.TRAIN, ModeKeys.EVAL, ModeKeys.PREDICT)
_FIELDS = ("mode predictions loss train_op eval_metric_ops export_outputs training_chief_hooks "
           "training_hooks scaffold evaluation_hooks prediction_hooks")


class EstimatorSpec(namedtuple("EstimatorSpec", _FIELDS)):
    """The ops a model_fn built for `mode`: TRAIN needs loss and train_op, EVAL loss,
    PREDICT predictions (a tensor or a dict of tensors)."""

    def __new__(cls, mode, predictions=None, loss=None, train_op=None, eval_metric_ops=None,
                export_outputs=None, training_chief_hooks=None, training_hooks=None,
                scaffold=None, evaluation_hooks=None, prediction_hooks=None):
        if mode not in _MODES:
            raise ValueError(f"EstimatorSpec: mode must be one of ModeKeys TRAIN, EVAL, PREDICT "
                             f"({_MODES}), given {mode!r}")
        for name, hooks in (("training_chief_hooks", training_chief_hooks),
                            ("training_hooks", training_hooks),
                            ("evaluation_hooks", evaluation_hooks),
                            ("prediction_hooks", prediction_hooks)):
            if hooks:
                raise NotImplementedError(f"EstimatorSpec: {name} are not supported in passos")
        if mode == ModeKeys.TRAIN and train_op is None:
            raise ValueError("EstimatorSpec: missing train_op (required in TRAIN mode)")
        if mode != ModeKeys.PREDICT and loss is None:
            raise ValueError(f"EstimatorSpec: missing loss (required in {mode.upper()} mode)")
        if mode == ModeKeys.PREDICT and predictions is None:
            raise ValueError("EstimatorSpec: missing predictions (required in PREDICT mode)")
        if loss is not None:
            _check_tensor(loss, "loss")
            if loss.shape is not None and tuple(loss.shape) not in ((), (1,)):
                raise ValueError(f"EstimatorSpec: loss must be a scalar, given '{loss.name}' of "
                                 f"shape {tuple(loss.shape)}; reduce it (tf.reduce_mean)")
        if train_op is not None:
            _check_tensor(train_op, "train_op")
        if predictions is not None:
            for key, tensor in (predictions.items() if isinstance(predictions, dict)
                                else [("predictions", predictions)]):
                _check_tensor(tensor, f"predictions['{key}']")
        for key, pair in (eval_metric_ops or {}).items():
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise TypeError(f"EstimatorSpec: eval_metric_ops['{key}'] must be a (value, "
                                f"update_op) pair as tf.metrics returns, given {pair!r:.80}")
            for tensor in pair:
                _check_tensor(tensor, f"eval_metric_ops['{key}']")
        return super().__new__(cls, mode, predictions, loss, train_op, dict(eval_metric_ops or {}),
                               export_outputs, training_chief_hooks, training_hooks, scaffold,
                               evaluation_hooks, prediction_hooks)


def _check_tensor(value, what):
    if not isinstance(value, Symbol):
        raise TypeError(f"EstimatorSpec: {what} must be a tensor or operation of the model's "
                        f"graph, given {type(value).__name__} {value!r:.60}")


def call_with_wanted(function, who, available, required=()):
    """function(**the entries of `available` its signature names); `required` must be named."""
    try:
        names = inspect.signature(function).parameters
    except (TypeError, ValueError):
        raise TypeError(f"{who} must be a function, given {function!r:.60}") from None
    takes_all = any(p.kind == p.VAR_KEYWORD for p in names.values())
    for name in required:
        if name not in names and not takes_all:
            raise ValueError(f"{who} {getattr(function, '__name__', function)} takes no "
                             f"'{name}' argument; its arguments: {list(names)}")
    return function(**{k: v for k, v in available.items() if takes_all or k in names})


def call_model_fn(model_fn, features, labels, mode, params, config):
    """model_fn's EstimatorSpec for `mode` (labels, mode, params, config passed where named)."""
    names = inspect.signature(model_fn).parameters
    if params and "params" not in names:
        raise ValueError(f"model_fn {model_fn.__name__} takes no 'params' argument, but params "
                         f"{params!r:.60} were given to the Estimator")
    if labels is not None and "labels" not in names:
        raise ValueError(f"model_fn {model_fn.__name__} takes no 'labels' argument, but the "
                         "input_fn gives labels")
    spec = call_with_wanted(model_fn, "model_fn", {
        "features": features, "labels": labels, "mode": mode, "params": params,
        "config": config}, required=("features",))
    if not isinstance(spec, EstimatorSpec):
        raise TypeError(f"model_fn {model_fn.__name__} should return an EstimatorSpec, "
                        f"returned {type(spec).__name__}")
    if spec.mode != mode:
        raise ValueError(f"model_fn {model_fn.__name__} returned an EstimatorSpec for mode "
                         f"'{spec.mode}' when called for '{mode}'")
    return spec
