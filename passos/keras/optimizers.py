"""Keras optimizers over the shared update rules of `passos.optim` (Keras 2 names and defaults).

`lr=` is accepted as Keras 2's older spelling of `learning_rate=`.
"""
from .. import optim


def _keras(rule):
    class KerasOptimizer(rule):
        def __init__(self, learning_rate=None, lr=None, **hyper):
            if learning_rate is not None and lr is not None:
                raise TypeError(f"{rule.__name__}: give learning_rate or lr, not both")
            rate = learning_rate if learning_rate is not None else lr
            if rate is not None:
                hyper["learning_rate"] = float(rate)
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


SGD = _keras(optim.SGD)
RMSprop = _keras(optim.RMSprop)
Adagrad = _keras(optim.Adagrad)
Adadelta = _keras(optim.Adadelta)
Adam = _keras(optim.Adam)
Adamax = _keras(optim.Adamax)

_BY_NAME = {c.__name__.lower(): c for c in (SGD, RMSprop, Adagrad, Adadelta, Adam, Adamax)}


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
