"""Arithmetic on two or three inputs with broadcasting: + - * / **, max/min, where, comparisons."""
import numpy as np

from ..core.apply import apply
from ..core.op import ElementwiseOp, FloatElementwiseOp
from ..core.registry import binary, register, unary


class Add(ElementwiseOp):
    kind = "add"
    formulas = ("∂(a+b)/∂a = 1", "∂(a+b)/∂b = 1")
    forward = staticmethod(np.add)

    def vjp(self, gy, xs, y, saved, needs):
        return gy, gy


class Subtract(ElementwiseOp):
    kind = "subtract"
    formulas = ("∂(a-b)/∂a = 1", "∂(a-b)/∂b = -1")
    forward = staticmethod(np.subtract)

    def vjp(self, gy, xs, y, saved, needs):
        return gy, (-gy if needs[1] else None)


class Multiply(ElementwiseOp):
    kind = "multiply"
    formulas = ("∂(a·b)/∂a = b", "∂(a·b)/∂b = a")
    forward = staticmethod(np.multiply)

    def vjp(self, gy, xs, y, saved, needs):
        a, b = xs
        return (gy * b if needs[0] else None), (gy * a if needs[1] else None)


class Divide(FloatElementwiseOp):
    kind = "divide"
    formulas = ("∂(a/b)/∂a = 1/b", "∂(a/b)/∂b = -a/b²")
    forward = staticmethod(np.true_divide)

    def vjp(self, gy, xs, y, saved, needs):
        a, b = xs
        return (gy / b if needs[0] else None), (-gy * y / b if needs[1] else None)


class Negative(ElementwiseOp):
    kind = "negative"
    formulas = ("∂(-x)/∂x = -1",)
    forward = staticmethod(np.negative)

    def vjp(self, gy, xs, y, saved, needs):
        return (-gy,)


