"""`gradcheck`: compare reverse-mode gradients with central finite differences in float64."""
import numpy as np

from .core.tensor import Tensor


class GradientCheckError(AssertionError):
    """Analytic and numeric gradients disagree; the message says where."""


def gradcheck(f, *inputs, eps=1e-6, atol=1e-5, rtol=1e-4, seed=0):
    """Check the gradients of `f` at `inputs` (arrays or tensors) against finite differences.

    Floating inputs become float64 tensors that require grad; others pass through. A non-scalar
    output is reduced with a fixed random weighting, so every element is checked. Returns True,
    or raises GradientCheckError naming the input, the element and both values.

    >>> import passos
    >>> passos.gradcheck(lambda x: (x * x).sum(), [1.0, 2.0])
    True
    """
    args = [_as_input(x) for x in inputs]
    checked = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no floating-point input to check")
    out = f(*args)
    weights = np.random.default_rng(seed).normal(size=np.shape(out.data)) + 1.0

    def objective():
        return float(np.sum(np.asarray(f(*args).data, np.float64) * weights))

    (out * weights).sum().backward()
    for i in checked:
        x = args[i]
        analytic = np.zeros(x.shape) if x.grad is None else np.asarray(x.grad, np.float64)
        numeric = numeric_gradient(objective, x.data, eps)
        bad = np.abs(analytic - numeric) > atol + rtol * np.abs(numeric)
        if bad.any():
            where = np.unravel_index(np.argmax(np.abs(analytic - numeric) * bad), x.shape)
            raise GradientCheckError(
                f"gradcheck: input {i} (shape {x.shape}) at index {tuple(int(k) for k in where)}: "
                f"backward gives {analytic[where]:.8g}, finite differences give "
                f"{numeric[where]:.8g} ({int(bad.sum())} of {bad.size} elements disagree)")
    return True


def numeric_gradient(f, array, eps=1e-6):
    """Central differences of the scalar f() with respect to `array`, perturbed in place.

    >>> import numpy as np
    >>> w = np.array([1.0, 2.0])
    >>> numeric_gradient(lambda: float((w ** 2).sum()), w).round(6).tolist()
    [2.0, 4.0]
    """
    grad = np.zeros(np.shape(array))
    for j in np.ndindex(grad.shape):  # indexing, not reshape(-1): that copies a Fortran-order array
        keep = array[j]
        array[j] = keep + eps
        up = f()
        array[j] = keep - eps
        down = f()
        array[j] = keep
        grad[j] = (up - down) / (2 * eps)
    return grad


def _as_input(x):
    data = np.asarray(getattr(x, "data", x))
    return Tensor(data.astype(np.float64), requires_grad=True) if data.dtype.kind == "f" else x
