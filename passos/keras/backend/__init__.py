"""The Keras 2 backend (`from passos.keras import backend as K`), on passos ops.

Every function works eagerly (NumPy arrays or tensors in, a passos tensor out;
`K.eval` gives NumPy) and symbolically: in custom losses, metrics and layers
traced into a model's plans, on K.placeholder inputs, and on model tensors
(`model.input`, `layer.output`) read through `K.function`.

>>> from passos.keras import backend as K
>>> K.eval(K.sum(K.square(K.constant([1.0, 2.0, 3.0]))))
array(14., dtype=float32)
"""
from .arrays import (arange, batch_dot, batch_flatten, concatenate, dot, expand_dims, eye,
                     flatten, gather, one_hot, ones, ones_like, permute_dimensions,
                     repeat_elements, reshape, squeeze, stack, tile, transpose, zeros, zeros_like)
from .config import (clear_session, epsilon, floatx, image_data_format, normalize_data_format,
                     set_epsilon, set_floatx, set_image_data_format, set_learning_phase)
from .function import Function, function, gradients
from .math import (abs, all, any, argmax, argmin, cast, clip, cumsum, equal, exp, greater,
                   greater_equal, less, less_equal, log, max, maximum, mean, min, minimum,
                   not_equal, pow, prod, round, sign, sqrt, square, std, stop_gradient, sum, var)
from .nn import (binary_crossentropy, categorical_crossentropy, elu, hard_sigmoid, in_test_phase,
                 in_train_phase, l2_normalize, learning_phase, map_fn, random_binomial,
                 random_normal, random_uniform, relu, sigmoid, softmax, softplus,
                 sparse_categorical_crossentropy, switch, tanh, truncated_normal)
from .tensors import (batch_get_value, batch_set_value, constant, dtype, eval, get_value,
                      int_shape, is_keras_tensor, ndim, placeholder, set_value, shape, variable)



def backend():
    """The name of the backend in use (Keras code checks it: K.backend() == 'tensorflow')."""
    return "passos"


__all__ = ["abs", "all", "any", "arange", "argmax", "argmin", "backend", "batch_dot", "batch_flatten",
           "batch_get_value", "batch_set_value", "binary_crossentropy", "cast", "categorical_crossentropy",
           "clear_session", "clip", "concatenate", "constant", "cumsum", "dot", "dtype", "elu", "epsilon",
           "equal", "eval", "exp", "expand_dims", "eye", "flatten", "floatx", "Function", "function",
           "gather", "get_value", "gradients", "greater", "greater_equal", "hard_sigmoid",
           "image_data_format", "in_test_phase", "in_train_phase", "int_shape", "is_keras_tensor",
           "l2_normalize", "learning_phase", "less", "less_equal", "log", "map_fn", "max", "maximum",
           "mean", "min", "minimum", "ndim", "normalize_data_format", "not_equal", "one_hot", "ones",
           "ones_like", "permute_dimensions", "placeholder", "pow", "prod", "random_binomial", "random_normal",
           "random_uniform", "relu", "repeat_elements", "reshape", "round", "set_epsilon", "set_floatx",
           "set_image_data_format", "set_learning_phase", "set_value", "shape", "sigmoid", "sign",
           "softmax", "softplus", "sparse_categorical_crossentropy", "sqrt", "square", "squeeze", "stack",
           "std", "stop_gradient", "sum", "switch", "tanh", "tile", "transpose", "truncated_normal", "var",
           "variable",
           "zeros", "zeros_like"]

from ..unsupported import module_getattr as _module_getattr  # noqa: E402 (Keras names passos lacks)

__getattr__ = _module_getattr(__name__)
