"""One-input elementwise functions: exp, log, sqrt, abs, tanh, sigmoid, relu, square, cast."""
import numpy as np

from ..core.apply import apply
from ..core.dtypes import as_dtype
from ..core.op import ElementwiseOp, FloatElementwiseOp
from ..core.registry import register, unary
from ..kernels.arrays import relu as relu_array


class Exp(FloatElementwiseOp):
    kind = "exp"
    formulas = ("∂eˣ/∂x = eˣ",)
    forward = staticmethod(np.exp)

    def vjp(self, gy, xs, y, saved, needs):
        return (gy * y,)


class Log(FloatElementwiseOp):
    kind = "log"
    formulas = ("∂ln x/∂x = 1/x",)
    forward = staticmethod(np.log)

    def vjp(self, gy, xs, y, saved, needs):
        return (gy / xs[0],)


class Sqrt(FloatElementwiseOp):
    kind = "sqrt"
    formulas = ("∂√x/∂x = 1/(2√x)",)
    forward = staticmethod(np.sqrt)

    def vjp(self, gy, xs, y, saved, needs):
        return (gy / (2 * y),)


class Square(ElementwiseOp):
    kind = "square"
    formulas = ("∂x²/∂x = 2x",)
    forward = staticmethod(np.square)

    def vjp(self, gy, xs, y, saved, needs):
        return (gy * (2 * xs[0]),)


class Abs(ElementwiseOp):
    """|x|; the gradient at 0 is 0, as in PyTorch and TensorFlow."""

    kind = "abs"
    formulas = ("∂|x|/∂x = sign(x)",)
    forward = staticmethod(np.abs)

    def vjp(self, gy, xs, y, saved, needs):
        return (gy * np.sign(xs[0]),)


class Tanh(FloatElementwiseOp):
    kind = "tanh"
    formulas = ("∂tanh x/∂x = 1 - tanh²x",)
    forward = staticmethod(np.tanh)

    def vjp(self, gy, xs, y, saved, needs):
        return (gy * (1 - y * y),)


class Sigmoid(FloatElementwiseOp):
    """1 / (1 + e^-x), computed without overflow for large |x|."""

    kind = "sigmoid"
    formulas = ("∂σ(x)/∂x = σ(x)·(1 - σ(x))",)

    def forward(self, x):
        e = np.exp(-np.abs(x))
        return np.where(np.greater_equal(x, 0), 1, e) / (1 + e)

    def vjp(self, gy, xs, y, saved, needs):
        return (gy * y * (1 - y),)


class Relu(ElementwiseOp):
    """max(x, 0); the gradient at 0 is 0."""

    kind = "relu"
    formulas = ("∂relu(x)/∂x = 1 where x > 0, else 0",)
    forward = staticmethod(relu_array)

    def vjp(self, gy, xs, y, saved, needs):
        return (gy * (y > 0),)


class Cast(ElementwiseOp):
    """Convert to another dtype; the gradient flows back between float dtypes."""

    kind = "cast"
    formulas = ("∂cast(x)/∂x = 1",)

    def __init__(self, dtype):
        self.to = as_dtype(dtype)
        self.differentiable = self.to.kind in "fc"

    def attrs(self):
        return {"dtype": str(self.to)}

    def forward(self, x):
        return np.asarray(x).astype(self.to, copy=False)

    def dtype(self, *dtypes):
        return self.to

    def vjp(self, gy, xs, y, saved, needs):
        return (gy.astype(np.asarray(xs[0]).dtype, copy=False),)


EXP, LOG, SQRT, SQUARE, ABS = Exp(), Log(), Sqrt(), Square(), Abs()
TANH, SIGMOID, RELU = Tanh(), Sigmoid(), Relu()


# The public functions, each named after its op's kind (see registry.unary).
exp = unary(EXP, "e ** x, elementwise.", "passos", "tf", "tf.math", tf="Exp")
log = unary(LOG, "Natural logarithm, elementwise.", "passos", "tf", "tf.math", tf="Log")
sqrt = unary(SQRT, "Square root, elementwise.", "passos", "tf", "tf.math", tf="Sqrt")
square = unary(SQUARE, "x ** 2, elementwise.", "passos", "tf", "tf.math", tf="Square")
abs = unary(ABS, "|x|, elementwise.", "passos", "tf", "tf.math", tf="Abs")  # noqa: A001 - NumPy's name
tanh = unary(TANH, "Hyperbolic tangent, elementwise.",
             "passos", "keras.activations", "tf", "tf.nn", "tf.math", tf="Tanh")
sigmoid = unary(SIGMOID, "The logistic function 1 / (1 + e^-x), elementwise.",
                "passos", "keras.activations", "tf", "tf.nn", "tf.math", tf="Sigmoid")
relu = unary(RELU, "max(x, 0), elementwise.", "passos", "keras.activations")


@register("passos")
def cast(x, dtype, name=None):
    """x converted to `dtype` ('float32', 'float64', 'int64', 'bool', ...)."""
    return apply(Cast(dtype), x, name=name)
