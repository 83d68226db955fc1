"""The update-rule interface shared by `passos.keras.optimizers` and `passos.compat.v1.train`.

`step(params, grads)` updates every parameter array in place, with per-parameter state in
slots made on first use; decay follows Keras 2: lr_t = lr / (1 + decay * iterations). So does
clipping: with clipnorm c, a step's gradients are scaled by c / n when their joint L2 norm n is
at least c; with clipvalue v, each value is clipped to [-v, v] (after clipnorm).
"""
import math

import numpy as np

from .. import arguments


class Optimizer:
    """Base class: hyperparameters, iteration count, per-parameter slots."""

    defaults = {}  # hyperparameter name -> Keras 2 default
    options = {}   # formula variants (TF1's) -> default; kept out of get_config
    # the values each hyperparameter may take, as PyTorch checks them: [low, high) or, with
    # True, [low, high]; outside them the first step already gives NaN or moves the wrong way
    ranges = {"learning_rate": (0, math.inf), "decay": (0, math.inf), "momentum": (0, math.inf),
              "epsilon": (0, math.inf), "rho": (0, 1, True), "beta_1": (0, 1), "beta_2": (0, 1)}

    def __init__(self, clipnorm=None, clipvalue=None, **hyper):
        unknown = set(hyper) - set(self.defaults) - set(self.options) - {"decay"}
        if unknown:
            raise TypeError(f"{type(self).__name__}: unknown argument(s) {sorted(unknown)}; it takes "
                            f"{sorted(self.defaults) + ['decay'] + sorted(self.options)}, "
                            "clipnorm, clipvalue")
        for name, value in (("clipnorm", clipnorm), ("clipvalue", clipvalue)):
            if value is not None:
                arguments.number(value, type(self).__name__, name, 0, math.inf)
        self.clipnorm, self.clipvalue = clipnorm, clipvalue
        self.options = {**self.options, **{k: hyper.pop(k) for k in list(hyper) if k in self.options}}
        self.hyper = {**self.defaults, "decay": 0.0, **hyper}
        for name, value in self.hyper.items():
            if value is not None and not np.isscalar(value):
                raise TypeError(f"{type(self).__name__}: {name} must be a number, got {value!r}")
            self._check_range(name, value)
        self.iterations = 0
        self.slots = {}

    @property
    def learning_rate(self):
        return self.hyper["learning_rate"]

    @learning_rate.setter
    def learning_rate(self, value):
        self.hyper["learning_rate"] = self._check_range("learning_rate", float(value))

    def _check_range(self, name, value):
        """`value`, or a ValueError naming the optimizer when it is outside `ranges[name]`."""
        if name in self.ranges and arguments.is_number(value):
            low, high, *closed = self.ranges[name]
            arguments.number(value, type(self).__name__, name, low, high, high_open=not closed)
        return value

    def current_learning_rate(self):
        """The learning rate after Keras-2-style time decay."""
        lr, decay = self.hyper["learning_rate"], self.hyper["decay"]
        return lr / (1.0 + decay * self.iterations) if decay else lr

    def clip(self, grads, scale=1.0):
        """The gradients after clipnorm and clipvalue (thresholds times `scale`), as new arrays.

        New arrays, since one gradient array may be shared by several parameters' gradients.
        """
        grads = list(grads)
        if self.clipnorm:
            limit = self.clipnorm * scale
            norm = math.sqrt(sum(float(np.sum(np.square(g), dtype=np.float64))
                                 for g in grads if g is not None))
            if norm >= limit and norm > 0:
                grads = [None if g is None else g * (limit / norm) for g in grads]
        if self.clipvalue:
            limit = self.clipvalue * scale
            grads = [None if g is None else np.clip(g, -limit, limit) for g in grads]
        return grads

    def step(self, params, grads):
        """Update each array in `params` in place from its gradient; count one iteration."""
        if self.clipnorm or self.clipvalue:
            grads = self.clip(grads)
        lr = self.current_learning_rate()
        self.iterations += 1
        for p, g in zip(params, grads):
            if g is None:
                continue
            state = self.slots.get(id(p))
            if state is None:
                state = self.slots[id(p)] = self.create_slots(p)
            self.update(p, g, state, lr)

    def folds_learning_rate(self):
        """True when the update is p -= lr * g, so gradients can arrive multiplied by lr.

        A plan then seeds backpropagation with lr and calls `step_scaled`: one pass per weight.
        """
        return False

    def step_scaled(self, params, scaled_grads):
        """One step from gradients already multiplied by the current learning rate."""
        if self.clipnorm or self.clipvalue:  # clip(lr g) at lr c is lr clip(g) at c
            scaled_grads = self.clip(scaled_grads, self.current_learning_rate())
        self.iterations += 1
        for p, g in zip(params, scaled_grads):
            if g is not None:
                p -= g

    def create_slots(self, p):
        """Per-parameter state (zeros shaped like `p`, by default none)."""
        return {}

    def update(self, p, g, state, lr):
        raise NotImplementedError

    def get_config(self):
        clipping = {name: value for name, value in (("clipnorm", self.clipnorm),
                                                    ("clipvalue", self.clipvalue)) if value}
        return {"name": type(self).__name__, **self.hyper, **clipping}
