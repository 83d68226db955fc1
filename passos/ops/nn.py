"""Numerically stable softmax family and the fused softmax cross-entropy, plus activations built from primitives."""
import numpy as np

from ..core.apply import apply
from ..core.op import Op
from ..core.registry import register
from ..core.shapes import ShapeError, broadcast_shapes, describe, normalize_axis
from .arithmetic import add, clip, greater, multiply, where
from .elementwise import exp


def _log_softmax(x, axis):
    # ndarray methods: each saves the ~1.5 us dispatch of np.max / np.sum at small batches
    x = np.asarray(x)
    shifted = x - x.max(axis=axis, keepdims=True)
    total = np.exp(shifted).sum(axis=axis, keepdims=True)
    shifted -= np.log(total)
    return shifted


class AxisOp(Op):
    """An op along one axis that keeps the input's shape."""

    def __init__(self, axis=-1):
        self.axis = axis

    def shape(self, x):
        axis = normalize_axis(self.kind, self.axis, len(x))
        if axis and x[axis[0]] == 0:
            raise ShapeError(f"{self.kind}: axis {self.axis} of the input of shape {describe(x)} is "
                             f"empty; {self.kind} needs at least one value along it")
        return x

    def dtype(self, x):
        return x if np.dtype(x).kind in "fc" else np.dtype(np.float64)


class Softmax(AxisOp):
    """exp(x) / sum(exp(x)) along `axis`, shifted by the maximum so it never overflows."""

    kind = "softmax"
    formulas = ("∂sᵢ/∂xⱼ = sᵢ(δᵢⱼ - sⱼ): gy·s - s·Σ(gy·s)",)

    def forward(self, x):
        x = np.asarray(x)
        e = np.exp(x - x.max(axis=self.axis, keepdims=True))
        e /= e.sum(axis=self.axis, keepdims=True)
        return e

    def vjp(self, gy, xs, y, saved, needs):
        gyy = gy * y
        return (gyy - y * np.sum(gyy, axis=self.axis, keepdims=True),)


class LogSoftmax(AxisOp):
    kind = "log_softmax"
    formulas = ("∂log sᵢ/∂xⱼ = δᵢⱼ - sⱼ: gy - s·Σgy",)

    def forward(self, x):
        return _log_softmax(x, self.axis)

    def vjp(self, gy, xs, y, saved, needs):
        return (gy - np.exp(y) * np.sum(gy, axis=self.axis, keepdims=True),)


class SoftmaxCrossEntropy(Op):
    """-sum(labels * log_softmax(logits)) along `axis`, one value per example (fused, stable)."""

    kind = "softmax_cross_entropy"
    formulas = ("∂CE/∂z = softmax(z) - y", "∂CE/∂y = -log softmax(z)")
    saves = True

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, logits, labels):
        log_p = _log_softmax(logits, self.axis)
        product = labels * log_p
        return np.negative(product.sum(axis=self.axis)), log_p

    def vjp(self, gy, xs, y, saved, needs):
        logits, labels = xs
        log_p = saved
        g = gy[..., None] if self.axis == -1 else np.expand_dims(gy, self.axis)
        g_logits = g_labels = None
        if needs[0]:
            total = np.asarray(labels).sum(axis=self.axis, keepdims=True)
            g_logits = np.exp(log_p)
            g_logits *= total
            g_logits -= labels
            g_logits *= g
        if needs[1]:
            g_labels = -g * log_p
        return g_logits, g_labels

    def shape(self, logits, labels):
        full = broadcast_shapes(self.kind, logits, labels)
        if len(logits) != len(labels):
            raise ShapeError(f"softmax_cross_entropy: logits {describe(logits)} and labels "
                             f"{describe(labels)} need the same shape (one-hot labels)")
        axis = normalize_axis(self.kind, self.axis, len(full))[0]
        return full[:axis] + full[axis + 1:]

    def dtype(self, logits, labels):
        return np.result_type(logits, labels)


class SparseSoftmaxCrossEntropy(Op):
    """-log_softmax(logits)[label] for integer class labels along the last axis."""

    kind = "sparse_softmax_cross_entropy"
    formulas = ("∂CE/∂z = softmax(z) - onehot(label)", "none (integer labels)")
    saves = True

    def forward(self, logits, labels):
        log_p = _log_softmax(logits, -1)
        labels = np.asarray(labels)
        if labels.size and (labels.min() < 0 or labels.max() >= logits.shape[-1]):
            raise ValueError(f"sparse_softmax_cross_entropy: labels must lie in [0, "
                             f"{logits.shape[-1]}), got values from {labels.min()} to {labels.max()}")
        picked = np.take_along_axis(log_p, labels[..., None].astype(np.intp), axis=-1)
        return -picked[..., 0], log_p

    def vjp(self, gy, xs, y, saved, needs):
        labels = np.asarray(xs[1]).astype(np.intp)
        g = np.exp(saved)
        np.put_along_axis(g, labels[..., None], np.take_along_axis(g, labels[..., None], -1) - 1, -1)
        return gy[..., None] * g, None

    def shape(self, logits, labels):
        if len(logits) == 0 or len(labels) != len(logits) - 1 or any(
                a is not None and b is not None and a != b for a, b in zip(logits, labels)):
            raise ShapeError(f"sparse_softmax_cross_entropy: labels of shape {describe(labels)} "
                             f"do not match logits of shape {describe(logits)}; labels need "
                             "the logits' shape without its last axis")
        return logits[:-1]

    def dtype(self, logits, labels):
        return np.dtype(logits)


@register("passos", "keras.activations")
def softmax(x, axis=-1, name=None):
    """exp(x) / sum(exp(x)) along `axis` (stable for large values)."""
    return apply(Softmax(axis), x, name=name)


@register("passos")
def log_softmax(x, axis=-1, name=None):
    """log(softmax(x)) along `axis`, computed without underflow."""
    return apply(LogSoftmax(axis), x, name=name)


@register("passos")
def softmax_cross_entropy(logits, labels, axis=-1, name=None):
    """Cross-entropy of softmax(logits) against one-hot or soft `labels`, per example."""
    return apply(SoftmaxCrossEntropy(axis), logits, labels, name=name)


@register("passos")
def sparse_softmax_cross_entropy(logits, labels, name=None):
    """Cross-entropy of softmax(logits) against integer class `labels`, per example."""
    return apply(SparseSoftmaxCrossEntropy(), logits, labels, name=name)


@register("passos", "keras.activations")
def elu(x, alpha=1.0):
    """x where x > 0, else alpha * (e^x - 1); the slope at 0 is alpha, as in PyTorch and Keras.

    Piecewise, with `where`: minimum(x, 0) would split its tie at 0 and halve the slope there.
    """
    positive = greater(x, 0)
    # exp of 0 on the positive side, so the branch not taken never overflows
    return where(positive, x, multiply(alpha, add(exp(where(positive, 0.0, x)), -1)))


@register("passos", "keras.activations")
def hard_sigmoid(x):
    """clip(0.2 x + 0.5, 0, 1), Keras' piecewise-linear sigmoid."""
    return clip(add(multiply(x, 0.2), 0.5), 0, 1)