class Power(ElementwiseOp):
    kind = "power"
    formulas = ("∂(aᵇ)/∂a = b·aᵇ⁻¹", "∂(aᵇ)/∂b = aᵇ·ln a")
    forward = staticmethod(np.power)

    def vjp(self, gy, xs, y, saved, needs):
        a, b = xs
        ga = gy * b * np.power(a, b - 1) if needs[0] else None
        gb = None
        if needs[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                gb = gy * y * np.where(a > 0, np.log(np.where(a > 0, a, 1)), 0)
        return ga, gb


class Maximum(ElementwiseOp):
    """Elementwise maximum; where both are equal each input gets half the gradient."""

    kind = "maximum"
    formulas = ("∂max(a,b)/∂a = 1 where a > b, ½ where a = b, else 0",
                "∂max(a,b)/∂b = 1 where b > a, ½ where a = b, else 0")
    forward = staticmethod(np.maximum)
    wins = staticmethod(np.greater)  # where a alone takes the gradient

    def vjp(self, gy, xs, y, saved, needs):
        a, b = xs
        share = (self.wins(a, b) + 0.5 * np.equal(a, b)).astype(gy.dtype, copy=False)
        return (gy * share if needs[0] else None), (gy * (1 - share) if needs[1] else None)


class Minimum(Maximum):
    """Elementwise minimum: Maximum's gradient rule with the comparison reversed."""

    kind = "minimum"
    formulas = ("∂min(a,b)/∂a = 1 where a < b, ½ where a = b, else 0",
                "∂min(a,b)/∂b = 1 where b < a, ½ where a = b, else 0")
    forward = staticmethod(np.minimum)
    wins = staticmethod(np.less)


class Where(ElementwiseOp):
    kind = "where"
    formulas = ("none (a condition)", "∂where(c,a,b)/∂a = 1 where c, else 0",
                "∂where(c,a,b)/∂b = 1 where not c, else 0")
    forward = staticmethod(np.where)

    def dtype(self, condition, a, b):
        return np.result_type(a, b)

    def vjp(self, gy, xs, y, saved, needs):
        condition = xs[0]
        zero = np.zeros((), gy.dtype)
        return (None,
                np.where(condition, gy, zero) if needs[1] else None,
                np.where(condition, zero, gy) if needs[2] else None)


class Clip(ElementwiseOp):
    """Clip to [low, high]; the gradient passes where the value was not clipped."""

    kind = "clip"
    formulas = ("∂clip(x)/∂x = 1 inside [low, high], else 0",)

    def __init__(self, low, high):
        self.low, self.high = low, high

    def forward(self, x):
        return np.clip(x, self.low, self.high)

    def vjp(self, gy, xs, y, saved, needs):
        (x,) = xs
        above_low = True if self.low is None else np.greater_equal(x, self.low)
        below_high = True if self.high is None else np.less_equal(x, self.high)
        return (gy * (above_low & below_high),)


class Compare(ElementwiseOp):
    """A comparison (==, !=, <, <=, >, >=): boolean result, no gradient."""

    differentiable = False

    def __init__(self, kind):
        self.kind = kind
        self.ufunc = getattr(np, kind)

    def attrs(self):
        return {}

    def forward(self, a, b):
        return self.ufunc(a, b)

    def dtype(self, *dtypes):
        return np.dtype(bool)


ADD, SUBTRACT, MULTIPLY, DIVIDE = Add(), Subtract(), Multiply(), Divide()
NEGATIVE, POWER, MAXIMUM, MINIMUM, WHERE = Negative(), Power(), Maximum(), Minimum(), Where()
COMPARE = {name: Compare(name) for name in
           ("equal", "not_equal", "less", "less_equal", "greater", "greater_equal")}


# The public functions, each named after its op's kind (see registry.unary and binary).
add = binary(ADD, "x + y, elementwise with broadcasting.", "passos", "tf", "tf.math", tf="Add")
subtract = binary(SUBTRACT, "x - y, elementwise with broadcasting.",
                  "passos", "tf", "tf.math", tf="Sub")
multiply = binary(MULTIPLY, "x * y, elementwise with broadcasting.",
                  "passos", "tf", "tf.math", tf="Mul")
divide = binary(DIVIDE, "x / y (true division: integers give floats), elementwise with broadcasting.",
                "passos", "tf", "tf.math", tf="truediv")
negative = unary(NEGATIVE, "-x.", "passos", "tf", "tf.math", tf="Neg")
power = binary(POWER, "x ** y, elementwise; the gradient in y exists where x > 0.", "passos")
maximum = binary(MAXIMUM, "Elementwise maximum (ties share the gradient equally).",
                 "passos", "tf", "tf.math", tf="Maximum")
minimum = binary(MINIMUM, "Elementwise minimum (ties share the gradient equally).",
                 "passos", "tf", "tf.math", tf="Minimum")


@register("passos")
def where(condition, x, y, name=None):
    """x where `condition` holds, else y; the gradient flows to the chosen input."""
    return apply(WHERE, condition, x, y, name=name)


@register("passos")
def clip(x, min_value=None, max_value=None, name=None):
    """Limit x to [min_value, max_value]; no gradient where it was clipped."""
    if min_value is None and max_value is None:
        raise ValueError("clip: give min_value, max_value or both")
    return apply(Clip(min_value, max_value), x, name=name)


def _comparison(kind, text, tf):
    return binary(COMPARE[kind], f"{text}, elementwise (bool, no gradient).",
                  "passos", "tf", "tf.math", tf=tf, differentiable=False)


equal = _comparison("equal", "x == y", "Equal")
not_equal = _comparison("not_equal", "x != y", "NotEqual")
less = _comparison("less", "x < y", "Less")
less_equal = _comparison("less_equal", "x <= y", "LessEqual")
greater = _comparison("greater", "x > y", "Greater")
greater_equal = _comparison("greater_equal", "x >= y", "GreaterEqual")
