"""Keras optimizers over the shared update rules of `passos.optim` (Keras 2 names and defaults).

Each takes Keras 2's `lr=` (or `learning_rate=`), `clipnorm=` and `clipvalue=`, and
`epsilon=None` for Keras' default; the lowercase names (`optimizers.adam`) are the classes.
"""
from .. import optim


def _keras(rule):
    """The Keras class of `rule`: it also takes `lr=`, Keras 2's older spelling of `learning_rate=`."""
    class KerasOptimizer(rule):
        def __init__(self, learning_rate=None, lr=None, **hyper):
            if learning_rate is not None and lr is not None:
                raise TypeError(f"{rule.__name__}: give learning_rate or lr, not both")
            rate = learning_rate if learning_rate is not None else lr
            if rate is not None:
                hyper["learning_rate"] = float(rate)
            if "epsilon" in hyper and hyper["epsilon"] is None:  # Keras 2.2: None is K.epsilon()
                del hyper["epsilon"]
            super().__init__(**hyper)

        @property
        def lr(self):
            return self.learning_rate

        @lr.setter
        def lr(self, value):
            self.learning_rate = value

    KerasOptimizer.__name__ = KerasOptimizer.__qualname__ = rule.__name__
    KerasOptimizer.__doc__ = rule.__doc__
    return KerasOptimizer


_BY_NAME = {rule.__name__.lower(): _keras(rule) for rule in (optim.SGD, optim.RMSprop, optim.Adagrad,
                                                             optim.Adadelta, optim.Adam, optim.Adamax,
                                                             optim.Nadam)}
SGD, RMSprop, Adagrad, Adadelta, Adam, Adamax, Nadam = _BY_NAME.values()
sgd, rmsprop, adagrad, adadelta, adam, adamax, nadam = _BY_NAME.values()  # Keras 2's aliases


def get(identifier):
    """An optimizer from a name ('sgd', 'adam' ...), with Keras' defaults, or an instance."""
    if isinstance(identifier, optim.Optimizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    if isinstance(identifier, dict):
        config = dict(identifier.get("config", identifier))
        name = config.pop("name", identifier.get("class_name", ""))
        return _BY_NAME[name.lower()](**config)
    raise ValueError(f"unknown optimizer {identifier!r}; choose one of {sorted(_BY_NAME)} "
                     "or pass an optimizer instance")

from .unsupported import module_getattr as _module_getattr  # noqa: E402 (Keras names passos lacks)

__getattr__ = _module_getattr(__name__)
