"""KerasClassifier and KerasRegressor: a Keras model as a scikit-learn estimator (Keras 2.2.4).

`build_fn(**params)` returns a compiled model; every other keyword (`sk_params`) goes to
build_fn, fit, predict or evaluate, whichever takes it, so GridSearchCV can search over
`epochs`, `batch_size` and build_fn's own arguments, and `clone` rebuilds the estimator from
`get_params()`. scikit-learn itself is optional: this module imports it only for its tags.

>>> from passos.keras.layers import Dense
>>> from passos.keras.models import Sequential
>>> def build(units=4):
...     model = Sequential([Dense(units, activation="relu", input_shape=(2,)), Dense(1)])
...     model.compile("sgd", "mse")
...     return model
>>> KerasRegressor(build, units=8, epochs=3, verbose=0).get_params()["units"]
8
"""
import inspect
import types

import numpy as np

from ..models import Sequential
from ..utils.np_utils import to_categorical

__all__ = ["KerasClassifier", "KerasRegressor"]

_MODEL_METHODS = (Sequential.fit, Sequential.predict, Sequential.predict_classes, Sequential.evaluate)


def _takes(function, name):
    """True when `function` has a parameter called `name` (a **kwargs catch-all does not count)."""
    parameter = inspect.signature(function).parameters.get(name)
    return parameter is not None and parameter.kind not in (parameter.VAR_POSITIONAL,
                                                            parameter.VAR_KEYWORD)


class BaseWrapper:
    """What KerasClassifier and KerasRegressor share: parameters, building and fitting."""

    _estimator_type = None  # scikit-learn before 1.6 reads this; later ones __sklearn_tags__

    def __init__(self, build_fn=None, **sk_params):
        self.build_fn = build_fn
        self.sk_params = sk_params
        self.check_params(sk_params)

    def _builder(self):
        """The function that builds the model: build_fn, or its __call__, or self.__call__."""
        if self.build_fn is None:
            call = getattr(self, "__call__", None)  # the instance's: never the metaclass'
            if call is None:
                raise ValueError(f"{type(self).__name__}: give build_fn (a function returning a "
                                 f"compiled model), or subclass it and define __call__")
            return call
        if isinstance(self.build_fn, (types.FunctionType, types.MethodType)):
            return self.build_fn
        if not callable(self.build_fn):
            raise ValueError(f"{type(self).__name__}: build_fn must be a function, a class or a "
                             f"callable object returning a compiled model, got "
                             f"{type(self.build_fn).__name__}")
        return self.build_fn.__call__ if not isinstance(self.build_fn, type) else self.build_fn

    def check_params(self, params):
        """Refuse a parameter that neither build_fn nor fit, predict or evaluate takes."""
        functions = _MODEL_METHODS + (self._builder(),)
        for name in params:
            if not any(_takes(function, name) for function in functions):
                raise ValueError(f"{type(self).__name__}: {name!r} is not a legal parameter: "
                                 f"neither build_fn nor the model's fit, predict, predict_classes "
                                 f"or evaluate takes it")

    def get_params(self, **params):
        """build_fn and the sk_params (scikit-learn's clone rebuilds the estimator from them)."""
        return {**self.sk_params, "build_fn": self.build_fn}

    def set_params(self, **params):
        """Change sk_params (checked as in __init__); returns the estimator."""
        self.check_params(params)
        self.sk_params.update(params)
        return self

    def filter_sk_params(self, function, override=None):
        """The sk_params that `function` takes, updated with `override`."""
        chosen = {k: v for k, v in self.sk_params.items() if _takes(function, k)}
        chosen.update(override or {})
        return chosen

    def fit(self, x, y, **kwargs):
        """Build a fresh model with build_fn and train it on (x, y); returns the History."""
        builder = self._builder()
        self.model = builder(**self.filter_sk_params(builder))
        y = np.asarray(y)
        if self._loss_name() == "categorical_crossentropy" and y.ndim != 2:
            y = to_categorical(y)
        return self.model.fit(x, y, **self.filter_sk_params(Sequential.fit, kwargs))

    def _loss_name(self):
        loss = self.model.loss
        return getattr(loss, "__name__", loss)

    def __sklearn_tags__(self):
        """scikit-learn's tags (1.6 and later): a classifier or a regressor that needs y."""
        from sklearn.utils import ClassifierTags, RegressorTags, Tags, TargetTags
        kind = self._estimator_type
        return Tags(estimator_type=kind, target_tags=TargetTags(required=True),
                    classifier_tags=ClassifierTags() if kind == "classifier" else None,
                    regressor_tags=RegressorTags() if kind == "regressor" else None)


