"""The course's back-propagation example: a softmax regression worked by hand.

Two inputs, two classes: z = W x + b, h = exp(z), H = h1 + h2, y_hat = h / H, L = -sum(y log
y_hat). Each step is its own op, so every value and gradient can be printed, and
d L / d b1 = y_hat1 - y1 comes out of the chain rule summed over the paths that reach b1.
"""
import numpy as np

from ..core.tensor import tensor
from ..ops.elementwise import exp, log
from ..ops.matmul import matmul
from ..ops.reduce import sum as reduce_sum

W = [[0.65, 1.19], [0.69, -0.92]]
B = [0.0, 0.0]
BATCH_X = [[0.2, 0.7], [0.8, 0.1], [0.3, 0.5]]
BATCH_Y = [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]
LEARNING_RATE = 0.1


def forward_backward(x, y, w=W, b=B):
    """{name: tensor} of one example's forward pass in order, with `.grad` after L.backward()."""
    w = tensor(w, dtype="float64", requires_grad=True, name="W")
    b = tensor(b, dtype="float64", requires_grad=True, name="b")
    x = tensor(x, dtype="float64", name="x")
    y = tensor(y, dtype="float64", name="y")
    steps = {"W": w, "b": b, "x": x, "y": y}
    steps["z"] = matmul(w, x) + b
    steps["h"] = exp(steps["z"])
    steps["H"] = steps["h"][0] + steps["h"][1]
    steps["y_hat"] = steps["h"] / steps["H"]
    steps["L"] = -reduce_sum(y * log(steps["y_hat"]))
    for name in ("z", "h", "H", "y_hat"):
        steps[name].retain_grad()
    steps["L"].backward()
    return steps


def batch_update(xs=BATCH_X, ys=BATCH_Y, lr=LEARNING_RATE):
    """dL/db1 per example, their mean dJ/db1, and b1 after one gradient-descent step."""
    per_example = [float(forward_backward(x, y)["b"].grad[0]) for x, y in zip(xs, ys)]
    mean = float(np.mean(per_example))
    return per_example, mean, B[0] - lr * mean


def _fmt(value):
    value = np.asarray(value)
    if value.ndim == 0:
        return f"{float(value):+.4f}"
    return "[" + ", ".join(f"{v:+.4f}" for v in value.ravel()) + "]"


def table():
    """The worked example as text: forward values, gradients, and the batch update."""
    steps = forward_backward(BATCH_X[0], BATCH_Y[0])
    formulas = {"z": "W x + b", "h": "exp(z)", "H": "h1 + h2", "y_hat": "h / H",
                "L": "-sum(y log y_hat)"}
    lines = ["Softmax regression worked by hand (x = [0.2, 0.7], y = [1, 0])",
             f"{'step':<7}{'formula':<20}{'value':<38}dL/d(step)"]
    for name in ("W", "b", "x", "z", "h", "H", "y_hat", "L"):
        t = steps[name]
        grad = "1 (the seed)" if name == "L" else ("-" if t.grad is None else _fmt(t.grad))
        lines.append(f"{name:<7}{formulas.get(name, 'given'):<20}{_fmt(t.data):<38}{grad}")
    y_hat1 = float(steps["y_hat"].data[0])
    lines.append(f"dL/db1 = y_hat1 - y1 = {y_hat1:.4f} - 1 = {y_hat1 - 1:+.4f}")
    per_example, mean, new_b1 = batch_update()
    lines.append("Batch of three: dL/db1 = " + ", ".join(f"{g:+.4f}" for g in per_example))
    lines.append(f"dJ/db1 = mean = {mean:+.5f};  b1 <- 0 - {LEARNING_RATE} * dJ/db1 = {new_b1:+.6f}")
    return "\n".join(lines)
