"""Keras 2's remaining activations, each composed from primitives (their gradients come for free).

>>> import passos as P
>>> P.softsign(P.tensor([-1.0, 0.0, 3.0])).data
array([-0.5 ,  0.  ,  0.75], dtype=float32)
"""
from ..core.registry import register
from .arithmetic import add, divide, multiply, subtract
from .elementwise import abs as absolute, exp, log, relu
from .nn import elu

# SELU's constants (Klambauer et al. 2017), as Keras 2.2.4 writes them
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


@register("passos", "keras.activations")
def selu(x):
    """scale * elu(x, alpha) with SELU's fixed alpha and scale: self-normalizing units."""
    return multiply(elu(x, SELU_ALPHA), SELU_SCALE)


@register("passos", "keras.activations")
def softplus(x):
    """log(1 + e^x), written as max(x, 0) + log(1 + e^-|x|) so large |x| never overflows."""
    positive = relu(x)
    # -|x| as x - 2 max(x, 0): the kinks cancel, so the gradient at 0 is exactly 0.5
    return add(positive, log(add(exp(subtract(x, multiply(positive, 2.0))), 1.0)))


@register("passos", "keras.activations")
def softsign(x):
    """x / (1 + |x|): a tanh-like curve that approaches ±1 polynomially, not exponentially."""
    return divide(x, add(absolute(x), 1.0))


@register("keras.activations")
def exponential(x):
    """e ** x (Keras' name for exp as an activation)."""
    return exp(x)
