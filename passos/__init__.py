"""passos: a deep-learning framework on NumPy that shows every number it computes.

The eager API lives here; the graph API in `passos.graph`.

>>> import passos
>>> x = passos.tensor([1.0, 2.0], requires_grad=True)
>>> (x * x).sum().backward()
>>> x.grad
array([2., 4.], dtype=float32)
"""
from .core.autodiff import no_grad
from .core.shapes import ShapeError
from .kernels.threads import compute_threads
from .core.tensor import Tensor, tensor
from .gradcheck import GradientCheckError, gradcheck
from .ops import random
from .ops.arithmetic import (add, clip, divide, equal, greater, greater_equal, less,
                             less_equal, maximum, minimum, multiply, negative, not_equal,
                             power, subtract, where)
from .ops.creation import arange, full, ones, ones_like, zeros, zeros_like
from .ops.elementwise import abs, cast, exp, log, relu, sigmoid, sqrt, square, tanh
from .ops.matmul import matmul
from .ops.movement import broadcast_to, concatenate, getitem, pad, reshape, stack, transpose
from .ops.nn import (elu, hard_sigmoid, log_softmax, softmax, softmax_cross_entropy,
                     sparse_softmax_cross_entropy)
from .ops.reduce import argmax, argmin, max, mean, min, sum
from . import debug, info

__version__ = "0.1.0"
float32, float64, int32, int64 = "float32", "float64", "int32", "int64"
from .ops.conv import conv1d, conv2d, conv3d
from .ops.pool import (avg_pool1d, avg_pool2d, avg_pool3d, global_avg_pool, global_max_pool,
                       max_pool1d, max_pool2d, max_pool3d)
from .ops.resize import crop, upsample
from .ops.windows import conv_output_size
