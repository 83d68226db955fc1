"""`GradientHealth`: a Keras callback that watches, layer by layer, whether training is healthy."""
import warnings

import numpy as np

from ...core.tensor import Tensor
from ...ops.reduce import mean
from .. import activations
from .base import Callback


class GradientHealthWarning(UserWarning):
    """Gradients in some layer are vanishing or exploding."""


class GradientHealth(Callback):
    """Per-layer gradient norm, dead-ReLU fraction and update ratio, every epoch.

    At each epoch's end it backpropagates the loss eagerly on the first `samples` rows of
    x, y (fit does not hand its data to callbacks) and records, in the logs and `history`:
    'grad_norm/<layer>', the norm of the loss gradient over the layer's weights;
    'dead_relu/<layer>', the fraction of a ReLU layer's units zero for every sample (they
    pass no gradient, so they stop learning); 'update_ratio/<layer>', the norm of the
    weights' change over the epoch over their norm (about 1e-3 per step is the usual rule
    of thumb). A GradientHealthWarning names layers whose gradient norm is below
    `vanishing` or above `exploding`.

    >>> import numpy as np
    >>> from passos.keras.models import Sequential
    >>> from passos.keras.layers import Dense
    >>> x = np.random.default_rng(0).normal(size=(32, 3)).astype("float32")
    >>> y = (x.sum(axis=1, keepdims=True) > 0).astype("float32")
    >>> model = Sequential([Dense(4, activation="relu", input_shape=(3,), name="hidden"),
    ...                     Dense(1, activation="sigmoid", name="out")])
    >>> model.compile("sgd", "binary_crossentropy")
    >>> history = model.fit(x, y, epochs=2, verbose=0, callbacks=[GradientHealth(x, y)])
    >>> sorted(k for k in history.history if "/" in k)
    ['dead_relu/hidden', 'grad_norm/hidden', 'grad_norm/out', 'update_ratio/hidden', 'update_ratio/out']
    """

    def __init__(self, x, y, samples=64, vanishing=1e-7, exploding=1e3):
        super().__init__()
        if x is None or y is None:
            raise ValueError("GradientHealth needs a sample of the training data: "
                             "GradientHealth(x_train, y_train)")
        if len(x) != len(y):
            raise ValueError(f"GradientHealth: x has {len(x)} samples but y has {len(y)}")
        self.x, self.y = x[:samples], y[:samples]
        self.vanishing, self.exploding = vanishing, exploding
        self.history, self._start = {}, {}

    def on_train_begin(self, logs=None):
        self.history = {}

    def on_epoch_begin(self, epoch, logs=None):
        self._start = {layer.name: [w.data.copy() for w in layer.trainable_weights]
                       for layer in self.model.layers}

    def on_epoch_end(self, epoch, logs=None):
        health = self.measure()
        for layer in self.model.layers:
            start = self._start.get(layer.name)
            weights = [w.data for w in layer.trainable_weights]
            if start is not None and weights:
                change = _norm([w - s for w, s in zip(weights, start)])
                health[f"update_ratio/{layer.name}"] = change / max(_norm(weights), 1e-30)
        if logs is not None:
            logs.update(health)
        for key, value in health.items():
            self.history.setdefault(key, []).append(value)
        self._warn(epoch, health)

    def measure(self):
        """{'grad_norm/<layer>': ..., 'dead_relu/<layer>': ...} on the sample batch, now."""
        from ..engine.plans import _per_sample  # the engine imports the callbacks
        model = self.model
        xs, ys, _ = model._prepare(self.x, self.y, who="GradientHealth")
        x, y = xs[0], ys[0]  # the first output's loss (the per-layer view of one chain)
        weights = model.trainable_weights
        kept = [w.grad for w in weights]
        for w in weights:
            w.grad = None
        try:
            # 1. an eager forward pass, layer by layer, keeping each layer's output
            outputs = {}
            y_pred = _forward(model, [Tensor(a) for a in xs], outputs)
            # 2. the loss as fit computes it, and its gradient on every weight
            mean(_per_sample(model.loss_functions[0](Tensor(y), y_pred))).backward()
            grads = {id(w): w.grad for w in weights}
        finally:
            for w, g in zip(weights, kept):
                w.grad = g
        # 3. per layer: the gradient norm and the dead ReLU units
        health = {}
        for layer in model.layers:
            layer_weights = layer.trainable_weights
            if layer_weights:
                health[f"grad_norm/{layer.name}"] = _norm(
                    [g for g in (grads.get(id(w)) for w in layer_weights) if g is not None])
            out = outputs.get(layer.name)
            if out is not None and getattr(layer, "activation", None) is activations.relu:
                values = np.asarray(out.data).reshape(len(x), -1)
                health[f"dead_relu/{layer.name}"] = float(np.all(values == 0, axis=0).mean())
        return health

    def _warn(self, epoch, health):
        problems = []
        for layer in self.model.layers:
            norm = health.get(f"grad_norm/{layer.name}")
            if health.get(f"dead_relu/{layer.name}") == 1.0:
                problems.append(
                    f"every ReLU unit of layer '{layer.name}' is dead (0 for every sample, so no "
                    "gradient passes it and it cannot recover): start its biases slightly "
                    "positive (bias_initializer=Constant(0.1)), lower the learning rate, or use "
                    "LeakyReLU")
            elif norm is not None and norm < self.vanishing:
                problems.append(
                    f"the gradients of layer '{layer.name}' are vanishing (norm {norm:.2g} < "
                    f"{self.vanishing:g}), so its weights barely change: "
                    + _vanishing_advice(layer))
            elif norm is not None and (norm > self.exploding or not np.isfinite(norm)):
                problems.append(
                    f"the gradients of layer '{layer.name}' are exploding (norm {norm:.2g} > "
                    f"{self.exploding:g}): lower the learning rate, scale the inputs, or clip "
                    "the gradients")
        if problems:
            warnings.warn(f"GradientHealth, epoch {epoch + 1}: " + "; ".join(problems),
                          GradientHealthWarning, stacklevel=2)


def _vanishing_advice(layer):
    """What helps a layer whose gradient vanishes: saturating units are the usual cause."""
    if getattr(layer, "activation", None) in (activations.sigmoid, activations.tanh):
        return "try relu instead of sigmoid/tanh, another initializer, or batch normalization"
    return ("look at the layers after it (dead ReLU units or saturated sigmoid/tanh units pass "
            "no gradient back), try another initializer, or batch normalization")


def _forward(model, x, outputs):
    """The model's output for eager `x`; each layer's output stored in `outputs` by name."""
    nodes = getattr(model, "_nodes", None)
    if not nodes:  # a subclassed model with its own call: no per-layer outputs
        return model(x if len(x) > 1 else x[0])

    def run(node, value):
        out = outputs[node.layer.name] = node.layer(value, training=False)
        return out
    values = dict(zip(map(id, model.inputs), x))
    for node in nodes:
        node.run(values, run)
    return values[id(model.outputs[0])]


def _norm(arrays):
    return float(np.sqrt(sum(float(np.sum(np.square(a, dtype=np.float64))) for a in arrays)))