class KerasClassifier(BaseWrapper):
    """A classifier: labels of any kind in `y` (or one-hot rows), `classes_` maps them back."""

    _estimator_type = "classifier"

    def fit(self, x, y, sample_weight=None, **kwargs):
        """Learn `classes_` from y, encode y as class indices (one-hot for
        categorical_crossentropy) and train a freshly built model."""
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] > 1:
            self.classes_ = np.arange(y.shape[1])
        elif y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1):
            self.classes_ = np.unique(y)
            y = np.searchsorted(self.classes_, y)
        else:
            raise ValueError(f"KerasClassifier.fit: y must be labels of shape (n,) or (n, 1), or "
                             f"one-hot rows (n, classes), got shape {y.shape}")
        self.n_classes_ = len(self.classes_)
        if sample_weight is not None:
            kwargs["sample_weight"] = sample_weight
        return super().fit(x, y, **kwargs)

    def predict(self, x, **kwargs):
        """The predicted label of each sample (from `classes_`)."""
        kwargs = self.filter_sk_params(Sequential.predict_classes, kwargs)
        return self.classes_[self.model.predict_classes(x, **kwargs).reshape(-1)]

    def predict_proba(self, x, **kwargs):
        """Class probabilities, (n, classes); one sigmoid output becomes two columns."""
        probabilities = self.model.predict(x, **self.filter_sk_params(Sequential.predict, kwargs))
        if probabilities.shape[1] == 1:
            probabilities = np.hstack([1 - probabilities, probabilities])
        return probabilities

    def score(self, x, y, **kwargs):
        """The model's accuracy on (x, y) (compile it with metrics=['accuracy'])."""
        y = np.searchsorted(self.classes_, np.asarray(y))
        if self._loss_name() == "categorical_crossentropy" and y.ndim != 2:
            y = to_categorical(y, len(self.classes_))
        outputs = self.model.evaluate(x, y, **self.filter_sk_params(Sequential.evaluate, kwargs))
        outputs = outputs if isinstance(outputs, list) else [outputs]
        for name, output in zip(self.model.metrics_names, outputs):
            if name in ("acc", "accuracy"):
                return output
        raise ValueError("KerasClassifier.score: the model does not compute accuracy; compile "
                         "it with metrics=['accuracy']")


class KerasRegressor(BaseWrapper):
    """A regressor: `score` is minus the loss, so larger is better (scikit-learn's convention)."""

    _estimator_type = "regressor"

    def predict(self, x, **kwargs):
        """The predictions, squeezed: (n,) for one output unit."""
        return np.squeeze(self.model.predict(x, **self.filter_sk_params(Sequential.predict, kwargs)))

    def score(self, x, y, **kwargs):
        """Minus the model's loss on (x, y) (minus the MSE for loss='mse')."""
        loss = self.model.evaluate(x, y, **self.filter_sk_params(Sequential.evaluate, kwargs))
        return -(loss[0] if isinstance(loss, list) else loss)


from ..unsupported import module_getattr as _module_getattr  # noqa: E402 (Keras names passos lacks)

__getattr__ = _module_getattr(__name__)
